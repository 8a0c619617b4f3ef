/**
 * IoT Agent service groups in PostgreSQL (table `iota_groups`, migration 0001). The apikey hash is
 * the primary key, so "this apikey is taken" is the key's own check across tenants — race-free
 * between replicas. Creating several groups is one transaction: all of them or none.
 */
import type pg from 'pg';
import { alreadyExists } from '../../../core/errors.js';
import type { IotaGroupRecord, IotaRepository, ServicePathFilter } from '../../iota-port.js';
import { rows, run, transaction } from '../sql.js';
import { bound, json } from '../values.js';

interface GroupRow {
  apikey_hash: string;
  apikey_prefix: string;
  tenant: string;
  service_path: string;
  resource: string;
  profile_id: string | null;
  document: unknown;
  created_at: string;
  updated_at: string;
}

const COLUMNS =
  'apikey_hash, apikey_prefix, tenant, service_path, resource, profile_id, document, created_at, updated_at';

const toGroup = (r: GroupRow): IotaGroupRecord => ({
  apikeyHash: r.apikey_hash,
  apikeyPrefix: r.apikey_prefix,
  tenant: r.tenant,
  servicePath: r.service_path,
  resource: r.resource,
  ...(r.profile_id !== null ? { profileId: r.profile_id } : {}),
  document: r.document,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

type GroupMethods = Pick<
  IotaRepository,
  'createGroups' | 'replaceGroup' | 'groupByKey' | 'listGroups' | 'deleteGroup'
>;

/** The group methods of the IoT Agent repository over the pool. */
export function postgresIotaGroups(pool: pg.Pool): GroupMethods {
  return {
    createGroups: async (groups) => {
      if (groups.length === 0) return;
      await transaction(pool, async (db) => {
        for (const g of groups) {
          // DO NOTHING rather than the constraint's error: the message is ours and names no tenant,
          // and a key given twice in the request is caught the same way.
          const r = await run(
            db,
            `INSERT INTO iota_groups (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7::json, $8, $9)
             ON CONFLICT (apikey_hash) DO NOTHING`,
            [
              g.apikeyHash,
              g.apikeyPrefix,
              g.tenant,
              g.servicePath,
              g.resource,
              g.profileId ?? null,
              JSON.stringify(g.document) ?? 'null',
              g.createdAt,
              g.updatedAt,
            ],
          );
          if ((r.rowCount ?? 0) === 0)
            throw alreadyExists(`a service group with apikey ${g.apikeyPrefix}… already exists`);
        }
      });
    },
    replaceGroup: async (g) =>
      ((
        await run(
          pool,
          `UPDATE iota_groups SET resource = $1, apikey_prefix = $2, profile_id = $3, document = $4::json,
             updated_at = $5 WHERE apikey_hash = $6 AND tenant = $7 AND service_path = $8`,
          [
            g.resource,
            g.apikeyPrefix,
            g.profileId ?? null,
            json('document', g.document ?? null),
            g.updatedAt,
            g.apikeyHash,
            g.tenant,
            g.servicePath,
          ],
        )
      ).rowCount ?? 0) > 0,
    groupByKey: async (hash) => {
      const [r] = await rows<GroupRow>(pool, `SELECT ${COLUMNS} FROM iota_groups WHERE apikey_hash = $1`, [
        hash,
      ]);
      return r && toGroup(r);
    },
    listGroups: async (tenant, where: ServicePathFilter, limit, offset) => {
      const l = bound('limit', limit);
      const o = bound('offset', offset);
      const all = 'all' in where;
      const filter = all ? 'tenant = $1' : 'tenant = $1 AND service_path = $2';
      const scope = all ? [tenant] : [tenant, where.servicePath];
      const n = scope.length;
      const page = await rows<GroupRow & { total: number }>(
        pool,
        `SELECT ${COLUMNS}, count(*) OVER ()::int AS total FROM iota_groups WHERE ${filter}
         ORDER BY service_path, created_at, apikey_hash LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...scope, l, o],
      );
      const count =
        page[0]?.total ??
        (
          await rows<{ n: number }>(pool, `SELECT count(*)::int AS n FROM iota_groups WHERE ${filter}`, scope)
        )[0]?.n ??
        0;
      return { items: page.map(toGroup), count };
    },
    deleteGroup: async (tenant, servicePath, hash) =>
      ((
        await run(
          pool,
          'DELETE FROM iota_groups WHERE tenant = $1 AND service_path = $2 AND apikey_hash = $3',
          [tenant, servicePath, hash],
        )
      ).rowCount ?? 0) > 0,
  };
}
