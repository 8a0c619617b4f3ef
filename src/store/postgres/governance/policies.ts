/**
 * Versioned policy documents in PostgreSQL (tables `policy_heads` and `policies`, migration 0002).
 * The next version is taken and the document stored in ONE statement: an upsert on the tenant's
 * row in `policy_heads` (`last + 1`) feeding the INSERT. PostgreSQL's ON CONFLICT DO UPDATE locks
 * that row and re-reads its latest value, so two replicas putting at once get consecutive numbers,
 * never the same one, with no retry — and a number once taken is never given again.
 */
import type pg from 'pg';
import type { PolicyRepository, StoredPolicy } from '../../governance-port.js';
import { rows } from '../sql.js';
import { json } from '../values.js';

interface Row {
  tenant: string;
  version: number;
  document: unknown;
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

const toPolicy = (r: Row): StoredPolicy => ({ ...toMeta(r), document: r.document });

/** $1 tenant, $2 document (json text), $3 at, $4 by: the version it was stored as. */
export const PUT_POLICY_SQL = `WITH head AS (
    INSERT INTO policy_heads AS h (tenant, last) VALUES ($1, 1)
    ON CONFLICT (tenant) DO UPDATE SET last = h.last + 1
    RETURNING tenant, last
  )
  INSERT INTO policies (tenant, version, document, created_at, created_by)
  SELECT tenant, last, $2::json, $3, $4 FROM head
  RETURNING version`;

/** The policy repository over `pool`. */
export function postgresPolicies(pool: pg.Pool): PolicyRepository {
  return {
    put: async (tenant, document, by, at) => {
      // JSON text of the document as given; an absent document is kept as null, read back as null.
      const text = json('document', document ?? null);
      const [r] = await rows<{ version: number }>(pool, PUT_POLICY_SQL, [tenant, text, at, by]);
      if (!r) throw new Error('policy put returned no version');
      return {
        tenant,
        version: r.version,
        document: JSON.parse(text) as unknown,
        createdAt: at,
        createdBy: by,
      };
    },
    current: async (tenant) => {
      const [r] = await rows<Row>(
        pool,
        `SELECT ${META}, document FROM policies WHERE tenant = $1 ORDER BY version DESC LIMIT 1`,
        [tenant],
      );
      return r && toPolicy(r);
    },
    get: async (tenant, version) => {
      // A version that is not an int4 names no stored version (and would be a cast error otherwise).
      if (!Number.isSafeInteger(version) || version < 1 || version > 2_147_483_647) return undefined;
      const [r] = await rows<Row>(
        pool,
        `SELECT ${META}, document FROM policies WHERE tenant = $1 AND version = $2`,
        [tenant, version],
      );
      return r && toPolicy(r);
    },
    versions: async (tenant) =>
      (
        await rows<Meta>(pool, `SELECT ${META} FROM policies WHERE tenant = $1 ORDER BY version DESC`, [
          tenant,
        ])
      ).map(toMeta),
    // One row per tenant that ever had a policy (versions are never deleted).
    tenants: async () =>
      (await rows<{ tenant: string }>(pool, 'SELECT tenant FROM policy_heads ORDER BY tenant')).map(
        (r) => r.tenant,
      ),
  };
}
