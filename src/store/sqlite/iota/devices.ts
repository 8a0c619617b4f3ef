/**
 * IoT Agent device documents in SQLite (table `iota_devices`, migration 0009), keyed by (tenant,
 * device id) like the Urbis devices they describe.
 */
import type Database from 'better-sqlite3';
import type { IotaDeviceRecord, IotaRepository, ServicePathFilter } from '../../iota-port.js';

interface DeviceRow {
  tenant: string;
  device_id: string;
  service_path: string;
  group_key: string;
  profile_id: string;
  document: string;
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
  document: JSON.parse(r.document) as unknown,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

type DeviceMethods = Pick<
  IotaRepository,
  'putDevice' | 'getDevice' | 'listDevices' | 'devicesOfGroup' | 'deleteDevice'
>;

/** The device methods of the IoT Agent repository over one connection. */
export function sqliteIotaDevices(db: Database.Database): DeviceMethods {
  const s = {
    put: db.prepare<[string, string, string, string, string, string, string, string]>(
      `INSERT INTO iota_devices (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant, device_id) DO UPDATE SET service_path = excluded.service_path,
         group_key = excluded.group_key, profile_id = excluded.profile_id, document = excluded.document,
         created_at = excluded.created_at, updated_at = excluded.updated_at`,
    ),
    get: db.prepare<[string, string], DeviceRow>(
      `SELECT ${COLUMNS} FROM iota_devices WHERE tenant = ? AND device_id = ?`,
    ),
    pageAll: db.prepare<[string, number, number], DeviceRow>(
      `SELECT ${COLUMNS} FROM iota_devices WHERE tenant = ? ORDER BY device_id LIMIT ? OFFSET ?`,
    ),
    countAll: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM iota_devices WHERE tenant = ?'),
    pagePath: db.prepare<[string, string, number, number], DeviceRow>(
      `SELECT ${COLUMNS} FROM iota_devices WHERE tenant = ? AND service_path = ?
       ORDER BY device_id LIMIT ? OFFSET ?`,
    ),
    countPath: db.prepare<[string, string], { n: number }>(
      'SELECT count(*) AS n FROM iota_devices WHERE tenant = ? AND service_path = ?',
    ),
    ofGroup: db.prepare<[string], DeviceRow>(
      `SELECT ${COLUMNS} FROM iota_devices WHERE group_key = ? ORDER BY device_id`,
    ),
    delete: db.prepare<[string, string]>('DELETE FROM iota_devices WHERE tenant = ? AND device_id = ?'),
  };
  return {
    putDevice: async (d) => {
      s.put.run(
        d.tenant,
        d.deviceId,
        d.servicePath,
        d.groupKey,
        d.profileId,
        JSON.stringify(d.document) ?? 'null',
        d.createdAt,
        d.updatedAt,
      );
    },
    getDevice: async (tenant, id) => {
      const r = s.get.get(tenant, id);
      return r && toDevice(r);
    },
    listDevices: async (tenant, where: ServicePathFilter, limit, offset) => {
      if ('all' in where)
        return {
          items: s.pageAll.all(tenant, limit, offset).map(toDevice),
          count: s.countAll.get(tenant)?.n ?? 0,
        };
      return {
        items: s.pagePath.all(tenant, where.servicePath, limit, offset).map(toDevice),
        count: s.countPath.get(tenant, where.servicePath)?.n ?? 0,
      };
    },
    devicesOfGroup: async (hash) => s.ofGroup.all(hash).map(toDevice),
    deleteDevice: async (tenant, id) => s.delete.run(tenant, id).changes > 0,
  };
}
