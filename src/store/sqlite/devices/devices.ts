/**
 * Devices in SQLite (table `devices`, migration 0007). A device's profile must exist in its tenant;
 * SQLite's foreign keys are off on the store's connection, so the adapter checks it inside the
 * writing transaction. Bulk provisioning runs thousands of rows in one IMMEDIATE transaction (one
 * commit, one fsync) where each row fails alone with its reason, as a provisioning report needs.
 * Deleting a device deletes its credentials and state with it: no credential outlives its device.
 */
import type Database from 'better-sqlite3';
import { NgsiError } from '../../../core/errors.js';
import type { DeviceRecord, DeviceRepository } from '../../devices-port.js';
import { withPresent } from '../governance/present.js';

interface DeviceRow {
  tenant: string;
  id: string;
  profile_id: string;
  entity_id: string;
  device_entity_id: string;
  description: string | null;
  disabled: number;
  created_at: string;
}

type CreateResult = Awaited<ReturnType<DeviceRepository['createDevices']>>[number];

const DEVICE = 'tenant, id, profile_id, entity_id, device_entity_id, description, disabled, created_at';

const toDevice = (r: DeviceRow): DeviceRecord =>
  withPresent<DeviceRecord>(
    {
      tenant: r.tenant,
      id: r.id,
      profileId: r.profile_id,
      entityId: r.entity_id,
      deviceEntityId: r.device_entity_id,
      disabled: r.disabled !== 0,
      createdAt: r.created_at,
    },
    { description: r.description },
  );

type Params = [string, string, string, string, string, string | null, number, string];

const params = (d: DeviceRecord): Params => [
  d.tenant,
  d.id,
  d.profileId,
  d.entityId,
  d.deviceEntityId,
  d.description ?? null,
  d.disabled ? 1 : 0,
  d.createdAt,
];

const unknownProfile = (d: DeviceRecord): string =>
  `device ${JSON.stringify(d.id)}: unknown device profile ${JSON.stringify(d.profileId)}`;

/** A page bound: a non-negative integer, or BadRequestData naming it. */
function bound(name: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new NgsiError('BadRequestData', `${name} must be a non-negative integer, not ${String(n)}`);
  }
  return n;
}

/** The device methods of the device repository over one connection. */
export function sqliteDeviceRows(
  db: Database.Database,
): Pick<DeviceRepository, 'createDevices' | 'putDevice' | 'getDevice' | 'listDevices' | 'deleteDevice'> {
  const s = {
    profileExists: db.prepare<[string, string], { one: number }>(
      'SELECT 1 AS one FROM device_profiles WHERE tenant = ? AND id = ?',
    ),
    create: db.prepare<Params>(
      `INSERT INTO devices (${DEVICE}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, id) DO NOTHING`,
    ),
    put: db.prepare<Params>(
      `INSERT INTO devices (${DEVICE}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant, id) DO UPDATE SET profile_id = excluded.profile_id,
         entity_id = excluded.entity_id, device_entity_id = excluded.device_entity_id,
         description = excluded.description, disabled = excluded.disabled, created_at = excluded.created_at`,
    ),
    get: db.prepare<[string, string], DeviceRow>(`SELECT ${DEVICE} FROM devices WHERE tenant = ? AND id = ?`),
    page: db.prepare<[string, number, number], DeviceRow>(
      `SELECT ${DEVICE} FROM devices WHERE tenant = ? ORDER BY id LIMIT ? OFFSET ?`,
    ),
    count: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM devices WHERE tenant = ?'),
    delete: db.prepare<[string, string]>('DELETE FROM devices WHERE tenant = ? AND id = ?'),
    deleteCredentials: db.prepare<[string, string]>(
      'DELETE FROM device_credentials WHERE tenant = ? AND device_id = ?',
    ),
    deleteState: db.prepare<[string, string]>('DELETE FROM device_state WHERE tenant = ? AND device_id = ?'),
  };
  const create = db.transaction((devices: DeviceRecord[]): CreateResult[] => {
    // Bulk rows mostly share a few profiles: probe each (tenant, profile) once per call.
    const known = new Map<string, boolean>();
    const profileExists = (d: DeviceRecord): boolean => {
      const k = JSON.stringify([d.tenant, d.profileId]);
      let ok = known.get(k);
      if (ok === undefined) known.set(k, (ok = s.profileExists.get(d.tenant, d.profileId) !== undefined));
      return ok;
    };
    return devices.map((d): CreateResult => {
      if (!profileExists(d)) return { id: d.id, ok: false, error: unknownProfile(d) };
      if (s.create.run(...params(d)).changes === 0) {
        return { id: d.id, ok: false, error: `device ${JSON.stringify(d.id)} already exists` };
      }
      return { id: d.id, ok: true };
    });
  });
  const put = db.transaction((d: DeviceRecord): void => {
    if (s.profileExists.get(d.tenant, d.profileId) === undefined) {
      throw new NgsiError('BadRequestData', unknownProfile(d));
    }
    s.put.run(...params(d));
  });
  const remove = db.transaction((tenant: string, id: string): boolean => {
    if (s.delete.run(tenant, id).changes === 0) return false;
    s.deleteCredentials.run(tenant, id);
    s.deleteState.run(tenant, id);
    return true;
  });
  const page = db.transaction((tenant: string, limit: number, offset: number) => ({
    items: s.page.all(tenant, limit, offset).map(toDevice),
    count: s.count.get(tenant)?.n ?? 0,
  }));
  return {
    createDevices: async (devices) => create.immediate(devices),
    putDevice: async (device) => put.immediate(device),
    getDevice: async (tenant, id) => {
      const r = s.get.get(tenant, id);
      return r && toDevice(r);
    },
    // Page and total read in one (deferred) transaction: they agree with each other.
    listDevices: async (tenant, limit, offset) =>
      page(tenant, bound('limit', limit), bound('offset', offset)),
    deleteDevice: async (tenant, id) => remove.immediate(tenant, id),
  };
}
