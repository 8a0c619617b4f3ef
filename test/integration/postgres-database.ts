/**
 * A fresh PostgreSQL database for one integration test file: created and migrated before its tests
 * (named `<prefix>_<random>` on the server of URBIS_TEST_POSTGRES, default
 * postgres://postgres@127.0.0.1:5432/postgres), dropped after them even if a test left a session open.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import { runPostgresMigrations } from '../../src/store/postgres/migrate.js';
import { MIGRATIONS } from '../../src/store/postgres/migrations/index.js';
import { createPostgresPool } from '../../src/store/postgres/pool.js';

export const ADMIN_URL = process.env.URBIS_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Register the database's creation and removal; returns its URL. */
export function freshDatabase(prefix: string): string {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  let admin: pg.Client;
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const pool = createPostgresPool({ url: url.toString(), max: 2 });
    try {
      expect(await runPostgresMigrations(pool)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await pool.end();
    }
  });
  afterAll(async () => {
    // FORCE ends any session a failed test left open, so the database always goes.
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });
  return url.toString();
}
