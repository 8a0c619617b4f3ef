/**
 * Migration 0008: commands to actuators (src/store/commands-port.ts). Keyed, like 0007, by the
 * tenant's name (a tenant may command a device before any of its entities exists).
 *
 * - `seq` (the rowid) is the creation order: a device's commands are delivered in it, and listed
 *   newest first by it. `id` (`cmd_…`) is the public, unique id.
 * - `expires_at` and `open` (1 until a final status): the expiry sweep reads only open commands that
 *   are due, through the partial index on `expires_at WHERE open = 1`, one range scan however many
 *   commands wait — final commands never enter that index.
 * - `commands_device` (tenant, device, status, seq): a device's queue in creation order, and its
 *   commands of one status newest first; `commands_device_seq` all its commands newest first.
 * - `commands_queued` (partial, QUEUED only): the devices with a queue after a restart, reading only
 *   the queued rows, not every command ever sent.
 * - `history`, `value` and `result` are JSON text; `expires_at` is epoch milliseconds so instants
 *   compare as instants whatever their ISO spelling, and `expires_iso` keeps the spelling given.
 */
export const sql = `
CREATE TABLE commands (
  seq         INTEGER PRIMARY KEY,
  id          TEXT NOT NULL UNIQUE,
  tenant      TEXT NOT NULL,
  device_id   TEXT NOT NULL,
  name        TEXT NOT NULL,
  value       TEXT NOT NULL,
  status      TEXT NOT NULL,
  open        INTEGER NOT NULL,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  expires_at  INTEGER NOT NULL,
  expires_iso TEXT NOT NULL,
  history     TEXT NOT NULL,
  info        TEXT,
  result      TEXT,
  created_by  TEXT
);
CREATE INDEX commands_device ON commands (tenant, device_id, status, seq);
CREATE INDEX commands_device_seq ON commands (tenant, device_id, seq);
CREATE INDEX commands_queued ON commands (tenant, device_id, seq) WHERE status = 'QUEUED';
CREATE INDEX commands_expiry ON commands (expires_at) WHERE open = 1;
`;
