/**
 * `--store postgres`: each suite runs its servers on a fresh PostgreSQL database (created on the
 * server of URBIS_BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432/postgres, dropped by the
 * cleanup), handed to every `urbis serve` the suite starts through URBIS_STORE.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const ADMIN_URL = process.env.URBIS_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Create the database and register its removal.
 * @param {import('./cleanup.js').Cleanup} cleanup
 * @returns {Promise<string>} its URL
 */
export async function benchDatabase(cleanup) {
  const name = `urbis_bench_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  cleanup.add(`drop database ${name}`, async () => {
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    try {
      // FORCE: a server killed by the time limit may still hold sessions.
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await c.end();
    }
  });
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
