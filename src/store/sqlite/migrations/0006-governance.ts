/**
 * Migration 0006: what governance keeps (src/store/governance-port.ts). Rows are keyed by the
 * tenant's name, not its interned id: a principal, a policy or a key may exist for a tenant that
 * holds no entity yet (and for ALL_TENANTS, '*'), and interning would make such a tenant "exist".
 *
 * - `principals`: users and service accounts; roles as a JSON array.
 * - `api_keys`: only the SHA-256 of a secret is kept, unique, so that a presented key is found by one
 *   index probe; (tenant, created_at, id) serves listings in their order, (tenant, principal_id)
 *   revokes a principal's keys when it is deleted.
 * - `policies`: every version of a tenant's policy document (JSON text), never rewritten.
 * - `audit_log`: the hash chain; `seq` is the rowid, given by the adapter as head + 1 inside the
 *   transaction that reads the head. (tenant, seq) serves one tenant's reading in order.
 * - `registry`: the data-governance document per (tenant, type).
 * - `pseudonym_keys`: the keyed-hash secrets, destroyed (overwritten, then deleted) once past
 *   `not_after`; few rows (one per tenant and rotation period).
 */
export const sql = `
CREATE TABLE principals (
  tenant      TEXT NOT NULL,
  id          TEXT NOT NULL,
  kind        TEXT NOT NULL,
  roles       TEXT NOT NULL,
  description TEXT,
  disabled    INTEGER NOT NULL DEFAULT 0,
  created_at  TEXT NOT NULL,
  PRIMARY KEY (tenant, id)
) WITHOUT ROWID;

CREATE TABLE api_keys (
  id           TEXT PRIMARY KEY,
  principal_id TEXT NOT NULL,
  tenant       TEXT NOT NULL,
  hash         TEXT NOT NULL UNIQUE,
  prefix       TEXT NOT NULL,
  scopes       TEXT NOT NULL,
  description  TEXT,
  created_at   TEXT NOT NULL,
  expires_at   TEXT,
  revoked_at   TEXT,
  last_used_at TEXT,
  bootstrap    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX api_keys_tenant ON api_keys (tenant, created_at, id);
CREATE INDEX api_keys_principal ON api_keys (tenant, principal_id);

CREATE TABLE policies (
  tenant     TEXT NOT NULL,
  version    INTEGER NOT NULL,
  document   TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  PRIMARY KEY (tenant, version)
) WITHOUT ROWID;

CREATE TABLE audit_log (
  seq        INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  tenant     TEXT NOT NULL,
  principal  TEXT NOT NULL,
  action     TEXT NOT NULL,
  target     TEXT,
  request_id TEXT,
  outcome    TEXT NOT NULL,
  status     INTEGER,
  detail     TEXT,
  prev_hash  TEXT NOT NULL,
  hash       TEXT NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant, seq);

CREATE TABLE registry (
  tenant     TEXT NOT NULL,
  type       TEXT NOT NULL,
  document   TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (tenant, type)
) WITHOUT ROWID;

CREATE TABLE pseudonym_keys (
  id         TEXT PRIMARY KEY,
  tenant     TEXT NOT NULL,
  secret     TEXT NOT NULL,
  created_at TEXT NOT NULL,
  not_after  TEXT NOT NULL
);
CREATE INDEX pseudonym_keys_tenant ON pseudonym_keys (tenant);
`;
