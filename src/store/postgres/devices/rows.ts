/**
 * Devices in PostgreSQL (table `devices`, migration 0001). A device's profile must exist in its
 * tenant: the adapter reads the profiles a call needs `FOR KEY SHARE` (so none can be deleted before
 * the call commits) to name the unknown ones row by row, and the foreign key stays the last word.
 * Bulk provisioning is one transaction and one INSERT … SELECT FROM unnest(…) for all rows that can
 * be written (not one round trip per device); each row fails alone with its reason. Deleting a device
 * deletes its credentials and state through ON DELETE CASCADE.
 */
import type pg from 'pg';
import { NgsiError } from '../../../core/errors.js';
import type { DeviceRecord, DeviceRepository } from '../../devices-port.js';
import { rows, run, transaction, type Sql } from '../sql.js';
import { bound, withPresent } from '../values.js';

interface DeviceRow {
  tenant: string;
  id: string;
  profile_id: string;
  entity_id: string;
  device_entity_id: string;
  description: string | null;
  disabled: boolean;
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
      disabled: r.disabled,
      createdAt: r.created_at,
    },
    { description: r.description },
  );

const unknownProfile = (d: DeviceRecord): string =>
  `device ${JSON.stringify(d.id)}: unknown device profile ${JSON.stringify(d.profileId)}`;

/** A key of (tenant, id) pairs that cannot collide whatever characters the parts hold. */
const key = (tenant: string, id: string): string => JSON.stringify([tenant, id]);

/** Which of the (tenant, profile) pairs exist, locked against deletion until the transaction ends. */
async function lockProfiles(db: Sql, devices: DeviceRecord[]): Promise<Set<string>> {
  const pairs = new Map(devices.map((d) => [key(d.tenant, d.profileId), d]));
  const tenants = [...pairs.values()].map((d) => d.tenant);
  const ids = [...pairs.values()].map((d) => d.profileId);
  const found = await rows<{ tenant: string; id: string }>(
    db,
    `SELECT p.tenant, p.id FROM device_profiles p
       JOIN unnest($1::text[], $2::text[]) AS want (tenant, id) ON p.tenant = want.tenant AND p.id = want.id
     ORDER BY p.tenant, p.id FOR KEY SHARE OF p`,
    [tenants, ids],
  );
  return new Set(found.map((r) => key(r.tenant, r.id)));
}

/** The device row methods of the device repository over the pool. */
export function postgresDeviceRows(
  pool: pg.Pool,
): Pick<DeviceRepository, 'createDevices' | 'putDevice' | 'getDevice' | 'listDevices' | 'deleteDevice'> {
  async function create(db: Sql, devices: DeviceRecord[]): Promise<CreateResult[]> {
    const profiles = await lockProfiles(db, devices);
    // Only the first of a device given twice is written; the later ones fail as already existing.
    const first = new Map<string, DeviceRecord>();
    for (const d of devices) {
      const k = key(d.tenant, d.id);
      if (profiles.has(key(d.tenant, d.profileId)) && !first.has(k)) first.set(k, d);
    }
    const batch = [...first.values()];
    const column = <T>(f: (d: DeviceRecord) => T): T[] => batch.map(f);
    const inserted = await rows<{ tenant: string; id: string }>(
      db,
      `INSERT INTO devices (${DEVICE})
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
         $7::boolean[], $8::text[])
       ON CONFLICT (tenant, id) DO NOTHING RETURNING tenant, id`,
      [
        column((d) => d.tenant),
        column((d) => d.id),
        column((d) => d.profileId),
        column((d) => d.entityId),
        column((d) => d.deviceEntityId),
        column((d) => d.description ?? null),
        column((d) => d.disabled),
        column((d) => d.createdAt),
      ],
    );
    const written = new Set(inserted.map((r) => key(r.tenant, r.id)));
    return devices.map((d): CreateResult => {
      if (!profiles.has(key(d.tenant, d.profileId))) return { id: d.id, ok: false, error: unknownProfile(d) };
      const k = key(d.tenant, d.id);
      if (first.get(k) === d && written.has(k)) return { id: d.id, ok: true };
      return { id: d.id, ok: false, error: `device ${JSON.stringify(d.id)} already exists` };
    });
  }

  async function put(db: Sql, d: DeviceRecord): Promise<void> {
    if ((await lockProfiles(db, [d])).size === 0) throw new NgsiError('BadRequestData', unknownProfile(d));
    await run(
      db,
      `INSERT INTO devices (${DEVICE}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (tenant, id) DO UPDATE SET profile_id = excluded.profile_id,
         entity_id = excluded.entity_id, device_entity_id = excluded.device_entity_id,
         description = excluded.description, disabled = excluded.disabled, created_at = excluded.created_at`,
      [
        d.tenant,
        d.id,
        d.profileId,
        d.entityId,
        d.deviceEntityId,
        d.description ?? null,
        d.disabled,
        d.createdAt,
      ],
    );
  }

  return {
    createDevices: async (devices) =>
      devices.length === 0 ? [] : transaction(pool, (db) => create(db, devices)),
    putDevice: async (device) => transaction(pool, (db) => put(db, device)),
    getDevice: async (tenant, id) => {
      const [r] = await rows<DeviceRow>(pool, `SELECT ${DEVICE} FROM devices WHERE tenant = $1 AND id = $2`, [
        tenant,
        id,
      ]);
      return r && toDevice(r);
    },
    listDevices: async (tenant, limit, offset) => {
      const l = bound('limit', limit);
      const o = bound('offset', offset);
      // Page and total in one statement (one snapshot, so they agree); a page past the end is counted apart.
      const page = await rows<DeviceRow & { total: number }>(
        pool,
        `SELECT ${DEVICE}, count(*) OVER ()::int AS total FROM devices WHERE tenant = $1
         ORDER BY id LIMIT $2 OFFSET $3`,
        [tenant, l, o],
      );
      const count =
        page[0]?.total ??
        (
          await rows<{ n: number }>(pool, 'SELECT count(*)::int AS n FROM devices WHERE tenant = $1', [
            tenant,
          ])
        )[0]?.n ??
        0;
      return { items: page.map(toDevice), count };
    },
    deleteDevice: async (tenant, id) => {
      const r = await run(pool, 'DELETE FROM devices WHERE tenant = $1 AND id = $2', [tenant, id]);
      return (r.rowCount ?? 0) > 0;
    },
  };
}
