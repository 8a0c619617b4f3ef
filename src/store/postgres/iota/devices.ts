/**
 * IoT Agent device documents in PostgreSQL (table `iota_devices`, migration 0001), keyed by (tenant,
 * device id) like the Urbis devices they describe; `group_key` finds a group's devices.
 */
import type pg from 'pg';
import type { IotaDeviceRecord, IotaRepository, ServicePathFilter } from '../../iota-port.js';
import { rows, run } from '../sql.js';
import { bound } from '../values.js';

interface DeviceRow {
  tenant: string;
  device_id: string;
  service_path: string;
  group_key: string;
  profile_id: string;
  document: unknown;
  created_at: string;
  updated_at: string;
}

const COLUMNS = 'tenant, device_id, service_path, group_key, profile_id, document, created_at, updated_at';

const toDevice = (r: DeviceRow): IotaDeviceRecord => ({
  tenant: r.tenant,
  deviceId: r.device_id,
  servicePath: r.service_path,
  groupKey: r.group_key,
  profileId: r.profile_id,
  document: r.document,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

type DeviceMethods = Pick<
  IotaRepository,
  'putDevice' | 'getDevice' | 'listDevices' | 'devicesOfGroup' | 'deleteDevice'
>;

/** The device methods of the IoT Agent repository over the pool. */
export function postgresIotaDevices(pool: pg.Pool): DeviceMethods {
  return {
    putDevice: async (d) => {
      await run(
        pool,
        `INSERT INTO iota_devices (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6::json, $7, $8)
         ON CONFLICT (tenant, device_id) DO UPDATE SET service_path = excluded.service_path,
           group_key = excluded.group_key, profile_id = excluded.profile_id, document = excluded.document,
           created_at = excluded.created_at, updated_at = excluded.updated_at`,
        [
          d.tenant,
          d.deviceId,
          d.servicePath,
          d.groupKey,
          d.profileId,
          JSON.stringify(d.document) ?? 'null',
          d.createdAt,
          d.updatedAt,
        ],
      );
    },
    getDevice: async (tenant, id) => {
      const [r] = await rows<DeviceRow>(
        pool,
        `SELECT ${COLUMNS} FROM iota_devices WHERE tenant = $1 AND device_id = $2`,
        [tenant, id],
      );
      return r && toDevice(r);
    },
    listDevices: async (tenant, where: ServicePathFilter, limit, offset) => {
      const l = bound('limit', limit);
      const o = bound('offset', offset);
      const all = 'all' in where;
      const filter = all ? 'tenant = $1' : 'tenant = $1 AND service_path = $2';
      const scope = all ? [tenant] : [tenant, where.servicePath];
      const n = scope.length;
      const page = await rows<DeviceRow & { total: number }>(
        pool,
        `SELECT ${COLUMNS}, count(*) OVER ()::int AS total FROM iota_devices WHERE ${filter}
         ORDER BY device_id LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...scope, l, o],
      );
      const count =
        page[0]?.total ??
        (
          await rows<{ n: number }>(
            pool,
            `SELECT count(*)::int AS n FROM iota_devices WHERE ${filter}`,
            scope,
          )
        )[0]?.n ??
        0;
      return { items: page.map(toDevice), count };
    },
    devicesOfGroup: async (hash) =>
      (
        await rows<DeviceRow>(
          pool,
          `SELECT ${COLUMNS} FROM iota_devices WHERE group_key = $1 ORDER BY device_id, tenant`,
          [hash],
        )
      ).map(toDevice),
    deleteDevice: async (tenant, id) =>
      ((await run(pool, 'DELETE FROM iota_devices WHERE tenant = $1 AND device_id = $2', [tenant, id]))
        .rowCount ?? 0) > 0,
  };
}
