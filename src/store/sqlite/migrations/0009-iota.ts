/**
 * Migration 0009: FIWARE IoT Agent service groups and devices (src/store/iota-port.ts). Keyed by the
 * tenant's name, as 0007 is.
 *
 * - `iota_groups`: one row per apikey, whose SHA-256 is the primary key — an apikey is unique across
 *   the platform, so a device's `?k=` finds its group (and so its tenant) in one probe. Listings read
 *   (tenant, service_path).
 * - `iota_devices`: the device documents, per (tenant, device id) as Urbis devices are; `group_key`
 *   lists the devices of a group when it changes or is deleted.
 */
export const sql = `
CREATE TABLE iota_groups (
  apikey_hash   TEXT PRIMARY KEY,
  apikey_prefix TEXT NOT NULL,
  tenant        TEXT NOT NULL,
  service_path  TEXT NOT NULL,
  resource      TEXT NOT NULL,
  profile_id    TEXT,
  document      TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX iota_groups_tenant ON iota_groups (tenant, service_path, created_at);

CREATE TABLE iota_devices (
  tenant       TEXT NOT NULL,
  device_id    TEXT NOT NULL,
  service_path TEXT NOT NULL,
  group_key    TEXT NOT NULL,
  profile_id   TEXT NOT NULL,
  document     TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  PRIMARY KEY (tenant, device_id)
) WITHOUT ROWID;
CREATE INDEX iota_devices_path ON iota_devices (tenant, service_path, device_id);
CREATE INDEX iota_devices_group ON iota_devices (group_key, device_id);
`;
