/**
 * The data-governance registry in PostgreSQL (table `registry`, migration 0002): one `json`
 * document per (tenant, entity type), replaced whole by an upsert. What the document says is
 * src/governance/privacy's.
 */
import type pg from 'pg';
import type { RegistryRecord, RegistryRepository } from '../../governance-port.js';
import { rows, run } from '../sql.js';

interface Row {
  tenant: string;
  type: string;
  document: unknown;
  updated_at: string;
  updated_by: string;
}

const COLUMNS = 'tenant, type, document, updated_at, updated_by';

const toRecord = (r: Row): RegistryRecord => ({
  tenant: r.tenant,
  type: r.type,
  document: r.document,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

/** The registry repository over `pool`. */
export function postgresRegistry(pool: pg.Pool): RegistryRepository {
  return {
    put: async (r) => {
      // An absent document is kept as null, as SQLite does.
      await run(
        pool,
        `INSERT INTO registry (${COLUMNS}) VALUES ($1, $2, $3::json, $4, $5)
         ON CONFLICT (tenant, type) DO UPDATE SET document = excluded.document,
           updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
        [r.tenant, r.type, JSON.stringify(r.document ?? null), r.updatedAt, r.updatedBy],
      );
    },
    get: async (tenant, type) => {
      const [r] = await rows<Row>(pool, `SELECT ${COLUMNS} FROM registry WHERE tenant = $1 AND type = $2`, [
        tenant,
        type,
      ]);
      return r && toRecord(r);
    },
    list: async (tenant) =>
      (
        await rows<Row>(pool, `SELECT ${COLUMNS} FROM registry WHERE tenant = $1 ORDER BY type`, [tenant])
      ).map(toRecord),
    delete: async (tenant, type) =>
      ((await run(pool, 'DELETE FROM registry WHERE tenant = $1 AND type = $2', [tenant, type])).rowCount ??
        0) > 0,
  };
}
