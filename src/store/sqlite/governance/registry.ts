/**
 * The data-governance registry in SQLite (table `registry`, migration 0006): one document per
 * (tenant, entity type), replaced whole. What the document says is src/governance/privacy's.
 */
import type Database from 'better-sqlite3';
import type { RegistryRecord, RegistryRepository } from '../../governance-port.js';

interface Row {
  tenant: string;
  type: string;
  document: string;
  updated_at: string;
  updated_by: string;
}

const COLUMNS = 'tenant, type, document, updated_at, updated_by';

const toRecord = (r: Row): RegistryRecord => ({
  tenant: r.tenant,
  type: r.type,
  document: JSON.parse(r.document) as unknown,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

/** The registry repository over one connection. */
export function sqliteRegistry(db: Database.Database): RegistryRepository {
  const s = {
    put: db.prepare(
      `INSERT INTO registry (${COLUMNS}) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (tenant, type) DO UPDATE SET document = excluded.document,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ),
    get: db.prepare<[string, string], Row>(`SELECT ${COLUMNS} FROM registry WHERE tenant = ? AND type = ?`),
    list: db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM registry WHERE tenant = ? ORDER BY type`),
    delete: db.prepare<[string, string]>('DELETE FROM registry WHERE tenant = ? AND type = ?'),
  };
  return {
    put: async (r) => {
      s.put.run(r.tenant, r.type, JSON.stringify(r.document ?? null), r.updatedAt, r.updatedBy);
    },
    get: async (tenant, type) => {
      const r = s.get.get(tenant, type);
      return r && toRecord(r);
    },
    list: async (tenant) => s.list.all(tenant).map(toRecord),
    delete: async (tenant, type) => s.delete.run(tenant, type).changes > 0,
  };
}
