/**
 * Integration: the PostgreSQL temporal history (issue #6) against the machine's PostgreSQL — what is
 * PostgreSQL's own (the temporal conformance suites run on the whole store in
 * postgres-conformance.test.ts): monthly partitions (created ahead,
 * created out of band when a write lands in DEFAULT, by several replicas at once, dropped for
 * retention), the plans (series read through their time index, prunes that skip later months),
 * aggregation against a reference computed in JavaScript, concurrent writers and deleters leaving
 * no orphan instance, and bad input answered with BadRequestData.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stampNew } from '../../src/core/entity/operations.js';
import { NgsiError } from '../../src/core/errors.js';
import type { Attribute } from '../../src/core/model/entity.js';
import { entity, iri } from '../../src/store/conformance/fixtures.js';
import { create, HOUR, obs, sel, tq, update } from '../../src/store/conformance/temporal-fixtures.js';
import type { AggregateBucket, AggrMethod, Duration } from '../../src/core/temporal/model.js';
import type { Store, TemporalEntityQuery } from '../../src/store/port.js';
import { transaction } from '../../src/store/postgres/sql.js';
import { monthOf, monthPartition } from '../../src/store/postgres/temporal/partitions.js';
import { periodsCovering } from '../../src/store/shared/temporal/periods.js';
import { freshDatabase } from './postgres-database.js';
import { openParts, TRUNCATE_ENTITIES_AND_HISTORY, type StoreParts } from './postgres-parts.js';

const URL_OF_RUN = freshDatabase('urbis_it_temporal');

type Opened = StoreParts;

const open = (): Opened => openParts(URL_OF_RUN, 'urbis-it');

const TRUNCATE = TRUNCATE_ENTITIES_AND_HISTORY;

/** Every statement a pool runs while `capture` is on (text and values), to look at their plans. */
function capturing(pool: pg.Pool): { log: Array<[string, unknown[]]>; on(v: boolean): void } {
  const state = { log: [] as Array<[string, unknown[]]>, active: false };
  const patched = new WeakSet<object>();
  const wrap = <C extends { query: (...a: never[]) => unknown }>(c: C): C => {
    if (patched.has(c)) return c;
    patched.add(c);
    const query = c.query.bind(c) as (...args: unknown[]) => unknown;
    (c as unknown as { query: typeof query }).query = (...args: unknown[]) => {
      if (state.active && typeof args[0] === 'string') {
        state.log.push([args[0], Array.isArray(args[1]) ? (args[1] as unknown[]) : []]);
      }
      return query(...args);
    };
    return c;
  };
  // pool.query checks a client out with a callback; transactions with the promise form.
  type Callback = (err: Error | undefined, client?: pg.PoolClient, done?: unknown) => void;
  const connect = pool.connect.bind(pool) as (cb?: Callback) => Promise<pg.PoolClient> | void;
  (pool as unknown as { connect: typeof connect }).connect = (cb?: Callback) =>
    cb === undefined
      ? (connect() as Promise<pg.PoolClient>).then(wrap)
      : connect((err, client, done) => cb(err, client && wrap(client), done));
  return {
    log: state.log,
    on: (v) => {
      state.active = v;
      if (v) state.log.length = 0;
    },
  };
}

/** The plan of a captured statement (EXPLAIN without ANALYZE: nothing runs). */
async function plan(pool: pg.Pool, text: string, values: unknown[]): Promise<string> {
  const r = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (COSTS OFF) ${text}`, values);
  return r.rows.map((x) => x['QUERY PLAN']).join('\n');
}

const V = iri('v');
const at0 = new Date(Date.UTC(2026, 0, 1)).toISOString();
const minute = (d: number, h: number, m: number): string =>
  new Date(Date.UTC(2026, 0, d, h, m)).toISOString();

describe('postgres temporal: monthly partitions', () => {
  let o: Opened;
  beforeAll(async () => {
    o = open();
    await o.pool.query(TRUNCATE);
  });
  afterAll(async () => {
    await o.close();
  });

  it('creates the months around a date once, also when several replicas ask at once', async () => {
    const others = [open(), open()];
    try {
      const at = new Date(Date.UTC(2031, 6, 10));
      await Promise.all([o, ...others].map((x) => x.temporal.ensurePartitions(at)));
      const m = monthOf(at.getTime());
      const months = await o.temporal.partitionMonths();
      for (let k = m - 1; k <= m + 3; k++) expect(months.filter((x) => x === k)).toHaveLength(1);
      expect(months).not.toContain(m - 2);
      expect(months).not.toContain(m + 4);
      // Again: nothing to do, nothing fails.
      await others[0]!.temporal.ensurePartitions(at);
      expect(await o.temporal.partitionMonths()).toEqual(months);
    } finally {
      for (const x of others) await x.close();
    }
  });

  it('lands a write of a month without partition in DEFAULT, then moves it to its own month out of band', async () => {
    const when = new Date(Date.UTC(2033, 2, 5, 12, 0)).toISOString();
    const e = stampNew(entity('urn:p:1', 'Sensor', { v: obs(1, 0) }), when);
    // `record` inside a transaction, as the entity writer calls it; its after-commit work kept for later.
    const after = await transaction(o.pool, (db) =>
      o.temporal.record(db, [{ tenant: '', id: e.id, after: e, at: when }]),
    );
    const where = async () =>
      (
        await o.pool.query<{ part: string }>(
          'SELECT tableoid::regclass::text AS part FROM temporal_instances',
        )
      ).rows.map((r) => r.part);
    expect(await where()).toEqual(['temporal_instances_default']);
    const before = await o.temporal.repository.get('', 'urn:p:1', sel());
    expect(typeof after).toBe('function');
    (after as () => void)();
    await o.temporal.settled();
    expect(await where()).toEqual([monthPartition(monthOf(Date.parse(when))).name]);
    expect(await o.temporal.repository.get('', 'urn:p:1', sel())).toEqual(before);
    // A month that has its partition asks for nothing more.
    const again = await o.temporal.record(o.pool, []);
    expect(again).toBeUndefined();
  });

  it('keeps writing while a month is created: writers wait for it, none fails', async () => {
    // For each of four months without partition, fifty writers arriving over ~30 ms: the first
    // commits trigger the month's creation out of band while the others are routing their rows.
    for (const month of [6, 7, 8, 9]) {
      const when = new Date(Date.UTC(2035, month, 1, 8)).toISOString();
      const results = await Promise.all(
        Array.from({ length: 50 }, async (_, n) => {
          await new Promise((r) => setTimeout(r, (n % 10) * 3));
          return o.writer.mutate('urn:t:race', [
            create(entity(`urn:w:${month}:${n}`, 'Sensor', { v: obs(n, 0) }), when),
          ]);
        }),
      );
      expect(results.flat().every((r) => r.ok)).toBe(true);
    }
    await o.temporal.settled();
    const parts = await o.pool.query<{ part: string; n: number }>(
      `SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM temporal_instances
       WHERE modified_at >= '2035-07-01Z' AND modified_at < '2035-11-01Z' GROUP BY 1 ORDER BY 1`,
    );
    expect(parts.rows).toEqual(
      ['07', '08', '09', '10'].map((m) => ({ part: `temporal_instances_p2035_${m}`, n: 50 })),
    );
  });

  it('drops whole months for retention, keeping the months after the cutoff', async () => {
    await o.temporal.ensurePartitions(new Date(Date.UTC(1990, 1, 15))); // 1990-01 … 1990-05
    await o.pool.query(
      `INSERT INTO temporal_entities (tenant, id, types, created_at, modified_at) VALUES ('', 'urn:old', '{}', now(), now());
       INSERT INTO temporal_series (teid, attr, ds) SELECT teid, 'urn:a', '' FROM temporal_entities WHERE id = 'urn:old';
       INSERT INTO temporal_instances (sid, kind, created_at, modified_at, num)
         SELECT s.sid, 0, t, t, 1 FROM temporal_series s, unnest(ARRAY['1990-01-10Z', '1990-02-10Z', '1990-03-10Z']::timestamptz[]) AS t
         WHERE s.attr = 'urn:a'`,
    );
    const dropped = await o.temporal.dropMonthsBefore(new Date(Date.UTC(1990, 2, 1)));
    expect(dropped).toEqual(['temporal_instances_p1990_01', 'temporal_instances_p1990_02']);
    const left = await o.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM temporal_instances WHERE modified_at < '1991-01-01Z'",
    );
    expect(left.rows[0]!.n).toBe(1);
    const months = await o.temporal.partitionMonths();
    expect(months).toContain(1990 * 12 + 2);
    expect(months).not.toContain(1990 * 12 + 1);
  });
});

describe('postgres temporal: plans', () => {
  let o: Opened;
  let cap: ReturnType<typeof capturing>;
  beforeAll(async () => {
    o = open();
    cap = capturing(o.pool);
    await o.pool.query(TRUNCATE);
    await o.temporal.ensurePartitions(new Date(Date.UTC(2026, 0, 15)));
    // Three days of minutes of one attribute of 12 entities (one a Meter), in January 2026.
    const list = Array.from({ length: 3 * 1440 }, (_, k) => obs(k % 50, k)[0]!);
    for (let n = 1; n <= 12; n++) {
      const type = [iri(n === 1 ? 'Meter' : 'Sensor')];
      await o.temporal.repository.append('', { id: `urn:s:${n}`, type, attrs: { [V]: list } });
    }
    // Recorded when observed (the rows move from this month's partition into January's).
    await o.pool.query('UPDATE temporal_instances SET modified_at = observed_at, created_at = observed_at');
    await o.pool.query('VACUUM ANALYZE temporal_instances');
  });
  afterAll(async () => {
    await o.close();
  });
  const captured = async (f: () => Promise<unknown>, pattern: RegExp): Promise<string> => {
    cap.on(true);
    try {
      await f();
    } finally {
      cap.on(false);
    }
    const found = cap.log.find(([text]) => pattern.test(text));
    if (!found) throw new Error(`no statement matching ${pattern}`);
    return plan(o.pool, ...found);
  };

  it('reads a series in time order through its (series, time) index, month by month', async () => {
    const p = await captured(
      () => o.temporal.repository.query('', tq({ ids: ['urn:s:3'] }), sel({ lastN: 10 })),
      /CROSS JOIN LATERAL \(SELECT i\.iid/,
    );
    expect(p).toMatch(/Merge Append/);
    expect(p).toMatch(/Index Scan Backward using temporal_instances_p2026_01_sid_observed_at_num_idx/);
    expect(p).not.toMatch(/^\s*(->\s+)?(Incremental )?Sort$/m);
  });

  it('aggregates numbers from the covering index only', async () => {
    const p = await captured(
      () =>
        o.temporal.repository.aggregate('', tq({ ids: ['urn:s:3'] }), sel(), {
          methods: ['avg', 'min', 'max', 'sum', 'stddev'],
          period: { months: 0, ms: HOUR },
        }),
      /date_bin/,
    );
    expect(p).toMatch(/Index Only Scan using temporal_instances_p2026_01_sid_observed_at_num_idx/);
  });

  it('prunes through the (series, modified_at) index, in the months before the cutoff only', async () => {
    const p = await captured(
      () => o.temporal.repository.prune('', minute(2, 0, 0), { types: [iri('Meter')], dryRun: true }),
      /FROM temporal_instances WHERE sid = ANY/,
    );
    const months = [...p.matchAll(/temporal_instances_p(\d{4})_(\d{2})/g)].map((m) => `${m[1]}-${m[2]}`);
    expect(months).toContain('2026-01');
    expect(months.every((m) => m <= '2026-01')).toBe(true);
    expect(p).toMatch(/temporal_instances_p2026_01_sid_modified_at_num_idx/);
  });
});

/** A deterministic pseudo-random sequence (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('postgres temporal: aggregation against a reference', () => {
  let o: Opened;
  /** The instances written: [datasetId, observed ms, value]. */
  const written: Array<[string | undefined, number, unknown]> = [];
  beforeAll(async () => {
    o = open();
    await o.pool.query(TRUNCATE);
    const next = random(7);
    const list: Attribute[] = [];
    for (let k = 0; k < 1500; k++) {
      const ds = next() < 0.3 ? 'urn:ds:b' : undefined;
      const t = Date.UTC(2026, 0, 1) + Math.floor(next() * 90 * 86_400_000);
      const r = next();
      // Mostly numbers (some large with a small spread), some strings, a few JSON values.
      const value =
        r < 0.75
          ? Math.round(next() * 1000) / 10
          : r < 0.85
            ? 1e9 + next()
            : r < 0.97
              ? `s${Math.floor(next() * 30)}`
              : { k: 1 };
      written.push([ds, t, value]);
      const inst: Attribute = { type: 'Property', value, observedAt: new Date(t).toISOString() };
      if (ds) inst.datasetId = ds;
      list.push(inst);
    }
    await o.temporal.repository.append('', { id: 'urn:r:1', type: [iri('Sensor')], attrs: { [V]: list } });
  });
  afterAll(async () => {
    await o.close();
  });

  /** The buckets the SQLite store's semantics give, computed here over the instances written. */
  function reference(w: { from?: number; to?: number }, period: Duration | undefined, methods: AggrMethod[]) {
    const inWindow = written.filter(
      ([, t]) => (w.from === undefined || t >= w.from) && (w.to === undefined || t < w.to),
    );
    if (inWindow.length === 0) return [];
    const first = w.from ?? Math.min(...inWindow.map(([, t]) => t));
    const last = Math.max(...inWindow.map(([, t]) => t));
    const bounds: Array<[number, number]> =
      period === undefined || (period.months === 0 && period.ms === 0)
        ? [[first, w.to ?? last]]
        : periodsCovering(first, last, period, 1e6);
    const out: Array<{ datasetId?: string; buckets: AggregateBucket[] }> = [];
    for (const ds of [undefined, 'urn:ds:b']) {
      const buckets: AggregateBucket[] = [];
      bounds.forEach(([lo, hi], n) => {
        // The whole range's one bucket includes its end instant (the last instance).
        const whole =
          bounds.length === 1 && (period === undefined || (period.months === 0 && period.ms === 0));
        const vs = inWindow
          .filter(([d, t]) => d === ds && t >= lo && (t < hi || (whole && n === 0)))
          .map(([, , v]) => v);
        if (vs.length === 0) return;
        const nums = vs.filter((v): v is number => typeof v === 'number');
        const strs = vs.filter((v): v is string => typeof v === 'string');
        const mean = nums.reduce((a, b) => a + b, 0) / nums.length;
        const values: AggregateBucket['values'] = {};
        const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
        for (const m of methods) {
          if (m === 'totalCount') values.totalCount = vs.length;
          if (m === 'distinctCount')
            values.distinctCount = new Set(vs.map((v) => `${typeof v}:${JSON.stringify(v)}`)).size;
          if (m === 'sum') values.sum = nums.length ? nums.reduce((a, b) => a + b, 0) : null;
          if (m === 'avg') values.avg = nums.length ? mean : null;
          if (m === 'sumsq') values.sumsq = nums.length ? nums.reduce((a, b) => a + b * b, 0) : null;
          if (m === 'stddev')
            values.stddev = nums.length
              ? Math.sqrt(nums.reduce((a, b) => a + (b - mean) ** 2, 0) / nums.length)
              : null;
          if (m === 'min')
            values.min = nums.length ? Math.min(...nums) : strs.length ? [...strs].sort(cmpStr)[0]! : null;
          if (m === 'max')
            values.max = nums.length ? Math.max(...nums) : strs.length ? [...strs].sort(cmpStr).pop()! : null;
        }
        buckets.push({ start: new Date(lo).toISOString(), end: new Date(hi).toISOString(), values });
      });
      if (buckets.length > 0) out.push(ds ? { datasetId: ds, buckets } : { buckets });
    }
    return out;
  }

  const all: AggrMethod[] = ['totalCount', 'distinctCount', 'sum', 'avg', 'min', 'max', 'stddev', 'sumsq'];
  const cases: Array<[string, { from?: number; to?: number }, Duration | undefined]> = [
    ['the whole history', {}, undefined],
    ['7-minute periods', {}, { months: 0, ms: 7 * 60_000 }],
    [
      'days within a window',
      { from: Date.UTC(2026, 0, 20, 5), to: Date.UTC(2026, 1, 10) },
      { months: 0, ms: 86_400_000 },
    ],
    ['calendar months', {}, { months: 1, ms: 0 }],
    [
      'months and a day, after an instant',
      { from: Date.UTC(2026, 0, 31, 12) },
      { months: 1, ms: 86_400_000 },
    ],
    ['a zero period before an instant', { to: Date.UTC(2026, 1, 1) }, { months: 0, ms: 0 }],
  ];
  for (const [name, w, period] of cases) {
    it(`gives the reference's buckets: ${name}`, async () => {
      const time =
        w.from !== undefined && w.to !== undefined
          ? { timerel: 'between' as const, timeAt: w.from, endTimeAt: w.to }
          : w.from !== undefined
            ? { timerel: 'after' as const, timeAt: w.from }
            : w.to !== undefined
              ? { timerel: 'before' as const, timeAt: w.to }
              : undefined;
      const r = await o.temporal.repository.aggregate(
        '',
        tq(),
        sel(time ? { time } : {}),
        period ? { methods: all, period } : { methods: all },
      );
      const got = r.entities[0]!.attrs[V] ?? [];
      const want = reference(w, period, all);
      expect(got.map((a) => a.datasetId)).toEqual(want.map((a) => a.datasetId));
      got.forEach((a, n) => {
        const wb = want[n]!.buckets;
        expect(a.buckets.map((b) => [b.start, b.end])).toEqual(wb.map((b) => [b.start, b.end]));
        a.buckets.forEach((b, k) => {
          for (const m of all) {
            const x = b.values[m];
            const y = wb[k]!.values[m];
            // Sums of floats in another order: equal to a relative 1e-9.
            if (typeof y === 'number' && typeof x === 'number')
              expect(Math.abs(x - y), `${m} ${x} ${y}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(y)));
            else expect(x).toEqual(y);
          }
        });
      });
      expect(got.length).toBeGreaterThan(0);
    });
  }
});

describe('postgres temporal: replicas, edits and bad input', () => {
  let o: Opened;
  let store: Store;
  beforeAll(async () => {
    o = open();
    await o.pool.query(TRUNCATE);
    store = { mutate: o.writer.mutate.bind(o.writer), temporal: o.temporal.repository } as unknown as Store;
  });
  afterAll(async () => {
    await o.close();
  });
  const rejects = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
    } catch (e) {
      return e instanceof NgsiError ? e.kind : `not an NgsiError: ${String(e)}`;
    }
    return 'resolved';
  };

  it('leaves no instance outside a series when replicas write and delete one history at once', async () => {
    const b = open();
    try {
      await o.writer.mutate('urn:t:c', [
        create(entity('urn:c:1', 'Sensor', { v: obs(0, 0), w: obs(0, 0) }), minute(1, 0, 1)),
      ]);
      const work: Array<Promise<unknown>> = [];
      for (let n = 1; n <= 40; n++) {
        const x = n % 2 === 0 ? o : b;
        work.push(
          x.writer.mutate('urn:t:c', [update('urn:c:1', { v: obs(n, n), w: obs(n, n) }, minute(1, 1, n))]),
        );
        if (n % 7 === 0)
          work.push(x.temporal.repository.deleteAttribute('urn:t:c', 'urn:c:1', V, undefined, false));
        if (n % 13 === 0) work.push(x.temporal.repository.deleteEntity('urn:t:c', 'urn:c:1'));
      }
      const settled = await Promise.allSettled(work);
      expect(settled.filter((r) => r.status === 'rejected')).toEqual([]);
      const orphans = await o.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM temporal_instances i
         WHERE NOT EXISTS (SELECT 1 FROM temporal_series s WHERE s.sid = i.sid)`,
      );
      expect(orphans.rows[0]!.n).toBe(0);
      const lost = await o.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM temporal_series s
         WHERE NOT EXISTS (SELECT 1 FROM temporal_entities te WHERE te.teid = s.teid)`,
      );
      expect(lost.rows[0]!.n).toBe(0);
      // The last update is recorded whatever was deleted before it.
      const h = await o.temporal.repository.get('urn:t:c', 'urn:c:1', sel());
      expect(h!.attrs[iri('w')]!.at(-1)!.value).toBe(40);
    } finally {
      await b.close();
    }
  });

  it('moves a patched instance into the month of the patch, keeping its id', async () => {
    await o.temporal.ensurePartitions(new Date(Date.UTC(2026, 0, 15)));
    await o.temporal.ensurePartitions();
    await o.writer.mutate('', [create(entity('urn:m:1', 'Sensor', { v: obs(1, 0) }), minute(1, 0, 1))]);
    const [first] = (await o.temporal.repository.get('', 'urn:m:1', sel()))!.attrs[V]!;
    const partOf = async () =>
      (
        await o.pool.query<{ part: string }>(
          'SELECT i.tableoid::regclass::text AS part FROM temporal_instances i JOIN temporal_series s USING (sid) JOIN temporal_entities te USING (teid) WHERE te.id = $1',
          ['urn:m:1'],
        )
      ).rows[0]!.part;
    expect(await partOf()).toBe('temporal_instances_p2026_01');
    expect(
      await o.temporal.repository.patchInstance('', 'urn:m:1', V, first!.instanceId, {
        type: 'Property',
        value: 2,
      }),
    ).toBe(true);
    expect(await partOf()).toBe(monthPartition(monthOf(Date.now())).name);
    const [patched] = (await o.temporal.repository.get('', 'urn:m:1', sel()))!.attrs[V]!;
    expect(patched).toMatchObject({ instanceId: first!.instanceId, value: 2, createdAt: minute(1, 0, 1) });
  });

  it('selects by visibility, with id patterns evaluated as the q patterns are, paging and counting exactly', async () => {
    await o.writer.mutate('urn:t:v', [
      create(entity('urn:v:01', 'Building', { v: obs(1, 0) }), minute(1, 0, 1)),
      create(entity('urn:v:02', 'Building', { v: obs(1, 0) }), minute(1, 0, 1)),
      create(entity('urn:v:03', 'Street', { v: obs(1, 0) }), minute(1, 0, 1)),
      create(entity('urn:v:04', 'Street', { v: obs(1, 0) }), minute(1, 0, 1)),
      create(entity('urn:V:05', 'Park', { v: obs(1, 0) }), minute(1, 0, 1)),
    ]);
    const found = async (q: Partial<TemporalEntityQuery>) => {
      const r = await o.temporal.repository.query('urn:t:v', tq({ count: true, ...q }), sel());
      return [r.entities.map((e) => e.id), r.count];
    };
    const B = iri('Building');
    const S = iri('Street');
    expect(await found({ visibility: { allow: [{ types: [B] }], deny: [] } })).toEqual([
      ['urn:v:01', 'urn:v:02'],
      2,
    ]);
    expect(await found({ visibility: { allow: [{ types: [B, S] }], deny: [{ types: [S] }] } })).toEqual([
      ['urn:v:01', 'urn:v:02'],
      2,
    ]);
    expect(await found({ visibility: { allow: [], deny: [] } })).toEqual([[], 0]);
    // Patterns: JavaScript semantics (\d, (?i)), paging after the filter.
    expect(
      await found({ visibility: { allow: [{ idPattern: '\\d[24]$' }, { types: [iri('Park')] }], deny: [] } }),
    ).toEqual([['urn:V:05', 'urn:v:02', 'urn:v:04'], 3]);
    expect(await found({ idPattern: '(?i)^urn:v:0[1-5]$', limit: 2, offset: 1 })).toEqual([
      ['urn:v:01', 'urn:v:02'],
      5,
    ]);
    expect(
      await found({ idPattern: 'v:0', visibility: { allow: [{ types: [S] }], deny: [{ idPattern: '3$' }] } }),
    ).toEqual([['urn:v:04'], 1]);
    expect(
      await rejects(
        o.temporal.repository.query(
          '',
          tq({ visibility: { allow: [{ idPattern: '(a+)+$' }], deny: [] } }),
          sel(),
        ),
      ),
    ).toBe('BadRequestData');
  });

  it('answers bad input with BadRequestData, and stores nothing of a call that fails', async () => {
    // An observedAt PostgreSQL cannot hold (year 20000) fails the whole call, before anything commits.
    const far = { type: 'Property' as const, value: 1, observedAt: '+020000-01-01T00:00:00.000Z' };
    expect(
      await rejects(store.mutate('', [create(entity('urn:b:1', 'S', { v: [far] }), minute(1, 0, 1))])),
    ).toBe('BadRequestData');
    expect(await o.temporal.repository.get('', 'urn:b:1', sel())).toBeUndefined();
    // A NUL character cannot be stored in text.
    expect(
      await rejects(
        o.temporal.repository.append('', {
          id: 'urn:b:2',
          type: [iri('S')],
          attrs: { [V]: obs('a\u0000b', 0) },
        }),
      ),
    ).toBe('BadRequestData');
    expect(await o.temporal.repository.get('', 'urn:b:2', sel())).toBeUndefined();
    expect(await rejects(o.temporal.repository.append('', { id: 'urn:b:3' } as never))).toBe(
      'BadRequestData',
    );
    expect(
      await rejects(
        o.temporal.repository.patchInstance(
          '',
          'urn:b:1',
          V,
          'urn:ngsi-ld:attribute:instance:1',
          null as never,
        ),
      ),
    ).toBe('BadRequestData');
    expect(await rejects(o.temporal.repository.prune('', at0, { types: 'Sensor' as never }))).toBe(
      'BadRequestData',
    );
    expect(await rejects(o.temporal.repository.eraseValue('', 'v' as never, 'x'))).toBe('BadRequestData');
    expect(await rejects(o.temporal.repository.query('', tq({ offset: -1 }), sel()))).toBe('BadRequestData');
    expect(
      await rejects(o.temporal.repository.query('', tq(), sel({ timeproperty: 'deletedAt' as never }))),
    ).toBe('BadRequestData');
    // Ids that are not ours, or too large for a bigint, are simply not found.
    for (const id of [
      'urn:ngsi-ld:attribute:instance:99999999999999999999',
      'urn:ngsi-ld:attribute:instance:0x1',
    ]) {
      expect(await o.temporal.repository.deleteInstance('', 'urn:b:1', V, id)).toBe(false);
    }
    // Bounds beyond the storable years still get their answer.
    await o.temporal.repository.append('', { id: 'urn:b:4', type: [iri('S')], attrs: { [V]: obs(4, 0) } });
    const huge = { timerel: 'before' as const, timeAt: Date.parse('+100000-01-01T00:00:00Z') };
    expect((await o.temporal.repository.get('', 'urn:b:4', sel({ time: huge })))!.attrs[V]).toHaveLength(1);
    const tiny = { timerel: 'after' as const, timeAt: Date.parse('-100000-01-01T00:00:00Z') };
    const agg = await o.temporal.repository.aggregate('', tq({ ids: ['urn:b:4'] }), sel({ time: tiny }), {
      methods: ['sum'],
      period: { months: 0, ms: HOUR },
    });
    expect(agg.entities[0]!.attrs[V]![0]!.buckets).toEqual([
      { start: at0, end: new Date(Date.parse(at0) + HOUR).toISOString(), values: { sum: 4 } },
    ]);
  });
});
