/**
 * Versioned policy documents in SQLite (table `policies`, migration 0006). The next version number
 * is read and written in one IMMEDIATE transaction: two processes sharing the file cannot both
 * take the same number, and since versions are never deleted, max + 1 is never a reused one.
 */
import type Database from 'better-sqlite3';
import type { PolicyRepository, StoredPolicy } from '../../governance-port.js';

interface Row {
  tenant: string;
  version: number;
  document: string;
  created_at: string;
  created_by: string;
}

type Meta = Omit<Row, 'document'>;

const META = 'tenant, version, created_at, created_by';

const toMeta = (r: Meta): Omit<StoredPolicy, 'document'> => ({
  tenant: r.tenant,
  version: r.version,
  createdAt: r.created_at,
  createdBy: r.created_by,
});

const toPolicy = (r: Row): StoredPolicy => ({ ...toMeta(r), document: JSON.parse(r.document) as unknown });

/** The policy repository over one connection. */
export function sqlitePolicies(db: Database.Database): PolicyRepository {
  const s = {
    last: db.prepare<[string], { v: number | null }>(
      'SELECT max(version) AS v FROM policies WHERE tenant = ?',
    ),
    insert: db.prepare(
      'INSERT INTO policies (tenant, version, document, created_at, created_by) VALUES (?, ?, ?, ?, ?)',
    ),
    current: db.prepare<[string], Row>(
      `SELECT ${META}, document FROM policies WHERE tenant = ? ORDER BY version DESC LIMIT 1`,
    ),
    get: db.prepare<[string, number], Row>(
      `SELECT ${META}, document FROM policies WHERE tenant = ? AND version = ?`,
    ),
    versions: db.prepare<[string], Meta>(
      `SELECT ${META} FROM policies WHERE tenant = ? ORDER BY version DESC`,
    ),
    tenants: db.prepare<[], { tenant: string }>('SELECT DISTINCT tenant FROM policies ORDER BY tenant'),
  };
  const put = db.transaction((tenant: string, document: string, by: string, at: string): number => {
    const version = (s.last.get(tenant)?.v ?? 0) + 1;
    s.insert.run(tenant, version, document, at, by);
    return version;
  });
  return {
    put: async (tenant, document, by, at) => {
      // JSON text of the document as given; an absent document is kept as null, read back as null.
      const text = JSON.stringify(document ?? null);
      const version = put.immediate(tenant, text, by, at);
      return { tenant, version, document: JSON.parse(text) as unknown, createdAt: at, createdBy: by };
    },
    current: async (tenant) => {
      const r = s.current.get(tenant);
      return r && toPolicy(r);
    },
    get: async (tenant, version) => {
      const r = s.get.get(tenant, version);
      return r && toPolicy(r);
    },
    versions: async (tenant) => s.versions.all(tenant).map(toMeta),
    tenants: async () => s.tenants.all().map((r) => r.tenant),
  };
}
