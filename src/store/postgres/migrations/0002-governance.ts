/**
 * PostgreSQL migration 0002: what governance keeps (src/store/governance-port.ts) — the tables of
 * SQLite's 0006, with the conventions of 0001 (tenant first in every key, `COLLATE "C"` on keys and
 * ordered columns, opaque documents as `json`, instants handed back as given kept as text) and
 * these choices (docs/decisions/0009-postgres-store.md, "Governance"):
 *
 * - `principals.roles` and `api_keys.scopes` are `text[]`: lists of names, read back as arrays.
 * - `api_keys.hash` is UNIQUE, so a presented key is one index probe; (tenant, created_at, id)
 *   serves listings in their order, (tenant, principal_id) revokes a deleted principal's keys.
 * - `policy_heads` holds each tenant's last policy version: the next one is taken by one
 *   `INSERT … ON CONFLICT DO UPDATE … RETURNING`, atomic across replicas, and never reused.
 * - `audit_log.seq` is given by the adapter as head + 1 while it holds the table's EXCLUSIVE lock
 *   (appends are serialised cluster-wide; readers are not blocked); the primary key is the backstop
 *   that turns any fork into an error instead of a second entry with the same number. `detail` is
 *   `json` (kept verbatim: jsonb would refuse \u0000).
 * - `pseudonym_keys`: few rows (one per tenant and rotation period); creation is serialised per
 *   tenant by an advisory lock, so no tenant ever gets two keys made at once.
 */
export const sql = `
CREATE TABLE principals (
  tenant      text COLLATE "C" NOT NULL,
  id          text COLLATE "C" NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('user', 'service')),
  roles       text[] NOT NULL,
  description text,
  disabled    boolean NOT NULL DEFAULT false,
  created_at  text NOT NULL,
  PRIMARY KEY (tenant, id)
);

CREATE TABLE api_keys (
  id           text COLLATE "C" PRIMARY KEY,
  principal_id text COLLATE "C" NOT NULL,
  tenant       text COLLATE "C" NOT NULL,
  hash         text COLLATE "C" NOT NULL UNIQUE,
  prefix       text NOT NULL,
  scopes       text[] NOT NULL,
  description  text,
  created_at   text COLLATE "C" NOT NULL,
  expires_at   text,
  revoked_at   text,
  last_used_at text,
  bootstrap    boolean NOT NULL DEFAULT false
);
CREATE INDEX api_keys_tenant ON api_keys (tenant, created_at, id);
CREATE INDEX api_keys_created ON api_keys (created_at, id);
CREATE INDEX api_keys_principal ON api_keys (tenant, principal_id);

CREATE TABLE policy_heads (
  tenant text COLLATE "C" PRIMARY KEY,
  last   integer NOT NULL
);

CREATE TABLE policies (
  tenant     text COLLATE "C" NOT NULL REFERENCES policy_heads (tenant),
  version    integer NOT NULL,
  document   json NOT NULL,
  created_at text NOT NULL,
  created_by text NOT NULL,
  PRIMARY KEY (tenant, version)
);

CREATE TABLE audit_log (
  seq        bigint PRIMARY KEY,
  at         text NOT NULL,
  tenant     text COLLATE "C" NOT NULL,
  principal  text NOT NULL,
  action     text NOT NULL,
  target     text,
  request_id text,
  outcome    text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  status     integer,
  detail     json,
  prev_hash  text NOT NULL,
  hash       text NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant, seq);

CREATE TABLE registry (
  tenant     text COLLATE "C" NOT NULL,
  type       text COLLATE "C" NOT NULL,
  document   json NOT NULL,
  updated_at text NOT NULL,
  updated_by text NOT NULL,
  PRIMARY KEY (tenant, type)
);

CREATE TABLE pseudonym_keys (
  id         text COLLATE "C" PRIMARY KEY,
  tenant     text COLLATE "C" NOT NULL,
  secret     text NOT NULL,
  created_at text NOT NULL,
  not_after  text NOT NULL
);
CREATE INDEX pseudonym_keys_tenant ON pseudonym_keys (tenant);
`;
