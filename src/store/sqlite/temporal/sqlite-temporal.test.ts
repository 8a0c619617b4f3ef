/**
 * What the conformance suite cannot see of the SQLite history: compact rows, only changed
 * instances encoded, the indexes each statement uses (EXPLAIN QUERY PLAN), the series cache after
 * a rollback, instance ids never reused, every aggregation plan against a reference computed
 * in memory (fast-check), and the hourly rollups still exact after retention and erasure.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Attribute, Entity } from '../../../core/model/entity.js';
import { AGGR_METHODS, type AggrMethod, type TimeFilter } from '../../../core/temporal/model.js';
import type { AppliedChange } from '../change-sink.js';
import { Dictionary } from '../dictionary.js';
import { runMigrations } from '../migrate.js';
import { registerFunctions } from '../sql-functions.js';
import { drivenSql, groupedSql, wholeSql } from './aggregate-sql.js';
import { DRIVEN_MAX } from './aggregator.js';
import { readSql } from './instance-reader.js';
import { SqliteTemporal } from './sqlite-temporal.js';
import { timeWindow } from '../../shared/temporal/time-window.js';

const V = 'https://example.org/v';
const W = 'https://example.org/w';
const T0 = Date.UTC(2026, 0, 1);
const iso = (ms: number): string => new Date(ms).toISOString();

/** A Sensor with the given attributes. */
const sensor = (attrs: Record<string, Attribute[]>, modifiedAt = iso(T0)): Entity => ({
  id: 'urn:s:1',
  type: ['https://example.org/Sensor'],
  attrs,
  createdAt: iso(T0),
  modifiedAt,
});
const change = (after: Entity, before?: Entity): AppliedChange => ({
  tid: 0,
  tenant: '',
  id: after.id,
  ...(before ? { before } : {}),
  after,
  at: after.modifiedAt!,
});

describe('sqlite temporal history', () => {
  let db: Database.Database;
  let terms: Dictionary;
  let temporal: SqliteTemporal;
  /** Record changes in a committed transaction, as the entity writer does. */
  const commit = (changes: AppliedChange[]): void => {
    const after = db.transaction(() => temporal.record(changes))();
    after?.();
  };
  const rows = (): Array<Record<string, unknown>> =>
    db.prepare('SELECT * FROM temporal_instances ORDER BY iid').all() as Array<Record<string, unknown>>;

  beforeEach(() => {
    db = new Database(':memory:');
    registerFunctions(db);
    runMigrations(db);
    terms = new Dictionary(db, 'terms');
    temporal = new SqliteTemporal(db, terms, new Dictionary(db, 'tenants'), () => []);
  });
  afterEach(() => db.close());

  it('keeps a bare numeric instance in a compact row', () => {
    commit([
      change(
        sensor({
          [V]: [
            {
              type: 'Property',
              value: 20.5,
              unitCode: 'CEL',
              observedAt: iso(T0 + 60_000),
              modifiedAt: iso(T0),
            },
          ],
        }),
      ),
    ]);
    expect(rows()).toEqual([
      {
        iid: 1,
        sid: 1,
        kind: 0,
        observed_at: T0 + 60_000,
        created_at: T0,
        modified_at: T0,
        num: 20.5,
        str: null,
        json: null,
        unit: 'CEL',
        extra: null,
      },
    ]);
  });

  it('encodes only the instances that changed', () => {
    const v = (value: number, at: number): Attribute[] => [{ type: 'Property', value, modifiedAt: iso(at) }];
    const first = sensor({ [V]: v(1, T0), [W]: v(2, T0) });
    commit([change(first)]);
    const second = sensor({ [V]: v(1, T0), [W]: v(3, T0 + 1000) }, iso(T0 + 1000));
    commit([change(second, first)]);
    commit([change(sensor({ ...second.attrs }, iso(T0 + 2000)), second)]);
    expect(rows().map((r) => r.num)).toEqual([1, 2, 3]);
    // A delete keeps the history.
    commit([]);
    db.transaction(() =>
      temporal.record([{ tid: 0, tenant: '', id: 'urn:s:1', before: second, at: iso(T0) }]),
    )();
    expect(rows()).toHaveLength(3);
  });

  it('continues the history of an entity made again after its delete, on the same series', () => {
    const v = (value: number, at: number): Attribute[] => [{ type: 'Property', value, modifiedAt: iso(at) }];
    const first = sensor({ [V]: v(1, T0) });
    commit([change(first)]);
    commit([{ tid: 0, tenant: '', id: first.id, before: first, at: iso(T0 + 1) }]);
    // Made again in another process (no series cached): the history and its series are found.
    temporal = new SqliteTemporal(db, terms, new Dictionary(db, 'tenants'), () => []);
    const again = sensor({ [V]: v(2, T0 + 2), [W]: v(3, T0 + 2) }, iso(T0 + 2));
    commit([change(again)]);
    const series = db.prepare('SELECT sid, attr FROM temporal_series ORDER BY sid').all() as Array<{
      sid: number;
    }>;
    expect(series).toHaveLength(2);
    expect(rows().map((r) => [r.sid, r.num])).toEqual([
      [series[0]!.sid, 1],
      [series[0]!.sid, 2],
      [series[1]!.sid, 3],
    ]);
    expect(db.prepare('SELECT count(*) AS n FROM temporal_entities').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT count(*) AS n FROM temporal_types').get()).toEqual({ n: 1 });
  });

  it('forgets the series created by a rolled-back transaction', () => {
    const e = sensor({ [V]: [{ type: 'Property', value: 1 }] });
    expect(() =>
      db.transaction(() => {
        temporal.record([change(e)]);
        throw new Error('rolled back');
      })(),
    ).toThrow('rolled back');
    terms.forget(); // as the entity writer does after a failure
    commit([change(e)]);
    commit([change(sensor({ [V]: [{ type: 'Property', value: 2 }] }, iso(T0 + 1)), e)]);
    const orphans = db
      .prepare(
        'SELECT count(*) AS n FROM temporal_instances i LEFT JOIN temporal_series s ON s.sid = i.sid WHERE s.sid IS NULL',
      )
      .get() as { n: number };
    expect(orphans.n).toBe(0);
    expect(rows()).toHaveLength(2);
  });

  it('never reuses an instance id, even of the latest instance deleted', async () => {
    const e = sensor({ [V]: [{ type: 'Property', value: 1 }] });
    commit([change(e)]);
    const repo = temporal.repository;
    expect(await repo.deleteInstance('', 'urn:s:1', V, 'urn:ngsi-ld:attribute:instance:1')).toBe(true);
    commit([change(sensor({ [V]: [{ type: 'Property', value: 2 }] }, iso(T0 + 1)), e)]);
    expect(rows().map((r) => r.iid)).toEqual([2]);
  });

  it('keeps the hourly rollups exact through prunes and erasures', async () => {
    const day = 86_400_000;
    const fresh = db.prepare(
      'SELECT sid, floor(observed_at / 3600000.0) AS hour, count(*) AS n_all, count(num) AS n, sum(num) AS s, ' +
        'sum(num * num) AS ss, min(num) AS mn, max(num) AS mx FROM temporal_instances ' +
        'WHERE observed_at IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2',
    );
    const kept = db.prepare('SELECT sid, hour, n_all, n, s, ss, mn, mx FROM temporal_hourly ORDER BY 1, 2');
    await fc.assert(
      fc.asyncProperty(
        // Instances of v or w: observed at, recorded at (both offsets from T0), value (number or string).
        fc.array(
          fc.tuple(
            fc.constantFrom(V, W),
            fc.integer({ min: -day, max: day }),
            fc.integer({ min: 0, max: day }),
            fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constantFrom('a', 'b')),
          ),
          { minLength: 1, maxLength: 40 },
        ),
        fc.integer({ min: 0, max: day }),
        fc.constantFrom<string[] | undefined>(undefined, [V], [W]),
        fc.constantFrom('a', 'b'),
        async (points, cutoff, attrs, erased) => {
          db.exec('DELETE FROM temporal_instances');
          let before: Entity | undefined;
          for (const [attr, t, m, value] of points) {
            const e = sensor(
              { [attr]: [{ type: 'Property', value, observedAt: iso(T0 + t), modifiedAt: iso(T0 + m) }] },
              iso(T0 + m),
            );
            // A new instance each time: `before` lacks it (another attribute) or differs in modifiedAt or value.
            commit([change(e, before && { ...before, attrs: {} })]);
            before = e;
          }
          const dry = await temporal.repository.prune('', iso(T0 + cutoff), { attrs, dryRun: true });
          const pruned = await temporal.repository.prune('', iso(T0 + cutoff), { attrs });
          const doomed = points.filter(
            ([a, , m]) => m < cutoff && (attrs === undefined || attrs.includes(a)),
          );
          expect([dry, pruned]).toEqual([doomed.length, doomed.length]);
          expect(kept.all()).toEqual(fresh.all());
          const left = points.filter((p) => !doomed.includes(p));
          expect(await temporal.repository.eraseValue('', [V], erased)).toBe(
            left.filter(([a, , , v]) => a === V && v === erased).length,
          );
          expect(kept.all()).toEqual(fresh.all());
        },
      ),
      { numRuns: 150 },
    );
  });

  describe('query plans', () => {
    const plan = (q: { sql: string; params: unknown[] }): string =>
      (db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as Array<{ detail: string }>)
        .map((r) => r.detail)
        .join('\n');
    const between: TimeFilter = { timerel: 'between', timeAt: T0, endTimeAt: T0 + 86_400_000 };
    const numeric: AggrMethod[] = ['totalCount', 'sum', 'avg', 'stddev', 'sumsq'];

    it('reads a series through its time index, without sorting', () => {
      for (const [property, index] of [
        ['observedAt', 'temporal_instances_observed'],
        ['modifiedAt', 'temporal_instances_modified'],
      ] as const) {
        for (const time of [undefined, between]) {
          const p = plan(readSql(timeWindow(property, time), true, 1, 10));
          expect(p).toContain(`USING INDEX ${index} (sid=?`);
          expect(p).not.toContain('TEMP B-TREE');
        }
      }
    });

    it('aggregates numbers from the covering index, period by period without sorting', () => {
      const w = timeWindow('observedAt', between);
      const driven = plan(drivenSql(w, [...numeric, 'min', 'max', 'distinctCount'], 1, 0, [[T0, T0 + 1]]));
      expect(driven).toContain(
        'USING COVERING INDEX temporal_instances_observed (sid=? AND observed_at>? AND observed_at<?)',
      );
      expect(driven).not.toContain('TEMP B-TREE FOR GROUP BY');
      expect(plan(wholeSql(w, numeric, 1, 0))).toContain('USING COVERING INDEX temporal_instances_observed');
      // A period seeks on its own bounds (clamped to the window), never beside the window's: given
      // both, SQLite may seek on the window and scan all of it for every period.
      expect(drivenSql(w, ['avg'], 1, 0, [[T0 - 5, T0 + 10]]).params).toEqual([
        1,
        JSON.stringify([[T0, T0 + 10, T0 - 5, T0 + 10]]),
      ]);
      const grouped = plan(groupedSql(timeWindow('modifiedAt', between), numeric, 1, 0, T0, 60_000));
      expect(grouped).toContain('USING COVERING INDEX temporal_instances_modified');
    });

    it('finds entities by tenant and id, and prunes by the modifiedAt index', () => {
      expect(
        plan({ sql: 'SELECT teid FROM temporal_entities WHERE tid = ? AND id = ?', params: [0, 'urn:x'] }),
      ).toContain('INDEX temporal_entities_tid_id (tid=? AND id=?)');
      expect(
        plan({ sql: 'DELETE FROM temporal_instances WHERE sid = ? AND modified_at < ?', params: [1, T0] }),
      ).toContain('INDEX temporal_instances_modified (sid=? AND modified_at<?)');
    });
  });

  describe('aggregation plans against an in-memory reference', () => {
    /** Reference: periods from `origin`, each method over the values of each period. */
    function reference(
      points: Array<[number, number]>,
      origin: number,
      period: number,
      methods: AggrMethod[],
    ): Array<{ start: string; values: Record<string, number> }> {
      const byPeriod = new Map<number, number[]>();
      for (const [t, v] of points) {
        const k = Math.floor((t - origin) / period);
        byPeriod.set(k, [...(byPeriod.get(k) ?? []), v]);
      }
      return [...byPeriod.entries()]
        .sort((a, b) => a[0] - b[0])
        .map(([k, vs]) => {
          const n = vs.length;
          const sum = vs.reduce((a, b) => a + b, 0);
          const mean = sum / n;
          const all: Record<AggrMethod, number> = {
            totalCount: n,
            distinctCount: new Set(vs).size,
            sum,
            avg: mean,
            min: Math.min(...vs),
            max: Math.max(...vs),
            stddev: Math.sqrt(vs.reduce((a, v) => a + (v - mean) ** 2, 0) / n),
            sumsq: vs.reduce((a, v) => a + v * v, 0),
          };
          return {
            start: iso(origin + k * period),
            values: Object.fromEntries(methods.map((m) => [m, all[m]])),
          };
        });
    }

    it('gives what the reference gives, on every plan', async () => {
      const day = 86_400_000;
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.integer({ min: 0, max: 3 * day }), { minLength: 1, maxLength: 40 }),
          fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 40, maxLength: 40 }),
          // Minutes over three days exceed DRIVEN_MAX (grouped); hours and days are driven.
          fc.constantFrom(60_000, 3_600_000, 7 * 3_600_000, day),
          fc.option(fc.integer({ min: 0, max: day }), { nil: undefined }),
          // An upper bound that cuts the last period short.
          fc.option(fc.integer({ min: day, max: 3 * day }), { nil: undefined }),
          fc.subarray([...AGGR_METHODS], { minLength: 1 }),
          async (offsets, vals, period, from, to, methods) => {
            await temporal.repository.deleteEntity('', 'urn:p:1');
            const points = offsets.map((o, i): [number, number] => [T0 + o, vals[i]!]);
            await temporal.repository.append('', {
              id: 'urn:p:1',
              type: [],
              attrs: { [V]: points.map(([t, v]) => ({ type: 'Property', value: v, observedAt: iso(t) })) },
            });
            const time: TimeFilter | undefined =
              from !== undefined && to !== undefined
                ? { timerel: 'between', timeAt: T0 + from, endTimeAt: T0 + to }
                : from !== undefined
                  ? { timerel: 'after', timeAt: T0 + from }
                  : to !== undefined
                    ? { timerel: 'before', timeAt: T0 + to }
                    : undefined;
            const kept = points.filter(
              ([t]) => (from === undefined || t >= T0 + from) && (to === undefined || t < T0 + to),
            );
            const r = await temporal.repository.aggregate(
              '',
              { limit: 10, offset: 0, count: false },
              { timeproperty: 'observedAt', limit: 1000, ...(time ? { time } : {}) },
              { methods, period: { months: 0, ms: period } },
            );
            if (kept.length === 0) {
              expect(r.entities[0]!.attrs).toEqual({});
              return;
            }
            const origin = from === undefined ? Math.min(...kept.map(([t]) => t)) : T0 + from;
            const want = reference(kept, origin, period, methods);
            const got = r.entities[0]!.attrs[V]![0]!.buckets;
            expect(got.map((b) => b.start)).toEqual(want.map((b) => b.start));
            got.forEach((b, i) => {
              expect(b.end).toBe(iso(Date.parse(b.start) + period));
              for (const m of methods) expect(b.values[m]).toBeCloseTo(want[i]!.values[m]!, 6);
            });
          },
        ),
        { numRuns: 150 },
      );
      expect(DRIVEN_MAX).toBeLessThan((3 * day) / 60_000);
    });

    it('gives what the reference gives from the hourly rollups, after deletes and patches too', async () => {
      const [hour, day] = [3_600_000, 86_400_000];
      const composable: AggrMethod[] = ['totalCount', 'sum', 'avg', 'min', 'max', 'sumsq'];
      await fc.assert(
        fc.asyncProperty(
          fc.uniqueArray(fc.integer({ min: -day, max: 2 * day }), { minLength: 1, maxLength: 40 }),
          fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 40, maxLength: 40 }),
          fc.constantFrom(hour, 3 * hour, day),
          fc.integer({ min: -24, max: 0 }),
          fc.option(fc.integer({ min: 24, max: 48 }), { nil: undefined }),
          fc.subarray(composable, { minLength: 1 }),
          // Instances deleted, and patched to another value and instant, by position.
          fc.uniqueArray(fc.integer({ min: 0, max: 39 }), { maxLength: 8 }),
          fc.array(fc.tuple(fc.integer({ min: 0, max: 39 }), fc.integer({ min: -day, max: 2 * day })), {
            maxLength: 4,
          }),
          async (offsets, vals, period, fromH, toH, methods, deletes, patches) => {
            await temporal.repository.deleteEntity('', 'urn:p:2');
            const points = offsets.map((o, i): [number, number] => [T0 + o, vals[i]!]);
            await temporal.repository.append('', {
              id: 'urn:p:2',
              type: [],
              attrs: { [V]: points.map(([t, v]) => ({ type: 'Property', value: v, observedAt: iso(t) })) },
            });
            const stored = (await temporal.repository.get('', 'urn:p:2', {
              timeproperty: 'observedAt',
              limit: 1000,
            }))!.attrs[V]!;
            const idAt = new Map(stored.map((x) => [Date.parse(x.observedAt!), x.instanceId]));
            // What the history holds after the changes: [instanceId, time, value] or undefined when deleted.
            const live = points.map(([t, v]): [string, number, number] | undefined => [idAt.get(t)!, t, v]);
            for (const [n, t] of patches) {
              const x = live[n % live.length];
              if (x === undefined) continue;
              const [value, at] = [n * 7 - 100, T0 + t];
              const done = await temporal.repository.patchInstance('', 'urn:p:2', V, x[0], {
                type: 'Property',
                value,
                observedAt: iso(at),
              });
              expect(done).toBe(true);
              [x[1], x[2]] = [at, value];
            }
            for (const n of deletes) {
              const i = n % live.length;
              const x = live[i];
              if (x === undefined) continue;
              expect(await temporal.repository.deleteInstance('', 'urn:p:2', V, x[0])).toBe(true);
              live[i] = undefined;
            }
            // The rollups the triggers kept equal rollups computed afresh from the instances.
            const keptRows = db.prepare(
              'SELECT sid, hour, n_all, n, s, ss, mn, mx FROM temporal_hourly ORDER BY 1, 2',
            );
            const fresh = db.prepare(
              'SELECT sid, floor(observed_at / 3600000.0) AS hour, count(*) AS n_all, count(num) AS n, sum(num) AS s, ' +
                'sum(num * num) AS ss, min(num) AS mn, max(num) AS mx FROM temporal_instances ' +
                'WHERE observed_at IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2',
            );
            expect(keptRows.all()).toEqual(fresh.all());
            const from = T0 + fromH * hour;
            const to = toH === undefined ? undefined : T0 + toH * hour;
            const time: TimeFilter =
              to === undefined
                ? { timerel: 'after', timeAt: from }
                : { timerel: 'between', timeAt: from, endTimeAt: to };
            const kept = live
              .filter((x): x is [string, number, number] => x !== undefined)
              .map(([, t, v]): [number, number] => [t, v])
              .filter(([t]) => t >= from && (to === undefined || t < to));
            const r = await temporal.repository.aggregate(
              '',
              { limit: 10, offset: 0, count: false },
              { timeproperty: 'observedAt', limit: 1000, time },
              { methods, period: { months: 0, ms: period } },
            );
            if (kept.length === 0) {
              expect(r.entities[0]?.attrs ?? {}).toEqual({});
              return;
            }
            const want = reference(kept, from, period, methods);
            const got = r.entities[0]!.attrs[V]![0]!.buckets;
            expect(got.map((b) => b.start)).toEqual(want.map((b) => b.start));
            got.forEach((b, i) => {
              for (const m of methods) expect(b.values[m]).toBeCloseTo(want[i]!.values[m]!, 6);
            });
          },
        ),
        { numRuns: 150 },
      );
    });
  });
});
