/**
 * The PostgreSQL store's write path and readers assembled by hand, for integration tests that look at
 * one component (plans, partitions, the residual filter) below the Store port: the entity writer with
 * the history as its change sink, the query runner, and the temporal repository taking its entity
 * ids from the runner — as PostgresStore wires them.
 */
import type pg from 'pg';
import { PgEntityWriter } from '../../src/store/postgres/entities/entity-writer.js';
import { createPostgresPool } from '../../src/store/postgres/pool.js';
import { PgQueryRunner } from '../../src/store/postgres/query/query-runner.js';
import { Terms } from '../../src/store/postgres/terms.js';
import { PgTemporal } from '../../src/store/postgres/temporal/pg-temporal.js';

export interface StoreParts {
  pool: pg.Pool;
  termsPool: pg.Pool;
  writer: PgEntityWriter;
  runner: PgQueryRunner;
  temporal: PgTemporal;
  close(): Promise<void>;
}

/** Empties the entity and history tables and puts the default tenant back. */
export const TRUNCATE_ENTITIES_AND_HISTORY =
  'TRUNCATE entities, tenants, temporal_entities, temporal_types, temporal_series, temporal_instances CASCADE; ' +
  "INSERT INTO tenants (name) VALUES ('')";

/** The parts over the database at `url`; out-of-band failures of the history fail the test. */
export function openParts(url: string, applicationName = 'urbis-it'): StoreParts {
  const pool = createPostgresPool({ url, max: 6, applicationName });
  const termsPool = createPostgresPool({ url, max: 1, applicationName: `${applicationName}-terms` });
  const terms = new Terms(termsPool);
  const writer = new PgEntityWriter(pool, terms);
  const runner = new PgQueryRunner({ pool, terms, maxLimit: 1000 });
  const temporal = new PgTemporal({
    pool,
    terms,
    ids: (tenant, q) => runner.ids(tenant, q),
    onError: (e) => {
      throw e;
    },
  });
  writer.addSink(temporal);
  return {
    pool,
    termsPool,
    writer,
    runner,
    temporal,
    close: async () => {
      await temporal.settled();
      await pool.end();
      await termsPool.end();
    },
  };
}
