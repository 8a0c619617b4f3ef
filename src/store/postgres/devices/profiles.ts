/**
 * Device profiles in PostgreSQL (table `device_profiles`, migration 0001). The document is kept as
 * `json`, opaque to the store. A profile in use cannot be deleted: the foreign key from `devices`
 * refuses the DELETE with the row locks PostgreSQL takes for it, so no device created at the same
 * moment by another replica can slip in between a check and the delete.
 */
import type pg from 'pg';
import { NgsiError } from '../../../core/errors.js';
import type { DeviceProfileRecord, DeviceRepository } from '../../devices-port.js';
import { FOREIGN_KEY_VIOLATION, rows, run, sqlState } from '../sql.js';

interface ProfileRow {
  tenant: string;
  id: string;
  document: unknown;
  created_at: string;
  updated_at: string;
}

const PROFILE = 'tenant, id, document, created_at, updated_at';

const toProfile = (r: ProfileRow): DeviceProfileRecord => ({
  tenant: r.tenant,
  id: r.id,
  document: r.document,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The profile methods of the device repository over the pool. */
export function postgresProfiles(
  pool: pg.Pool,
): Pick<DeviceRepository, 'putProfile' | 'getProfile' | 'listProfiles' | 'deleteProfile'> {
  /** Why a profile cannot go: how many devices of its tenant use it. */
  async function inUse(tenant: string, id: string, cause: unknown): Promise<NgsiError> {
    const [r] = await rows<{ n: number }>(
      pool,
      'SELECT count(*)::int AS n FROM devices WHERE tenant = $1 AND profile_id = $2',
      [tenant, id],
    );
    const n = r?.n ?? 0;
    return new NgsiError(
      'BadRequestData',
      `device profile ${JSON.stringify(id)} is used by ${n} device${n === 1 ? '' : 's'}: delete or move them first`,
      { cause },
    );
  }

  return {
    putProfile: async (p) => {
      const document = JSON.stringify(p.document);
      if (document === undefined) {
        throw new NgsiError('BadRequestData', `device profile ${JSON.stringify(p.id)} has no document`);
      }
      await run(
        pool,
        `INSERT INTO device_profiles (${PROFILE}) VALUES ($1, $2, $3::json, $4, $5)
         ON CONFLICT (tenant, id) DO UPDATE SET document = excluded.document,
           created_at = excluded.created_at, updated_at = excluded.updated_at`,
        [p.tenant, p.id, document, p.createdAt, p.updatedAt],
      );
    },
    getProfile: async (tenant, id) => {
      const [r] = await rows<ProfileRow>(
        pool,
        `SELECT ${PROFILE} FROM device_profiles WHERE tenant = $1 AND id = $2`,
        [tenant, id],
      );
      return r && toProfile(r);
    },
    listProfiles: async (tenant) =>
      (
        await rows<ProfileRow>(pool, `SELECT ${PROFILE} FROM device_profiles WHERE tenant = $1 ORDER BY id`, [
          tenant,
        ])
      ).map(toProfile),
    deleteProfile: async (tenant, id) => {
      try {
        const r = await run(pool, 'DELETE FROM device_profiles WHERE tenant = $1 AND id = $2', [tenant, id]);
        return (r.rowCount ?? 0) > 0;
      } catch (e) {
        if (sqlState(e) === FOREIGN_KEY_VIOLATION) throw await inUse(tenant, id, e);
        throw e;
      }
    },
  };
}
