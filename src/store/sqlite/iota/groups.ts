/**
 * IoT Agent service groups in SQLite (table `iota_groups`, migration 0009). The apikey hash is the
 * primary key, so "this apikey is taken" is the primary key's own check, across tenants; creating
 * several groups is one IMMEDIATE transaction, so a request either provisions all of them or none.
 */
import type Database from 'better-sqlite3';
import { alreadyExists } from '../../../core/errors.js';
import type { IotaGroupRecord, IotaRepository, ServicePathFilter } from '../../iota-port.js';

interface GroupRow {
  apikey_hash: string;
  apikey_prefix: string;
  tenant: string;
  service_path: string;
  resource: string;
  profile_id: string | null;
  document: string;
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
  document: JSON.parse(r.document) as unknown,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

type Row = [string, string, string, string, string, string | null, string, string, string];

const row = (g: IotaGroupRecord): Row => [
  g.apikeyHash,
  g.apikeyPrefix,
  g.tenant,
  g.servicePath,
  g.resource,
  g.profileId ?? null,
  JSON.stringify(g.document) ?? 'null',
  g.createdAt,
  g.updatedAt,
];

type GroupMethods = Pick<
  IotaRepository,
  'createGroups' | 'replaceGroup' | 'groupByKey' | 'listGroups' | 'deleteGroup'
>;

/** The group methods of the IoT Agent repository over one connection. */
export function sqliteIotaGroups(db: Database.Database): GroupMethods {
  const s = {
    insert: db.prepare<Row>(`INSERT INTO iota_groups (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    exists: db.prepare<[string], { n: number }>('SELECT 1 AS n FROM iota_groups WHERE apikey_hash = ?'),
    replace: db.prepare<[string, string, string | null, string, string, string, string, string]>(
      `UPDATE iota_groups SET resource = ?, apikey_prefix = ?, profile_id = ?, document = ?, updated_at = ?
       WHERE apikey_hash = ? AND tenant = ? AND service_path = ?`,
    ),
    byKey: db.prepare<[string], GroupRow>(`SELECT ${COLUMNS} FROM iota_groups WHERE apikey_hash = ?`),
    pageAll: db.prepare<[string, number, number], GroupRow>(
      `SELECT ${COLUMNS} FROM iota_groups WHERE tenant = ?
       ORDER BY service_path, created_at, apikey_hash LIMIT ? OFFSET ?`,
    ),
    countAll: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM iota_groups WHERE tenant = ?'),
    pagePath: db.prepare<[string, string, number, number], GroupRow>(
      `SELECT ${COLUMNS} FROM iota_groups WHERE tenant = ? AND service_path = ?
       ORDER BY created_at, apikey_hash LIMIT ? OFFSET ?`,
    ),
    countPath: db.prepare<[string, string], { n: number }>(
      'SELECT count(*) AS n FROM iota_groups WHERE tenant = ? AND service_path = ?',
    ),
    delete: db.prepare<[string, string, string]>(
      'DELETE FROM iota_groups WHERE tenant = ? AND service_path = ? AND apikey_hash = ?',
    ),
  };
  const create = db.transaction((groups: IotaGroupRecord[]) => {
    for (const g of groups) {
      // Checked rather than caught from the constraint, so the message is ours and names no tenant.
      if (s.exists.get(g.apikeyHash) !== undefined)
        throw alreadyExists(`a service group with apikey ${g.apikeyPrefix}… already exists`);
      s.insert.run(...row(g));
    }
  });
  return {
    createGroups: async (groups) => create.immediate(groups),
    replaceGroup: async (g) =>
      s.replace.run(
        g.resource,
        g.apikeyPrefix,
        g.profileId ?? null,
        JSON.stringify(g.document) ?? 'null',
        g.updatedAt,
        g.apikeyHash,
        g.tenant,
        g.servicePath,
      ).changes > 0,
    groupByKey: async (hash) => {
      const r = s.byKey.get(hash);
      return r && toGroup(r);
    },
    listGroups: async (tenant, where: ServicePathFilter, limit, offset) => {
      if ('all' in where)
        return {
          items: s.pageAll.all(tenant, limit, offset).map(toGroup),
          count: s.countAll.get(tenant)?.n ?? 0,
        };
      return {
        items: s.pagePath.all(tenant, where.servicePath, limit, offset).map(toGroup),
        count: s.countPath.get(tenant, where.servicePath)?.n ?? 0,
      };
    },
    deleteGroup: async (tenant, servicePath, hash) => s.delete.run(tenant, servicePath, hash).changes > 0,
  };
}
