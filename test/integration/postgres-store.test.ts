/**
 * Integration: the PostgreSQL store's first part (issue #6) against the machine's PostgreSQL
 * (URBIS_TEST_POSTGRES, default postgres://postgres@127.0.0.1:5432/postgres). One fresh database per
 * run (`urbis_it_<random>`, dropped at the end), migrated; the conformance suites of devices,
 * commands, IoT Agent and contexts run against the PostgreSQL repositories; then the migrator's
 * contract (idempotent, checksum and unknown-version refusal, concurrent migrators) and the sweeps
 * shared by several replicas (`markOffline`, `expire` hand each due row to exactly one caller).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { NgsiError } from '../../src/core/errors.js';
import {
  describeCommands,
  describeContexts,
  describeDevices,
  describeIota,
} from '../../src/store/conformance/index.js';
import type { Store } from '../../src/store/port.js';
import { EXPIRE_SQL, QUEUED_DEVICES_SQL, postgresCommands } from '../../src/store/postgres/commands.js';
import { BY_TOKEN_SQL, BY_USERNAME_SQL } from '../../src/store/postgres/devices/credentials.js';
import { SWEEP_SQL } from '../../src/store/postgres/devices/state.js';
import { postgresContexts } from '../../src/store/postgres/contexts.js';
import { postgresDevices } from '../../src/store/postgres/devices.js';
import { postgresIota } from '../../src/store/postgres/iota.js';
import { runPostgresMigrations } from '../../src/store/postgres/migrate.js';
import { freshDatabase } from './postgres-database.js';
import { MIGRATIONS, type Migration } from '../../src/store/postgres/migrations/index.js';
import { checkPostgresUrl, createPostgresPool } from '../../src/store/postgres/pool.js';

const URL_OF_RUN = freshDatabase('urbis_it');

/** The tables of migration 0001, emptied before each conformance test ("a fresh, empty store"). */
const TABLES = [
  'device_profiles',
  'devices',
  'device_credentials',
  'device_state',
  'commands',
  'iota_groups',
  'iota_devices',
  'contexts',
];

/**
 * Test-only: an object with the four repositories built here and close(), cast to Store so the
 * conformance suites can take it. The suites used here touch nothing else; the full PostgresStore
 * (entities, temporal, subscriptions, governance) comes in a later step.
 */
async function makeStore(): Promise<Store> {
  const pool = createPostgresPool({ url: URL_OF_RUN, max: 4, applicationName: 'urbis-it' });
  await pool.query(`TRUNCATE ${TABLES.join(', ')} RESTART IDENTITY`);
  const partial = {
    devices: postgresDevices(pool),
    commands: postgresCommands(pool),
    iota: postgresIota(pool),
    contexts: postgresContexts(pool),
    close: () => pool.end(),
  };
  return partial as unknown as Store;
}

describe('postgres store: conformance', () => {
  describeDevices(makeStore);
  describeCommands(makeStore);
  describeIota(makeStore);
  describeContexts(makeStore);
});

describe('postgres pool', () => {
  it('refuses a URL that is not a PostgreSQL one, without echoing its password', () => {
    expect(() => checkPostgresUrl('mysql://u:secret@h/db')).toThrow(/postgres:\/\//);
    expect(() => checkPostgresUrl('not a url :secret')).toThrow(/not a valid URL/);
    expect(() => checkPostgresUrl('not a url :secret')).not.toThrow(/secret/);
    expect(() => createPostgresPool({ url: URL_OF_RUN, statementTimeoutMs: 0 })).toThrow(
      /statementTimeoutMs/,
    );
  });

  it('opens sessions with the application name and statement timeout asked for', async () => {
    const pool = createPostgresPool({
      url: URL_OF_RUN,
      applicationName: 'urbis-test',
      statementTimeoutMs: 250,
    });
    try {
      const { rows } = await pool.query<{ app: string; timeout: string }>(
        "SELECT current_setting('application_name') AS app, current_setting('statement_timeout') AS timeout",
      );
      expect(rows[0]).toEqual({ app: 'urbis-test', timeout: '250ms' });
      // The server cancels a statement running longer than the timeout.
      await expect(pool.query('SELECT pg_sleep(2)')).rejects.toMatchObject({ code: '57014' });
    } finally {
      await pool.end();
    }
  });
});

describe('postgres migrations', () => {
  /** A pool on a schema of its own in the run's database: an empty place to migrate. */
  async function freshSchema(): Promise<{
    url: string;
    pools: pg.Pool[];
    pool: () => pg.Pool;
    end: () => Promise<void>;
  }> {
    const schema = `m_${randomBytes(4).toString('hex')}`;
    const setup = createPostgresPool({ url: URL_OF_RUN, max: 1 });
    await setup.query(`CREATE SCHEMA ${schema}`);
    await setup.end();
    const u = new URL(URL_OF_RUN);
    // public stays on the path: extensions (PostGIS's geometry type) live there, once per database.
    u.searchParams.set('options', `-c search_path=${schema},public`);
    const pools: pg.Pool[] = [];
    return {
      url: u.toString(),
      pools,
      pool: () => {
        const p = createPostgresPool({ url: u.toString(), max: 2 });
        pools.push(p);
        return p;
      },
      end: async () => {
        await Promise.all(pools.map((p) => p.end()));
      },
    };
  }

  const extra = (version: number, sql: string): Migration => ({ version, name: `test-${version}`, sql });
  /** The first version after the real migrations: test migrations are numbered from there. */
  const v = MIGRATIONS.length + 1;
  const real = MIGRATIONS.map((m) => m.version);

  it('applies each migration once, in order, with its checksum; a second run applies nothing', async () => {
    const place = await freshSchema();
    try {
      const pool = place.pool();
      const list = [
        ...MIGRATIONS,
        extra(v, 'CREATE TABLE t2 (x int)'),
        extra(v + 1, 'ALTER TABLE t2 ADD y int'),
      ];
      expect(await runPostgresMigrations(pool, list)).toEqual([...real, v, v + 1]);
      expect(await runPostgresMigrations(pool, list)).toEqual([]);
      const { rows } = await pool.query<{ version: number; checksum: string }>(
        'SELECT version, checksum FROM schema_version ORDER BY version',
      );
      expect(rows.map((r) => r.version)).toEqual([...real, v, v + 1]);
      for (const r of rows) expect(r.checksum).toMatch(/^[0-9a-f]{64}$/);
      // A new migration appended later is applied alone.
      expect(
        await runPostgresMigrations(pool, [...list, extra(v + 2, 'CREATE INDEX t2_y ON t2 (y)')]),
      ).toEqual([v + 2]);
    } finally {
      await place.end();
    }
  });

  it('refuses an edited or unknown applied migration, and rolls back a failing one whole', async () => {
    const place = await freshSchema();
    try {
      const pool = place.pool();
      const list = [...MIGRATIONS, extra(v, 'CREATE TABLE t2 (x int)')];
      await runPostgresMigrations(pool, list);
      const edited = [...MIGRATIONS, extra(v, 'CREATE TABLE t2 (x bigint)')];
      const e = await runPostgresMigrations(pool, edited).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(NgsiError);
      expect((e as NgsiError).message).toContain(`migration ${v} (test-${v}) was edited`);
      const unknown = await runPostgresMigrations(pool, MIGRATIONS).catch((err: unknown) => err);
      expect((unknown as NgsiError).message).toContain(
        `migration ${v} (test-${v}) that this version does not know`,
      );
      // A migration that fails leaves neither its tables nor its row.
      const broken = [...list, extra(v + 1, 'CREATE TABLE t3 (x int); SELECT no_such_function()')];
      await expect(runPostgresMigrations(pool, broken)).rejects.toMatchObject({ code: '42883' });
      const { rows } = await pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 't3' AND table_schema = current_schema()",
      );
      expect(rows[0]?.n).toBe(0);
      expect((await pool.query('SELECT version FROM schema_version')).rowCount).toBe(v);
    } finally {
      await place.end();
    }
  });

  it('lets two replicas migrate at once: every migration is applied exactly once', async () => {
    const place = await freshSchema();
    try {
      // A slow migration keeps the first replica inside the lock while the second arrives.
      const list = [
        ...MIGRATIONS,
        extra(v, 'SELECT pg_sleep(0.3); CREATE TABLE t2 (x int)'),
        extra(v + 1, 'CREATE TABLE t3 (x int)'),
      ];
      const byNumber = (x: number, y: number): number => x - y;
      const [a, b] = await Promise.all([
        runPostgresMigrations(place.pool(), list),
        runPostgresMigrations(place.pool(), list),
      ]);
      expect([...(a ?? []), ...(b ?? [])].sort(byNumber)).toEqual([...real, v, v + 1]);
      const { rows } = await place.pool().query<{ version: number }>('SELECT version FROM schema_version');
      expect(rows.map((r) => r.version).sort(byNumber)).toEqual([...real, v, v + 1]);
    } finally {
      await place.end();
    }
  });
});

describe('postgres sweeps shared by replicas', () => {
  const T0 = Date.parse('2026-01-01T00:00:00.000Z');
  const at = (s: number): string => new Date(T0 + s * 1000).toISOString();

  it('markOffline from concurrent callers never hands the same device to two of them', async () => {
    const store = await makeStore();
    const replicas = Array.from({ length: 4 }, () => createPostgresPool({ url: URL_OF_RUN, max: 2 }));
    try {
      const dev = store.devices;
      await dev.putProfile({ tenant: 'city-a', id: 'p', document: {}, createdAt: at(0), updatedAt: at(0) });
      const ids = Array.from({ length: 600 }, (_, i) => `d${String(i).padStart(4, '0')}`);
      const created = await dev.createDevices(
        ids.map((id) => ({
          tenant: 'city-a',
          id,
          profileId: 'p',
          entityId: `urn:e:${id}`,
          deviceEntityId: `urn:d:${id}`,
          disabled: false,
          createdAt: at(0),
        })),
      );
      expect(created.every((r) => r.ok)).toBe(true);
      await dev.recordSeen(
        ids.map((id, i) => ({ tenant: 'city-a', deviceId: id, at: at(0), offlineAt: at(i % 50) })),
      );
      // Four replicas sweep in small batches until nothing is due; each keeps what it was handed.
      const sweeps = replicas.map(async (pool) => {
        const mine: string[] = [];
        const repo = postgresDevices(pool);
        for (;;) {
          const got = await repo.markOffline(at(100), 7);
          if (got.length === 0) return mine;
          mine.push(...got.map((g) => g.deviceId));
        }
      });
      const handed = (await Promise.all(sweeps)).flat();
      expect(handed).toHaveLength(ids.length);
      expect(new Set(handed).size).toBe(ids.length);
      expect((await dev.getState('city-a', 'd0001'))?.online).toBe(false);
    } finally {
      await Promise.all(replicas.map((p) => p.end()));
      await store.close();
    }
  });

  it('recordSeen from concurrent replicas reports each comeback once and never deadlocks', async () => {
    const store = await makeStore();
    const replicas = Array.from({ length: 3 }, () => createPostgresPool({ url: URL_OF_RUN, max: 2 }));
    try {
      const dev = store.devices;
      await dev.putProfile({ tenant: 'city-a', id: 'p', document: {}, createdAt: at(0), updatedAt: at(0) });
      const ids = Array.from({ length: 200 }, (_, i) => `d${String(i).padStart(4, '0')}`);
      await dev.createDevices(
        ids.map((id) => ({
          tenant: 'city-a',
          id,
          profileId: 'p',
          entityId: `urn:e:${id}`,
          deviceEntityId: `urn:d:${id}`,
          disabled: false,
          createdAt: at(0),
        })),
      );
      // Seen once, then all gone offline: the next sighting of each is a comeback.
      await dev.recordSeen(
        ids.map((id) => ({ tenant: 'city-a', deviceId: id, at: at(0), offlineAt: at(10) })),
      );
      expect(await dev.markOffline(at(20), 1000)).toHaveLength(ids.length);
      // Each replica gets every device, in its own order (reversed, rotated): same rows, other orders.
      const orders = [ids, [...ids].reverse(), [...ids.slice(100), ...ids.slice(0, 100)]];
      const reports = await Promise.all(
        replicas.map((pool, r) =>
          postgresDevices(pool).recordSeen(
            (orders[r] ?? ids).map((id) => ({
              tenant: 'city-a',
              deviceId: id,
              at: at(30),
              offlineAt: at(90),
            })),
          ),
        ),
      );
      const back = reports.flat().map((k) => k.deviceId);
      expect(back).toHaveLength(ids.length);
      expect(new Set(back).size).toBe(ids.length);
    } finally {
      await Promise.all(replicas.map((p) => p.end()));
      await store.close();
    }
  });

  it('sweeps through their partial indexes', async () => {
    const pool = createPostgresPool({ url: URL_OF_RUN, max: 1 });
    try {
      const client = await pool.connect();
      try {
        // Tables this small would be scanned whole: forbid that, to see that the index can serve.
        await client.query('SET enable_seqscan = off');
        const plan = async (sql: string, params: unknown[]): Promise<string> =>
          JSON.stringify((await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, params)).rows);
        expect(await plan(SWEEP_SQL, [at(0), 10])).toContain('device_state_offline');
        expect(await plan(EXPIRE_SQL, [at(0), 10, at(0)])).toContain('commands_expiry');
        expect(await plan(QUEUED_DEVICES_SQL, ['', '', 10])).toContain('commands_queued');
        expect(await plan(BY_TOKEN_SQL, ['x'])).toContain('device_credentials_token');
        expect(await plan(BY_USERNAME_SQL, ['t', 'u'])).toContain('device_credentials_username');
      } finally {
        client.release();
      }
    } finally {
      await pool.end();
    }
  });

  it('expire from concurrent callers expires and returns each due command once', async () => {
    const store = await makeStore();
    const replicas = Array.from({ length: 4 }, () => createPostgresPool({ url: URL_OF_RUN, max: 2 }));
    try {
      const n = 400;
      for (let i = 0; i < n; i++) {
        await store.commands.create({
          id: `cmd_${i}`,
          tenant: 'city-a',
          deviceId: `d${i % 9}`,
          name: 'setpoint',
          value: i,
          status: i % 2 ? 'QUEUED' : 'SENT',
          createdAt: at(0),
          updatedAt: at(0),
          expiresAt: at(i % 30),
          history: [{ status: 'QUEUED', at: at(0) }],
        });
      }
      const sweeps = replicas.map(async (pool) => {
        const mine: string[] = [];
        const repo = postgresCommands(pool);
        for (;;) {
          const got = await repo.expire(at(60), 9);
          if (got.length === 0) return mine;
          for (const c of got) {
            expect(c.status).toBe('EXPIRED');
            expect(c.history).toHaveLength(2);
          }
          mine.push(...got.map((c) => c.id));
        }
      });
      const handed = (await Promise.all(sweeps)).flat();
      expect(handed).toHaveLength(n);
      expect(new Set(handed).size).toBe(n);
      expect((await store.commands.get('city-a', 'cmd_7'))?.history.at(-1)).toEqual({
        status: 'EXPIRED',
        at: at(60),
      });
    } finally {
      await Promise.all(replicas.map((p) => p.end()));
      await store.close();
    }
  });

  it('refuses values PostgreSQL cannot hold with BadRequestData, not a server error', async () => {
    const store = await makeStore();
    try {
      await store.devices.putProfile({
        tenant: 'city-a',
        id: 'p',
        document: {},
        createdAt: at(0),
        updatedAt: at(0),
      });
      await expect(
        store.devices.putProfile({
          tenant: 'city-a',
          id: 'nul\u0000',
          document: {},
          createdAt: at(0),
          updatedAt: at(0),
        }),
      ).rejects.toMatchObject({ kind: 'BadRequestData' });
      await expect(store.devices.markOffline('+100000-01-01T00:00:00Z', 1)).rejects.toMatchObject({
        kind: 'BadRequestData',
      });
      // A NUL inside a JSON document is kept (json is stored verbatim).
      await store.contexts.put({
        id: 'c',
        url: 'http://x/c',
        kind: 'Hosted',
        body: { '@context': { a: 'x\u0000y' } },
        createdAt: at(0),
        numberOfHits: 0,
      });
      expect((await store.contexts.get('c'))?.body).toEqual({ '@context': { a: 'x\u0000y' } });
    } finally {
      await store.close();
    }
  });
});
