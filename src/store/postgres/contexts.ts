/**
 * The @context documents hosted or cached by the broker in PostgreSQL (table `contexts`, migration
 * 0001, shared by all tenants). Bodies are `json`, kept verbatim. A use is counted with one UPDATE
 * (`hits = hits + 1`), so concurrent uses on several replicas are all counted.
 */
import type pg from 'pg';
import type { Store, StoredContext } from '../port.js';
import { rows, run } from './sql.js';
import { json } from './values.js';

interface Row {
  id: string;
  url: string;
  kind: string;
  body: unknown;
  created_at: string;
  last_usage: string | null;
  hits: number;
}

const COLUMNS = 'id, url, kind, body, created_at, last_usage, hits';

const toContext = (r: Row): StoredContext => ({
  id: r.id,
  url: r.url,
  kind: r.kind === 'Cached' ? 'Cached' : 'Hosted',
  body: r.body,
  createdAt: r.created_at,
  ...(r.last_usage === null ? {} : { lastUsage: r.last_usage }),
  numberOfHits: r.hits,
});

/** The contexts repository over `pool`. */
export function postgresContexts(pool: pg.Pool): Store['contexts'] {
  return {
    put: async (c) => {
      await run(
        pool,
        `INSERT INTO contexts (${COLUMNS}) VALUES ($1, $2, $3, $4::json, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET url = excluded.url, kind = excluded.kind, body = excluded.body,
           created_at = excluded.created_at, last_usage = excluded.last_usage, hits = excluded.hits`,
        [c.id, c.url, c.kind, json('body', c.body), c.createdAt, c.lastUsage ?? null, c.numberOfHits],
      );
    },
    get: async (id) => {
      const [r] = await rows<Row>(pool, `SELECT ${COLUMNS} FROM contexts WHERE id = $1`, [id]);
      return r && toContext(r);
    },
    list: async () => (await rows<Row>(pool, `SELECT ${COLUMNS} FROM contexts ORDER BY id`)).map(toContext),
    delete: async (id) => ((await run(pool, 'DELETE FROM contexts WHERE id = $1', [id])).rowCount ?? 0) > 0,
    touch: async (id, at) => {
      await run(pool, 'UPDATE contexts SET last_usage = $1, hits = hits + 1 WHERE id = $2', [at, id]);
    },
  };
}
