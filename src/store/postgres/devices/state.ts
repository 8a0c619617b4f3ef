/**
 * Device health in PostgreSQL (table `device_state`, migration 0001). Several replicas record
 * telemetry and sweep at once, so:
 *
 * - `recordSeen` learns whether a device was offline from the row it locks (`FOR UPDATE` in the
 *   UPDATE's own FROM), not from a snapshot read earlier, so two replicas never both announce the
 *   same comeback of a device that had been seen before. Rows are locked in (tenant, device) order,
 *   so two batches naming the same devices cannot deadlock. A never-seen device's first row is
 *   inserted from its `devices` row read `FOR KEY SHARE`: a device deleted meanwhile gets no state.
 * - `markOffline` takes the due rows with `FOR UPDATE SKIP LOCKED` through the partial index on
 *   `offline_at` (`WHERE online`): concurrent sweepers skip each other's rows, so each device that
 *   goes offline is handed to exactly one of them, and a sweep reads only due devices.
 */
import type pg from 'pg';
import { NgsiError } from '../../../core/errors.js';
import type { DeviceRepository, DeviceStateRecord } from '../../devices-port.js';
import { rows, run, transaction, type Sql } from '../sql.js';
import { bound, instant, withPresent } from '../values.js';

type SeenUpdate = Parameters<DeviceRepository['recordSeen']>[0][number];
type DeviceKey = { tenant: string; deviceId: string };

interface StateRow {
  tenant: string;
  device_id: string;
  last_seen: string | null;
  online: boolean;
  battery: number | null;
  rssi: number | null;
  snr: number | null;
  offline_at: Date | null;
  last_error: string | null;
  last_error_at: string | null;
}

/** The sweep, exported for a query-plan test: one range scan of the partial index, rows skipped when locked. */
export const SWEEP_SQL = `WITH due AS (
    SELECT tenant, device_id FROM device_state WHERE online AND offline_at <= $1::timestamptz
    ORDER BY offline_at, tenant, device_id LIMIT $2 FOR UPDATE SKIP LOCKED
  ), gone AS (
    UPDATE device_state s SET online = false FROM due
    WHERE s.tenant = due.tenant AND s.device_id = due.device_id
    RETURNING s.tenant, s.device_id, s.last_seen, s.offline_at
  )
  SELECT tenant, device_id, last_seen FROM gone ORDER BY offline_at, tenant, device_id`;

/** Seen again: the update, and whether the row it locked was online before. */
const SEEN_SQL = `UPDATE device_state s SET last_seen = $3::text, online = true,
    battery = coalesce($4::float8, s.battery), rssi = coalesce($5::float8, s.rssi),
    snr = coalesce($6::float8, s.snr),
    offline_at = $7::timestamptz
  FROM (SELECT online FROM device_state WHERE tenant = $1 AND device_id = $2 FOR UPDATE) AS before
  WHERE s.tenant = $1 AND s.device_id = $2
  RETURNING before.online AS was_online`;

/** Seen for the first time: a row, only for a registered device (locked until commit). */
const FIRST_SEEN_SQL = `INSERT INTO device_state (tenant, device_id, last_seen, online, battery, rssi, snr, offline_at)
  SELECT d.tenant, d.id, $3::text, true, $4::float8, $5::float8, $6::float8, $7::timestamptz
  FROM (SELECT tenant, id FROM devices WHERE tenant = $1 AND id = $2 FOR KEY SHARE) AS d
  ON CONFLICT (tenant, device_id) DO UPDATE SET last_seen = excluded.last_seen, online = true,
    battery = coalesce(excluded.battery, device_state.battery), rssi = coalesce(excluded.rssi, device_state.rssi),
    snr = coalesce(excluded.snr, device_state.snr), offline_at = excluded.offline_at
  RETURNING 1 AS one`;

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
    { tenant: r.tenant, deviceId: r.device_id, online: r.online },
    {
      lastSeen: r.last_seen,
      battery: r.battery,
      rssi: r.rssi,
      snr: r.snr,
      offlineAt: r.offline_at === null ? null : r.offline_at.toISOString(),
      lastError: r.last_error,
      lastErrorAt: r.last_error_at,
    },
  );

/** An update checked and in column order: tenant, device, at, battery, rssi, snr, offlineAt. */
type Checked = [string, string, string, number | null, number | null, number | null, string];

/** Order of (tenant, device) pairs, by UTF-16 code units: any fixed total order prevents deadlocks. */
function byKey(a: Checked, b: Checked): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return 0;
}

/** Record one update (inside the batch's transaction); true when the device comes back online. */
async function seenOne(db: Sql, row: Checked): Promise<boolean> {
  const again = await rows<{ was_online: boolean }>(db, SEEN_SQL, row);
  if (again[0]) return !again[0].was_online;
  // No state row yet: never seen, or not a device. (A concurrent first sighting may make both
  // replicas report this device's very first comeback; a known device's comebacks are exact.)
  return (await rows(db, FIRST_SEEN_SQL, row)).length > 0;
}

/** The state methods of the device repository over the pool. */
export function postgresDeviceState(
  pool: pg.Pool,
): Pick<DeviceRepository, 'recordSeen' | 'recordError' | 'getState' | 'markOffline'> {
  return {
    recordSeen: async (updates: SeenUpdate[]) => {
      // Checked whole before anything is written: a malformed update must not leave half a batch.
      const checked = updates.map((u, index) => {
        instant('at', u.at); // checked, and kept in the caller's spelling
        const row: Checked = [
          u.tenant,
          u.deviceId,
          u.at,
          measure('battery', u.battery, 0, 100),
          measure('rssi', u.rssi),
          measure('snr', u.snr),
          instant('offlineAt', u.offlineAt),
        ];
        return { index, row };
      });
      if (checked.length === 0) return [];
      // Lock order: by (tenant, device), stable, so a device's updates keep their order in the batch.
      const order = [...checked].sort((a, b) => byKey(a.row, b.row));
      const back = await transaction(pool, async (db) => {
        const came: Array<{ index: number; key: DeviceKey }> = [];
        for (const { index, row } of order) {
          if (await seenOne(db, row)) came.push({ index, key: { tenant: row[0], deviceId: row[1] } });
        }
        return came;
      });
      return back.sort((a, b) => a.index - b.index).map((c) => c.key);
    },
    recordError: async (tenant, deviceId, error, at) => {
      instant('at', at);
      await run(
        pool,
        `INSERT INTO device_state (tenant, device_id, last_error, last_error_at)
         SELECT d.tenant, d.id, $3::text, $4::text FROM (SELECT tenant, id FROM devices WHERE tenant = $1 AND id = $2
           FOR KEY SHARE) AS d
         ON CONFLICT (tenant, device_id) DO UPDATE SET last_error = excluded.last_error,
           last_error_at = excluded.last_error_at`,
        [tenant, deviceId, error, at],
      );
    },
    getState: async (tenant, deviceId) => {
      const [r] = await rows<StateRow>(
        pool,
        `SELECT d.tenant AS tenant, d.id AS device_id, s.last_seen AS last_seen,
           coalesce(s.online, false) AS online, s.battery AS battery, s.rssi AS rssi, s.snr AS snr,
           s.offline_at AS offline_at, s.last_error AS last_error, s.last_error_at AS last_error_at
         FROM devices d LEFT JOIN device_state s ON s.tenant = d.tenant AND s.device_id = d.id
         WHERE d.tenant = $1 AND d.id = $2`,
        [tenant, deviceId],
      );
      return r && toState(r);
    },
    markOffline: async (now, limit) => {
      const l = bound('limit', limit);
      const due = instant('now', now);
      if (l === 0) return [];
      const gone = await rows<{ tenant: string; device_id: string; last_seen: string }>(pool, SWEEP_SQL, [
        due,
        l,
      ]);
      return gone.map((r) => ({ tenant: r.tenant, deviceId: r.device_id, lastSeen: r.last_seen }));
    },
  };
}
