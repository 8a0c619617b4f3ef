/** What the NGSI-LD routes need: the use-case services and the request limits. */
import type { DiscoveryService } from '../../context/discovery-service.js';
import type { EntityService } from '../../context/entities/entity-service.js';
import type { HostedContextService } from '../../context/hosted-contexts.js';
import type { SubscriptionService } from '../../context/subscriptions/subscription-service.js';
import type { TemporalService } from '../../context/temporal/temporal-service.js';
import type { ContextSource } from './ld-request.js';
import type { PagingLimits } from './query-params.js';

export interface NgsiDeps {
  entities: EntityService;
  discovery: DiscoveryService;
  hostedContexts: HostedContextService;
  contexts: ContextSource;
  temporal: TemporalService;
  subscriptions: SubscriptionService;
  /** maxInstances: most instances per attribute in one temporal answer (beyond: 206, clause 6.3.10). */
  limits: PagingLimits & { maxBatch: number; maxInstances: number };
}

/** The API's base path. */
export const BASE = '/ngsi-ld/v1';
