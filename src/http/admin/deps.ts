/** What the admin API needs: governance, the subscription service (owner clean-up) and the store. */
import type { ContextSource } from '../ngsi-ld/ld-request.js';
import type { SubscriptionService } from '../../context/subscriptions/subscription-service.js';
import type { Governance } from '../../governance/governance.js';
import type { Store } from '../../store/port.js';

export interface AdminDeps {
  governance: Governance;
  subscriptions: SubscriptionService;
  store: Store;
  /** Resolves @context values (policies and registry entries name types and attributes). */
  contexts: ContextSource;
}

/** The admin API's base path. */
export const ADMIN = '/admin';
