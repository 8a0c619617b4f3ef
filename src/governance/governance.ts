/**
 * Governance, assembled: identity (principals, keys, OpenID Connect), policies, the audit trail and
 * the privacy gate, built on the store's governance repositories. `urbis serve` and the tests build
 * one and hand it to the HTTP app; nothing else constructs these parts.
 */
import type { Store } from '../store/port.js';
import { AuditTrail } from './audit/trail.js';
import type { AuditHead } from './audit/verify.js';
import { Authenticator } from './identity/authenticator.js';
import { IdentityService } from './identity/identity-service.js';
import { createOidcVerifier, type OidcSettings } from './identity/oidc.js';
import { PolicyService, type ContextResolution } from './policy/policy-service.js';
import { PrivacyGate } from './privacy/privacy-gate.js';
import type { TypeGovernance } from './privacy/model.js';
import { Pseudonymiser } from './privacy/pseudonymiser.js';
import { GovernanceRegistry } from './privacy/registry.js';
import { builtInGovernance } from './privacy/smart-data-models.js';

export interface GovernanceOptions {
  store: Store;
  /** Resolves @context values of policies and registry entries. */
  contexts: ContextResolution;
  oidc?: OidcSettings;
  /** Lifetime of a pseudonymisation key, ms. */
  pseudonymRotationMs: number;
  /** Registry entries every tenant starts with (default: the shipped Smart Data Models entries). */
  builtIn?: readonly TypeGovernance[];
  onAuditError?: (err: unknown) => void;
  onAuditHead?: (head: AuditHead) => void;
  /** Told of each attribute the gate dropped (metrics). */
  onDropped?: (type: string, count: number) => void;
}

export interface Governance {
  identity: IdentityService;
  authenticator: Authenticator;
  policies: PolicyService;
  audit: AuditTrail;
  registry: GovernanceRegistry;
  pseudonymiser: Pseudonymiser;
  privacy: PrivacyGate;
  /** Flush the audit trail. */
  close(): Promise<void>;
}

/** Build governance over a migrated store (loads the policies). */
export async function openGovernance(options: GovernanceOptions): Promise<Governance> {
  const { store } = options;
  const identity = new IdentityService({ repo: store.governance.identity });
  const authenticator = new Authenticator(
    identity,
    options.oidc === undefined ? undefined : createOidcVerifier(options.oidc),
  );
  const policies = new PolicyService({ repo: store.governance.policies, contexts: options.contexts });
  await policies.load();
  const audit = new AuditTrail({
    repo: store.governance.audit,
    ...(options.onAuditError ? { onError: options.onAuditError } : {}),
    ...(options.onAuditHead ? { onHead: options.onAuditHead } : {}),
  });
  const registry = new GovernanceRegistry({
    repo: store.governance.registry,
    builtIn: options.builtIn ?? builtInGovernance(),
  });
  const pseudonymiser = new Pseudonymiser({
    keys: store.governance.pseudonymKeys,
    rotation: options.pseudonymRotationMs,
  });
  const privacy = new PrivacyGate({
    registry,
    pseudonymiser,
    ...(options.onDropped ? { onDropped: options.onDropped } : {}),
  });
  return {
    identity,
    authenticator,
    policies,
    audit,
    registry,
    pseudonymiser,
    privacy,
    close: () => audit.close(),
  };
}
