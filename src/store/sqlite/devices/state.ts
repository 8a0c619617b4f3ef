/**
 * Device health in SQLite (table `device_state`, migration 0007). Telemetry marks a device seen in
 * batches (one transaction per group commit); the offline sweep reads only the online devices that
 * are due, through the partial index on `offline_at` (`WHERE online = 1`), so its cost follows the
 * devices going offline, not the size of the fleet — no timer per device. `offline_at` is kept in
 * epoch milliseconds so that instants compare as instants, whatever their ISO spelling.
 * State is kept only for registered devices: an update for a device deleted in the meantime is
 * dropped, so no state row outlives its device.
 */
import type Database from 'better-sqlite3';
import { NgsiError } from '../../../core/errors.js';
import type { DeviceRepository, DeviceStateRecord } from '../../devices-port.js';
import { withPresent } from '../governance/present.js';

type SeenUpdate = Parameters<DeviceRepository['recordSeen']>[0][number];
type DeviceKey = { tenant: string; deviceId: string };

interface StateRow {
  tenant: string;
  device_id: string;
  last_seen: string | null;
  online: number;
  battery: number | null;
  rssi: number | null;
  snr: number | null;
  offline_at: number | null;
  last_error: string | null;
  last_error_at: string | null;
}

/**
 * The sweep's query, exported for the query-plan test. `online = 1` is written out as in the partial
 * index's WHERE clause: SQLite uses a partial index only when the query implies its condition.
 */
export const DUE_SQL = `SELECT tenant, device_id, last_seen FROM device_state
  WHERE online = 1 AND offline_at <= ? ORDER BY offline_at LIMIT ?`;
/** The probe of one device and its state, for recordSeen (one primary-key lookup in each table). */
export const SEEN_PROBE_SQL = `SELECT d.id AS id, s.online AS online FROM devices d
  LEFT JOIN device_state s ON s.tenant = d.tenant AND s.device_id = d.id
  WHERE d.tenant = ? AND d.id = ?`;

/** Epoch milliseconds of an ISO instant, or BadRequestData naming the member. */
function millis(name: string, iso: string): number {
  const ms = typeof iso === 'string' ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new NgsiError('BadRequestData', `${name} must be an ISO 8601 instant, not ${JSON.stringify(iso)}`);
  }
  return ms;
}

/** An optional finite number within [min, max], or BadRequestData naming the member. */
function measure(name: string, v: number | undefined, min = -Infinity, max = Infinity): number | null {
  if (v === undefined) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    const range = Number.isFinite(min) ? ` in [${min}, ${max}]` : '';
    throw new NgsiError('BadRequestData', `${name} must be a finite number${range}, not ${String(v)}`);
  }
  return v;
}

const toState = (r: StateRow): DeviceStateRecord =>
  withPresent<DeviceStateRecord>(
    { tenant: r.tenant, deviceId: r.device_id, online: r.online !== 0 },
    {
      lastSeen: r.last_seen,
      battery: r.battery,
      rssi: r.rssi,
      snr: r.snr,
      offlineAt: r.offline_at === null ? null : new Date(r.offline_at).toISOString(),
      lastError: r.last_error,
      lastErrorAt: r.last_error_at,
    },
  );

/** The state methods of the device repository over one connection. */
export function sqliteDeviceState(
  db: Database.Database,
): Pick<DeviceRepository, 'recordSeen' | 'recordError' | 'getState' | 'markOffline'> {
  const s = {
    probe: db.prepare<[string, string], { id: string; online: number | null }>(SEEN_PROBE_SQL),
    seen: db.prepare<[string, string, string, number | null, number | null, number | null, number]>(
      `INSERT INTO device_state (tenant, device_id, last_seen, online, battery, rssi, snr, offline_at)
       VALUES (?, ?, ?, 1, ?, ?, ?, ?)
       ON CONFLICT (tenant, device_id) DO UPDATE SET last_seen = excluded.last_seen, online = 1,
         battery = coalesce(excluded.battery, battery), rssi = coalesce(excluded.rssi, rssi),
         snr = coalesce(excluded.snr, snr), offline_at = excluded.offline_at`,
    ),
    error: db.prepare<[string, string, string, string, string, string]>(
      `INSERT INTO device_state (tenant, device_id, last_error, last_error_at)
       SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM devices WHERE tenant = ? AND id = ?)
       ON CONFLICT (tenant, device_id) DO UPDATE SET last_error = excluded.last_error,
         last_error_at = excluded.last_error_at`,
    ),
    get: db.prepare<[string, string], StateRow>(
      `SELECT d.tenant AS tenant, d.id AS device_id, s.last_seen AS last_seen,
         coalesce(s.online, 0) AS online, s.battery AS battery, s.rssi AS rssi, s.snr AS snr,
         s.offline_at AS offline_at, s.last_error AS last_error, s.last_error_at AS last_error_at
       FROM devices d LEFT JOIN device_state s ON s.tenant = d.tenant AND s.device_id = d.id
       WHERE d.tenant = ? AND d.id = ?`,
    ),
    due: db.prepare<[number, number], { tenant: string; device_id: string; last_seen: string }>(DUE_SQL),
    offline: db.prepare<[string, string]>(
      'UPDATE device_state SET online = 0 WHERE tenant = ? AND device_id = ?',
    ),
  };

  type Checked = [string, string, string, number | null, number | null, number | null, number];
  const seen = db.transaction((rows: Checked[]): DeviceKey[] => {
    const back: DeviceKey[] = [];
    for (const row of rows) {
      const [tenant, deviceId] = row;
      const current = s.probe.get(tenant, deviceId);
      if (!current) continue;
      // Never seen (no row) or marked offline: it comes back with this message.
      if (current.online !== 1) back.push({ tenant, deviceId });
      s.seen.run(...row);
    }
    return back;
  });
  const sweep = db.transaction((now: number, limit: number) => {
    const due = s.due.all(now, limit);
    for (const r of due) s.offline.run(r.tenant, r.device_id);
    return due.map((r) => ({ tenant: r.tenant, deviceId: r.device_id, lastSeen: r.last_seen }));
  });

  return {
    recordSeen: async (updates: SeenUpdate[]) => {
      // Checked whole before anything is written: a malformed update is the caller's bug, and it
      // must not leave half of a batch recorded.
      const rows = updates.map((u): Checked => {
        millis('at', u.at);
        return [
          u.tenant,
          u.deviceId,
          u.at,
          measure('battery', u.battery, 0, 100),
          measure('rssi', u.rssi),
          measure('snr', u.snr),
          millis('offlineAt', u.offlineAt),
        ];
      });
      return seen.immediate(rows);
    },
    recordError: async (tenant, deviceId, error, at) => {
      millis('at', at);
      s.error.run(tenant, deviceId, error, at, tenant, deviceId);
    },
    getState: async (tenant, deviceId) => {
      const r = s.get.get(tenant, deviceId);
      return r && toState(r);
    },
    markOffline: async (now, limit) => {
      if (!Number.isSafeInteger(limit) || limit < 0) {
        throw new NgsiError('BadRequestData', `limit must be a non-negative integer, not ${String(limit)}`);
      }
      return sweep.immediate(millis('now', now), limit);
    },
  };
}
