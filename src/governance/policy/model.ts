/**
 * Access-control vocabulary: who asks (a Principal), what they want to do (an Action) and the rules
 * that decide (a compiled Policy). A policy is data — a versioned JSON document per tenant — so an
 * auditor reads exactly what the broker enforces; `parse-policy.ts` turns the document into the
 * compiled form used here, `access.ts` evaluates it.
 */

/** What a request does: read data, write data, command an actuator, administer the tenant. */
export const ACTIONS = ['read', 'write', 'command', 'admin'] as const;
export type Action = (typeof ACTIONS)[number];

/** The authenticated (or anonymous) caller of one request. */
export interface Principal {
  /** Principal id; `anonymous` when no credential was given; `oidc:<sub>` for a bearer token. */
  id: string;
  kind: 'user' | 'service' | 'anonymous';
  /** Tenant the principal belongs to, or ALL_TENANTS (`*`) for a platform principal. */
  tenant: string;
  roles: string[];
  /** Actions the credential may use (a key's scopes); undefined = whatever the roles allow. */
  scopes?: readonly Action[];
  /** How it was authenticated. */
  via: 'key' | 'oidc' | 'anonymous';
  /** The API key used, for audit entries. */
  keyId?: string;
}

/** The principal of a request without credentials. */
export const ANONYMOUS: Principal = Object.freeze({
  id: 'anonymous',
  kind: 'anonymous',
  tenant: '',
  roles: [],
  via: 'anonymous',
}) as Principal;

/** One rule, compiled: names expanded, the id pattern compiled. */
export interface CompiledRule {
  id?: string;
  effect: 'allow' | 'deny';
  /** Applies to everyone, anonymous callers included (allow + read only). */
  public: boolean;
  /** Applies to principals with any of these roles (`*`: any authenticated principal). */
  roles: ReadonlySet<string>;
  /** Applies to these principal ids. */
  principals: ReadonlySet<string>;
  actions: ReadonlySet<Action>;
  /** Entity types (expanded); undefined = every type. */
  types?: ReadonlySet<string>;
  /** Entity id pattern (a search, as NGSI-LD idPattern: anchor with ^ and $). */
  idPattern?: { source: string; regex: RegExp };
  /** Attributes (expanded); undefined = every attribute. */
  attrs?: ReadonlySet<string>;
}

/** A tenant's policy, compiled. */
export interface CompiledPolicy {
  /** Version of the stored document (0 for the built-in default). */
  version: number;
  rules: readonly CompiledRule[];
}
