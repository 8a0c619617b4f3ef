/**
 * Migration 0007: the device registry and device health (src/store/devices-port.ts). Like 0006, rows
 * are keyed by the tenant's name, not its interned id: a tenant may provision devices before any of
 * its entities exists, and interning would make it "exist".
 *
 * - `device_profiles`: the validated profile document as JSON text, per (tenant, id).
 * - `devices`: one row per device; its profile must exist, checked by the adapter inside the writing
 *   transaction (a FOREIGN KEY would need `PRAGMA foreign_keys`, which the store does not turn on).
 *   (tenant, profile_id) tells cheaply whether a profile is still in use before it is deleted.
 * - `device_credentials`: only hashes. A presented token is found by one probe of the partial UNIQUE
 *   index on its hash (kind token); an MQTT/HTTP username by the partial UNIQUE index on
 *   (tenant, username) (kind password). Passwords' hashes are salted, so they are not unique and
 *   not indexed. (tenant, device_id) lists and deletes a device's credentials.
 * - `device_state`: last seen, battery, signal, last error. `offline_at` is epoch milliseconds (an
 *   integer compares correctly whatever the ISO spelling it came from), and the partial index over
 *   the online devices only lets the offline sweep read just the devices that are due, in one range
 *   scan, however many devices there are — offline ones never enter it.
 */
export const sql = `
CREATE TABLE device_profiles (
  tenant     TEXT NOT NULL,
  id         TEXT NOT NULL,
  document   TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (tenant, id)
) WITHOUT ROWID;

CREATE TABLE devices (
  tenant           TEXT NOT NULL,
  id               TEXT NOT NULL,
  profile_id       TEXT NOT NULL,
  entity_id        TEXT NOT NULL,
  device_entity_id TEXT NOT NULL,
  description      TEXT,
  disabled         INTEGER NOT NULL DEFAULT 0,
  created_at       TEXT NOT NULL,
  PRIMARY KEY (tenant, id)
) WITHOUT ROWID;
CREATE INDEX devices_profile ON devices (tenant, profile_id);

CREATE TABLE device_credentials (
  id         TEXT PRIMARY KEY,
  tenant     TEXT NOT NULL,
  device_id  TEXT NOT NULL,
  kind       TEXT NOT NULL,
  username   TEXT,
  hash       TEXT NOT NULL,
  prefix     TEXT,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE UNIQUE INDEX device_credentials_token ON device_credentials (hash) WHERE kind = 'token';
CREATE UNIQUE INDEX device_credentials_username ON device_credentials (tenant, username)
  WHERE kind = 'password';
CREATE INDEX device_credentials_device ON device_credentials (tenant, device_id);

CREATE TABLE device_state (
  tenant        TEXT NOT NULL,
  device_id     TEXT NOT NULL,
  last_seen     TEXT,
  online        INTEGER NOT NULL DEFAULT 0,
  battery       REAL,
  rssi          REAL,
  snr           REAL,
  offline_at    INTEGER,
  last_error    TEXT,
  last_error_at TEXT,
  PRIMARY KEY (tenant, device_id)
) WITHOUT ROWID;
CREATE INDEX device_state_offline ON device_state (offline_at) WHERE online = 1;
`;
