/**
 * The governance part of the Store port: principals and their API keys, versioned access policies,
 * the hash-chained audit log, the data-governance registry and the pseudonymisation keys. Adapters
 * persist what they are given; the rules (what a policy means, how a hash is made, how an entry is
 * parsed) live in src/governance and reach the store only as functions or opaque documents.
 */

/** A platform principal belongs to every tenant (the bootstrap admin); written as this tenant value. */
export const ALL_TENANTS = '*';

/** A user or a service account of one tenant (or of ALL_TENANTS). */
export interface PrincipalRecord {
  id: string;
  tenant: string;
  kind: 'user' | 'service';
  /** Role names; what a role may do is said by the tenant's policy. */
  roles: string[];
  /** Human description (name of the person, purpose of the service). */
  description?: string;
  /** A disabled principal's credentials are refused. */
  disabled: boolean;
  createdAt: string;
}

/** An API key: only its SHA-256 is kept; the secret is shown once, when created. */
export interface ApiKeyRecord {
  /** Public id (`k_…`), shown in listings and audit entries. */
  id: string;
  principalId: string;
  tenant: string;
  /** Hex SHA-256 of the whole secret; unique. */
  hash: string;
  /** The secret's first characters (e.g. `urbis_3Fq9`), so that an operator can recognise a key. */
  prefix: string;
  /** Actions the key may use (a subset of its principal's); empty = all of them. */
  scopes: string[];
  description?: string;
  createdAt: string;
  expiresAt?: string;
  revokedAt?: string;
  lastUsedAt?: string;
  /** Set by URBIS_ADMIN_KEY or the first start: replaced when the variable changes. */
  bootstrap: boolean;
}

export interface IdentityRepository {
  /** Create or replace (same tenant and id). */
  putPrincipal(principal: PrincipalRecord): Promise<void>;
  getPrincipal(tenant: string, id: string): Promise<PrincipalRecord | undefined>;
  /** The tenant's principals (ALL_TENANTS for platform principals), ordered by id. */
  listPrincipals(tenant: string): Promise<PrincipalRecord[]>;
  /** Delete it and revoke its keys (revokedAt = at). False when not found. */
  deletePrincipal(tenant: string, id: string, at: string): Promise<boolean>;

  /** Add a key (ids and hashes are unique). */
  putKey(key: ApiKeyRecord): Promise<void>;
  getKey(id: string): Promise<ApiKeyRecord | undefined>;
  /**
   * The key with this hash, revoked or not, and its principal (absent when it was deleted), in one
   * read: what every authenticated request asks.
   */
  keyAndPrincipal(hash: string): Promise<{ key: ApiKeyRecord; principal?: PrincipalRecord } | undefined>;
  /** Keys of one tenant (or every key when tenant is undefined), ordered by createdAt then id. */
  listKeys(tenant?: string): Promise<ApiKeyRecord[]>;
  /** Set revokedAt (once). False when not found or already revoked. */
  revokeKey(id: string, at: string): Promise<boolean>;
  /** Record use (callers throttle this). */
  touchKey(id: string, at: string): Promise<void>;
}

/** One version of a tenant's policy document (the document's meaning is src/governance/policy's). */
export interface StoredPolicy {
  tenant: string;
  /** 1, 2, … per tenant; never reused. */
  version: number;
  document: unknown;
  createdAt: string;
  /** Principal id that wrote it. */
  createdBy: string;
}

export interface PolicyRepository {
  /** Store the next version of the tenant's policy (version = last + 1) and return it. */
  put(tenant: string, document: unknown, by: string, at: string): Promise<StoredPolicy>;
  /** The latest version, undefined when the tenant never had one. */
  current(tenant: string): Promise<StoredPolicy | undefined>;
  get(tenant: string, version: number): Promise<StoredPolicy | undefined>;
  /** Every version's metadata, newest first. */
  versions(tenant: string): Promise<Array<Omit<StoredPolicy, 'document'>>>;
  /** Tenants that have a policy. */
  tenants(): Promise<string[]>;
}

/** What an audit entry says (before it is chained). */
export interface AuditRecord {
  /** ISO instant. */
  at: string;
  tenant: string;
  /** Principal id (`anonymous` for none). */
  principal: string;
  /** What was done: `entity.create`, `policy.put`, `key.revoke`, `audit.read`, … */
  action: string;
  /** What it was done to (entity id, key id, …). */
  target?: string;
  requestId?: string;
  /** `success`, `failure` or `denied`. */
  outcome: 'success' | 'failure' | 'denied';
  /** HTTP status when the action came through the API. */
  status?: number;
  /** Small JSON details (counts, version numbers); never secrets or personal data. */
  detail?: Record<string, unknown>;
}

/** A chained entry: `hash` covers the record, its sequence number and the previous entry's hash. */
export interface AuditEntry extends AuditRecord {
  seq: number;
  prevHash: string;
  hash: string;
}

/** Computes an entry's hash from the previous hash, its sequence number and its record. */
export type AuditLink = (prevHash: string, seq: number, record: AuditRecord) => string;

export interface AuditRepository {
  /**
   * Append records in order, chaining each to the entry before it: inside one transaction the
   * adapter reads the current head (so that several processes sharing the store never fork the
   * chain), gives seq = head.seq + 1 … and hash = link(prevHash, seq, record).
   * The first entry's prevHash is GENESIS_HASH.
   */
  append(records: AuditRecord[], link: AuditLink): Promise<AuditEntry[]>;
  /** Entries with seq > afterSeq in ascending order (optionally one tenant's), at most limit. */
  read(filter: { afterSeq?: number; tenant?: string; limit: number }): Promise<AuditEntry[]>;
  /** The last entry. */
  head(): Promise<AuditEntry | undefined>;
}

/** prevHash of the first audit entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** A data-governance entry for one entity type (the document is src/governance/privacy's). */
export interface RegistryRecord {
  tenant: string;
  /** Expanded type IRI. */
  type: string;
  document: unknown;
  updatedAt: string;
  updatedBy: string;
}

export interface RegistryRepository {
  put(record: RegistryRecord): Promise<void>;
  get(tenant: string, type: string): Promise<RegistryRecord | undefined>;
  list(tenant: string): Promise<RegistryRecord[]>;
  delete(tenant: string, type: string): Promise<boolean>;
}

/** A pseudonymisation key: valid from createdAt until notAfter, then destroyed. */
export interface PseudonymKey {
  id: string;
  tenant: string;
  /** Base64 of 32 random bytes. */
  secret: string;
  createdAt: string;
  notAfter: string;
}

export interface PseudonymKeyRepository {
  /**
   * The tenant's key valid at `at`. In one transaction: destroy every key of the tenant whose
   * notAfter ≤ at (deleted; the adapter makes sure the bytes do not linger), and when none is left
   * store `create()` and return it.
   */
  current(tenant: string, at: string, create: () => PseudonymKey): Promise<PseudonymKey>;
  /** Destroy every key of every tenant with notAfter ≤ at; how many. */
  destroyExpired(at: string): Promise<number>;
}

/** Everything governance keeps. */
export interface GovernanceRepositories {
  identity: IdentityRepository;
  policies: PolicyRepository;
  audit: AuditRepository;
  registry: RegistryRepository;
  pseudonymKeys: PseudonymKeyRepository;
}
