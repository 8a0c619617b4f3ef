/**
 * Device profiles in SQLite (table `device_profiles`, migration 0007). The document is kept as JSON
 * text, opaque to the store: what it means is src/devices' business. A profile in use by a device
 * cannot be deleted — the check and the delete run in one IMMEDIATE transaction, so no device can be
 * created against it in between.
 */
import type Database from 'better-sqlite3';
import { NgsiError } from '../../../core/errors.js';
import type { DeviceProfileRecord, DeviceRepository } from '../../devices-port.js';

interface ProfileRow {
  tenant: string;
  id: string;
  document: string;
  created_at: string;
  updated_at: string;
}

const PROFILE = 'tenant, id, document, created_at, updated_at';

const toProfile = (r: ProfileRow): DeviceProfileRecord => ({
  tenant: r.tenant,
  id: r.id,
  document: JSON.parse(r.document) as unknown,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The profile methods of the device repository over one connection. */
export function sqliteProfiles(
  db: Database.Database,
): Pick<DeviceRepository, 'putProfile' | 'getProfile' | 'listProfiles' | 'deleteProfile'> {
  const s = {
    put: db.prepare<[string, string, string, string, string]>(
      `INSERT INTO device_profiles (${PROFILE}) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant, id) DO UPDATE SET document = excluded.document,
         created_at = excluded.created_at, updated_at = excluded.updated_at`,
    ),
    get: db.prepare<[string, string], ProfileRow>(
      `SELECT ${PROFILE} FROM device_profiles WHERE tenant = ? AND id = ?`,
    ),
    list: db.prepare<[string], ProfileRow>(
      `SELECT ${PROFILE} FROM device_profiles WHERE tenant = ? ORDER BY id`,
    ),
    users: db.prepare<[string, string], { n: number }>(
      'SELECT count(*) AS n FROM devices WHERE tenant = ? AND profile_id = ?',
    ),
    delete: db.prepare<[string, string]>('DELETE FROM device_profiles WHERE tenant = ? AND id = ?'),
  };
  const remove = db.transaction((tenant: string, id: string): boolean => {
    const n = s.users.get(tenant, id)?.n ?? 0;
    if (n > 0) {
      throw new NgsiError(
        'BadRequestData',
        `device profile ${JSON.stringify(id)} is used by ${n} device${n === 1 ? '' : 's'}: delete or move them first`,
      );
    }
    return s.delete.run(tenant, id).changes > 0;
  });
  return {
    putProfile: async (p) => {
      const document = JSON.stringify(p.document);
      if (document === undefined) {
        throw new NgsiError('BadRequestData', `device profile ${JSON.stringify(p.id)} has no document`);
      }
      s.put.run(p.tenant, p.id, document, p.createdAt, p.updatedAt);
    },
    getProfile: async (tenant, id) => {
      const r = s.get.get(tenant, id);
      return r && toProfile(r);
    },
    listProfiles: async (tenant) => s.list.all(tenant).map(toProfile),
    deleteProfile: async (tenant, id) => remove.immediate(tenant, id),
  };
}
