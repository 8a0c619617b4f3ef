/**
 * Integration: what the PostgreSQL entity writer does when replicas write at once (row locks, the
 * retry of a call that lost an insert race) and the side rows it keeps (values, PostGIS geometry).
 * Its port behaviour is checked by the whole conformance suite (postgres-conformance.test.ts).
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { entity, prop, put } from '../../src/store/conformance/fixtures.js';
import { getEntity } from '../../src/store/postgres/entities/entity-reader.js';
import { PgEntityWriter } from '../../src/store/postgres/entities/entity-writer.js';
import { createPostgresPool } from '../../src/store/postgres/pool.js';
import { Terms } from '../../src/store/postgres/terms.js';
import { freshDatabase } from './postgres-database.js';

const URL_OF_RUN = freshDatabase('urbis_it_entities');

async function open(): Promise<{ pool: pg.Pool; termsPool: pg.Pool; writer: PgEntityWriter }> {
  const pool = createPostgresPool({ url: URL_OF_RUN, max: 6, applicationName: 'urbis-it' });
  const termsPool = createPostgresPool({ url: URL_OF_RUN, max: 1, applicationName: 'urbis-it-terms' });
  return { pool, termsPool, writer: new PgEntityWriter(pool, new Terms(termsPool)) };
}

describe('postgres entity writer across replicas', () => {
  it('serialises concurrent writers of one entity: no update is lost', async () => {
    const a = await open();
    const b = await open();
    try {
      await a.writer.mutate('urn:t:race', [put(entity('urn:c', 'Counter', { n: prop(0) }))]);
      const bump = (w: PgEntityWriter) =>
        w.mutate('urn:t:race', [
          {
            id: 'urn:c',
            decide: (cur) => {
              const e = cur!;
              const n = e.attrs['https://example.org/vocab/n']![0]!;
              n.value = (n.value as number) + 1;
              return { action: 'put', entity: e };
            },
          },
        ]);
      await Promise.all(Array.from({ length: 20 }, (_, i) => bump(i % 2 === 0 ? a.writer : b.writer)));
      const e = await getEntity(a.pool, 'urn:t:race', 'urn:c');
      expect(e?.attrs['https://example.org/vocab/n']?.[0]?.value).toBe(20);
    } finally {
      for (const x of [a, b]) {
        await x.pool.end();
        await x.termsPool.end();
      }
    }
  });

  it('creates an id once when two replicas create it at once; the loser sees the winner', async () => {
    const a = await open();
    const b = await open();
    try {
      const create = (w: PgEntityWriter, who: string) =>
        w.mutate('urn:t:create', [
          {
            id: 'urn:same',
            decide: (cur) =>
              cur
                ? { action: 'skip' }
                : { action: 'put', entity: entity('urn:same', 'T', { by: prop(who) }) },
          },
        ]);
      const [ra, rb] = await Promise.all([create(a.writer, 'a'), create(b.writer, 'b')]);
      const actions = [ra[0], rb[0]].map((r) => (r?.ok ? r.action : 'failed')).sort();
      expect(actions).toEqual(['put', 'skip']);
      const { rows } = await a.pool.query(
        "SELECT count(*)::int AS n FROM entities WHERE tenant = 'urn:t:create'",
      );
      expect(rows[0].n).toBe(1);
    } finally {
      for (const x of [a, b]) {
        await x.pool.end();
        await x.termsPool.end();
      }
    }
  });

  it('indexes values and geometry as side rows, replaced on update and removed on delete', async () => {
    const { pool, termsPool, writer } = await open();
    try {
      const at = (x: number) => ({ type: 'Point', coordinates: [x, 48.85, 35] });
      const mk = (level: number, x: number) =>
        entity('urn:bin', 'Bin', {
          level: prop(level),
          location: [{ type: 'GeoProperty', value: at(x) }],
        });
      await writer.mutate('urn:t:side', [put(mk(0.5, 2.35))]);
      await writer.mutate('urn:t:side', [put(mk(0.9, 2.36))]);
      const { rows: vals } = await pool.query(
        "SELECT v.num FROM attr_values v JOIN terms t ON t.id = v.p WHERE v.tenant = 'urn:t:side' AND t.iri LIKE '%level'",
      );
      expect(vals.map((r) => r.num)).toEqual([0.9]);
      const { rows: geo } = await pool.query(
        "SELECT ST_X(geom) AS x, ST_NDims(geom) AS dims FROM entity_geo WHERE tenant = 'urn:t:side'",
      );
      expect(geo).toEqual([{ x: 2.36, dims: 2 }]);
      await writer.mutate('urn:t:side', [{ id: 'urn:bin', decide: () => ({ action: 'delete' }) }]);
      const { rows: left } = await pool.query(
        "SELECT (SELECT count(*) FROM attr_values WHERE tenant = 'urn:t:side')::int + (SELECT count(*) FROM entity_geo WHERE tenant = 'urn:t:side')::int AS n",
      );
      expect(left[0].n).toBe(0);
    } finally {
      await pool.end();
      await termsPool.end();
    }
  });
});

describe('planner statistics after a load', () => {
  it('analyzes the entity and history tables once a load outgrew what the statistics saw', async () => {
    const { openPostgresStore } = await import('../../src/store/postgres/index.js');
    const store = openPostgresStore({ url: URL_OF_RUN, poolSize: 2 });
    const pool = createPostgresPool({ url: URL_OF_RUN, max: 1 });
    const lastAnalyze = async (table = 'attr_values'): Promise<string | null> =>
      (
        await pool.query<{ at: string | null }>(
          'SELECT last_analyze::text AS at FROM pg_stat_user_tables WHERE relname = $1',
          [table],
        )
      ).rows[0]?.at ?? null;
    try {
      await store.migrate();
      const before = await lastAnalyze();
      const historyBefore = await lastAnalyze('temporal_series');
      const batch = Array.from({ length: 1_200 }, (_, i) =>
        put(entity(`urn:load:${i}`, 'Bin', { level: prop(i) })),
      );
      await store.mutate('urn:t:analyze', batch);
      let after = await lastAnalyze();
      for (let i = 0; i < 50 && after === before; i++) {
        await new Promise((r) => setTimeout(r, 100));
        after = await lastAnalyze();
      }
      expect(after).not.toBe(before);
      expect(after).not.toBeNull();
      // 1,200 attribute instances went to history too.
      let history = await lastAnalyze('temporal_series');
      for (let i = 0; i < 50 && history === historyBefore; i++) {
        await new Promise((r) => setTimeout(r, 100));
        history = await lastAnalyze('temporal_series');
      }
      expect(history).not.toBe(historyBefore);
    } finally {
      await store.close();
      await pool.end();
    }
  });
});

describe('prepared statements of the write path', () => {
  it('prepares the writer’s statements once per connection and reuses them', async () => {
    // One connection: what the writer prepared is visible in that session's pg_prepared_statements.
    const pool = createPostgresPool({ url: URL_OF_RUN, max: 1 });
    const termsPool = createPostgresPool({ url: URL_OF_RUN, max: 1 });
    const writer = new PgEntityWriter(pool, new Terms(termsPool));
    try {
      for (let i = 0; i < 3; i++)
        await writer.mutate('urn:t:prep', [put(entity(`urn:prep:${i}`, 'Bin', { level: prop(i) }))]);
      const { rows } = await pool.query<{ statement: string }>(
        "SELECT statement FROM pg_prepared_statements WHERE name LIKE 'u%'",
      );
      const texts = rows.map((r) => r.statement);
      expect(texts.some((t) => t.includes('INSERT INTO entities'))).toBe(true);
      expect(texts.some((t) => t.includes('FOR UPDATE'))).toBe(true);
      // Three writes, each statement prepared once.
      expect(new Set(texts).size).toBe(texts.length);
    } finally {
      await pool.end();
      await termsPool.end();
    }
  });
});
