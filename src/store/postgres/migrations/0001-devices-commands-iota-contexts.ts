/**
 * PostgreSQL migration 0001: the tables of the first part of the adapter — device registry and
 * health, commands, IoT Agent groups and devices, hosted @contexts (entities, history, subscriptions
 * and governance come in later migrations). The same tables and indexes as SQLite's 0001/0007–0009,
 * with these differences (docs/decisions/0009-postgres-store.md):
 *
 * - Tenants are a text column, first in every key, as in SQLite (one set of statements, a tenant is
 *   rows; and the column a Citus distribution would use).
 * - Keys and ordered columns are `COLLATE "C"`: byte order, as SQLite compares, whatever the
 *   database's locale — listings page in the same order on both dialects, and btree indexes serve
 *   `ORDER BY` and range scans without a locale-aware comparison.
 * - Real foreign keys (devices → profiles; credentials and state → devices, ON DELETE CASCADE):
 *   PostgreSQL enforces them with row locks, which is what keeps a profile from being deleted while
 *   another replica creates a device on it. SQLite serialises writers instead.
 * - The two instants the sweeps compare (`device_state.offline_at`, `commands.expires_at`) are
 *   `timestamptz`; instants the port hands back as given (createdAt, lastSeen, …) stay text so they
 *   read back in the caller's spelling, as SQLite keeps them.
 * - Opaque documents (profiles, command values and results, IoT Agent documents, @context bodies)
 *   are `json`: kept verbatim, as SQLite's text is. A command's history is `jsonb` because a status
 *   change appends to it in SQL (`||`) within one compare-and-set UPDATE.
 * - `commands.open` is a generated column, so it can never disagree with `status`; the partial
 *   indexes of the offline sweep (`WHERE online`) and the expiry sweep (`WHERE open`) hold only the
 *   rows those sweeps can take.
 */
export const sql = `
CREATE TABLE device_profiles (
  tenant     text COLLATE "C" NOT NULL,
  id         text COLLATE "C" NOT NULL,
  document   json NOT NULL,
  created_at text NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (tenant, id)
);

CREATE TABLE devices (
  tenant           text COLLATE "C" NOT NULL,
  id               text COLLATE "C" NOT NULL,
  profile_id       text COLLATE "C" NOT NULL,
  entity_id        text NOT NULL,
  device_entity_id text NOT NULL,
  description      text,
  disabled         boolean NOT NULL DEFAULT false,
  created_at       text NOT NULL,
  PRIMARY KEY (tenant, id),
  FOREIGN KEY (tenant, profile_id) REFERENCES device_profiles (tenant, id)
);
-- Whether a profile is in use (and the foreign key's check when a profile is deleted).
CREATE INDEX devices_profile ON devices (tenant, profile_id);

CREATE TABLE device_credentials (
  id         text COLLATE "C" PRIMARY KEY,
  tenant     text COLLATE "C" NOT NULL,
  device_id  text COLLATE "C" NOT NULL,
  kind       text NOT NULL CHECK (kind IN ('token', 'password')),
  username   text COLLATE "C",
  hash       text COLLATE "C" NOT NULL,
  prefix     text,
  created_at text COLLATE "C" NOT NULL,
  revoked_at text,
  CHECK ((kind = 'password') = (username IS NOT NULL)),
  FOREIGN KEY (tenant, device_id) REFERENCES devices (tenant, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX device_credentials_token ON device_credentials (hash) WHERE kind = 'token';
CREATE UNIQUE INDEX device_credentials_username ON device_credentials (tenant, username)
  WHERE kind = 'password';
CREATE INDEX device_credentials_device ON device_credentials (tenant, device_id, created_at, id);

CREATE TABLE device_state (
  tenant        text COLLATE "C" NOT NULL,
  device_id     text COLLATE "C" NOT NULL,
  last_seen     text,
  online        boolean NOT NULL DEFAULT false,
  battery       double precision,
  rssi          double precision,
  snr           double precision,
  offline_at    timestamptz,
  last_error    text,
  last_error_at text,
  PRIMARY KEY (tenant, device_id),
  FOREIGN KEY (tenant, device_id) REFERENCES devices (tenant, id) ON DELETE CASCADE
);
CREATE INDEX device_state_offline ON device_state (offline_at, tenant, device_id) WHERE online;

CREATE TABLE commands (
  seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id          text COLLATE "C" NOT NULL UNIQUE,
  tenant      text COLLATE "C" NOT NULL,
  device_id   text COLLATE "C" NOT NULL,
  name        text COLLATE "C" NOT NULL,
  value       json NOT NULL,
  status      text NOT NULL
    CHECK (status IN ('QUEUED', 'SENT', 'DELIVERED', 'SUCCEEDED', 'FAILED', 'EXPIRED')),
  open        boolean GENERATED ALWAYS AS (status NOT IN ('SUCCEEDED', 'FAILED', 'EXPIRED')) STORED,
  created_at  text NOT NULL,
  updated_at  text NOT NULL,
  expires_at  timestamptz NOT NULL,
  expires_iso text NOT NULL,
  history     jsonb NOT NULL,
  info        text,
  result      json,
  created_by  text
);
CREATE INDEX commands_device ON commands (tenant, device_id, status, seq);
CREATE INDEX commands_device_seq ON commands (tenant, device_id, seq);
CREATE INDEX commands_queued ON commands (tenant, device_id, seq) WHERE status = 'QUEUED';
CREATE INDEX commands_expiry ON commands (expires_at, seq) WHERE open;

CREATE TABLE iota_groups (
  apikey_hash   text COLLATE "C" PRIMARY KEY,
  apikey_prefix text NOT NULL,
  tenant        text COLLATE "C" NOT NULL,
  service_path  text COLLATE "C" NOT NULL,
  resource      text NOT NULL,
  profile_id    text,
  document      json NOT NULL,
  created_at    text COLLATE "C" NOT NULL,
  updated_at    text NOT NULL
);
CREATE INDEX iota_groups_tenant ON iota_groups (tenant, service_path, created_at, apikey_hash);

CREATE TABLE iota_devices (
  tenant       text COLLATE "C" NOT NULL,
  device_id    text COLLATE "C" NOT NULL,
  service_path text COLLATE "C" NOT NULL,
  group_key    text COLLATE "C" NOT NULL,
  profile_id   text NOT NULL,
  document     json NOT NULL,
  created_at   text NOT NULL,
  updated_at   text NOT NULL,
  PRIMARY KEY (tenant, device_id)
);
CREATE INDEX iota_devices_path ON iota_devices (tenant, service_path, device_id);
CREATE INDEX iota_devices_group ON iota_devices (group_key, device_id, tenant);

CREATE TABLE contexts (
  id         text COLLATE "C" PRIMARY KEY,
  url        text NOT NULL,
  kind       text NOT NULL CHECK (kind IN ('Hosted', 'Cached')),
  body       json NOT NULL,
  created_at text NOT NULL,
  last_usage text,
  hits       integer NOT NULL DEFAULT 0
);
`;
