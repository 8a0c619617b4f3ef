/**
 * Integration: the whole store conformance suite (src/store/conformance, the one SQLite passes in
 * `npm test`) against the PostgreSQL store — PostgresStore as `urbis serve --store` opens it — on a
 * fresh database with PostGIS. Each test gets an empty store: every table is emptied (TRUNCATE …
 * RESTART IDENTITY CASCADE) except the migrations' own and the interned terms (never deleted, as in
 * production), and the default tenant is put back.
 */
import pg from 'pg';
import { describeGovernanceShared, describeStoreConformance } from '../../src/store/conformance/index.js';
import type { Store } from '../../src/store/port.js';
import { openPostgresStore } from '../../src/store/postgres/index.js';
import { freshDatabase } from './postgres-database.js';

const URL_OF_RUN = freshDatabase('urbis_it_conformance');

/** Every table of the Urbis schema but schema_version and terms. */
async function emptyAll(): Promise<void> {
  const client = new pg.Client({ connectionString: URL_OF_RUN });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT quote_ident(tablename) AS name FROM pg_tables
       WHERE schemaname = current_schema() AND tablename NOT IN ('schema_version', 'terms', 'spatial_ref_sys')`,
    );
    await client.query(`TRUNCATE ${rows.map((r) => r.name).join(', ')} RESTART IDENTITY CASCADE`);
    await client.query("INSERT INTO tenants (name) VALUES ('') ON CONFLICT DO NOTHING");
  } finally {
    await client.end();
  }
}

async function makeStore(): Promise<Store> {
  await emptyAll();
  const store = openPostgresStore({ url: URL_OF_RUN, poolSize: 4, applicationName: 'urbis-it' });
  await store.migrate();
  return store;
}

describeStoreConformance('postgres', makeStore);
describeGovernanceShared(async () => {
  await emptyAll();
  const one = openPostgresStore({ url: URL_OF_RUN, poolSize: 2, applicationName: 'urbis-it-a' });
  const two = openPostgresStore({ url: URL_OF_RUN, poolSize: 2, applicationName: 'urbis-it-b' });
  return [one, two];
});
