/**
 * Conformance: the temporal history (TemporalRepository). History is produced through `mutate`
 * (create, update, replace, attribute delete, entity delete, batches — with the pure entity
 * operations stamping times as the services do) and through `temporal.append`; it is read back with
 * time filters on each time property, lastN, per-attribute limits (partial ranges), datasetIds and
 * aggregations whose expected values are computed by hand in the comments.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  deleteAttribute as dropAttribute,
  replaceEntity,
  stampNew,
  updateAttributes,
} from '../../core/entity/operations.js';
import { NgsiError } from '../../core/errors.js';
import type { Attribute, Entity } from '../../core/model/entity.js';
import type { TypeExpr } from '../../core/query/ast.js';
import type {
  AggregatedEntity,
  Aggregation,
  InstanceSelect,
  StoredInstance,
  TemporalEntity,
} from '../../core/temporal/model.js';
import type { Mutation, Store, TemporalEntityQuery } from '../port.js';
import {
  cmp,
  del,
  entity,
  geo,
  iri,
  LOCATION,
  num,
  prop,
  put,
  rejectsWith,
  rel,
  type MakeStore,
} from './fixtures.js';

/** An instant on 2026-01-01 plus `min` minutes, as the store writes instants back. */
const at = (min: number): string => new Date(Date.UTC(2026, 0, 1, 0, min)).toISOString();
const ms = (iso: string): number => Date.parse(iso);
const T = (name: string): TypeExpr => ({ kind: 'type', name: iri(name) });
const HOUR = 3_600_000;

/** An instance selection with defaults (observedAt, 1,000 instances per attribute). */
const sel = (s: Partial<InstanceSelect> = {}): InstanceSelect => ({
  timeproperty: 'observedAt',
  limit: 1000,
  ...s,
});
/** An entity selection with defaults (100 entities, no count). */
const tq = (q: Partial<TemporalEntityQuery> = {}): TemporalEntityQuery => ({
  limit: 100,
  offset: 0,
  count: false,
  ...q,
});

/** Create, stamped at `now`. */
const create = (e: Entity, now: string): Mutation => put(stampNew(e, now));
/** Update existing attributes (PATCH /attrs), stamped at `now`. */
const update = (id: string, attrs: Record<string, Attribute[]>, now: string): Mutation => ({
  id,
  decide: (cur) =>
    cur
      ? { action: 'put', entity: updateAttributes(cur, entity(id, 'X', attrs).attrs, now).entity }
      : { action: 'skip' },
});
/** The observed value of an attribute at minute `min`. */
const obs = (value: unknown, min: number, extra: Partial<Attribute> = {}): Attribute[] =>
  prop(value, { observedAt: at(min), ...extra });

async function ok(store: Store, tenant: string, mutations: Mutation[]): Promise<void> {
  const r = await store.mutate(tenant, mutations);
  const failed = r.find((x) => !x.ok);
  if (failed) throw new Error(`mutation failed for ${failed.id}`);
}

/** One entity's history (fails when it has none). */
async function history(
  store: Store,
  id: string,
  s: Partial<InstanceSelect> = {},
  tenant = '',
): Promise<TemporalEntity> {
  const e = await store.temporal.get(tenant, id, sel(s));
  if (!e) throw new Error(`no history for ${id}`);
  return e;
}
const values = (list: StoredInstance[] | undefined): unknown[] => (list ?? []).map((i) => i.value);
const times = (list: StoredInstance[] | undefined): Array<string | undefined> =>
  (list ?? []).map((i) => i.observedAt);

/** Register the temporal tests for a store factory. */
export function describeTemporal(makeStore: MakeStore): void {
  describe('temporal history', () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('recording from the current state', () => {
      it('keeps each created and updated instance with its members and timestamps', async () => {
        const sensor = entity('urn:s:1', 'Sensor', {
          temperature: obs(20, 0, {
            unitCode: 'CEL',
            sub: { [iri('accuracy')]: { type: 'Property', value: 0.5 } },
          }),
          owner: rel('urn:p:1', { objectType: iri('Person') }),
          name: prop('first'),
        });
        await ok(store, '', [create(sensor, at(1))]);
        await ok(store, '', [update('urn:s:1', { temperature: obs(21, 10, { unitCode: 'CEL' }) }, at(11))]);
        await ok(store, '', [update('urn:s:1', { temperature: obs(22, 20, { unitCode: 'CEL' }) }, at(21))]);

        const h = await history(store, 'urn:s:1');
        expect(h.id).toBe('urn:s:1');
        expect(h.type).toEqual([iri('Sensor')]);
        expect(h.createdAt).toBe(at(1));
        expect(h.modifiedAt).toBe(at(21));
        const temps = h.attrs[iri('temperature')]!;
        expect(values(temps)).toEqual([20, 21, 22]);
        expect(times(temps)).toEqual([at(0), at(10), at(20)]);
        expect(temps[0]).toMatchObject({
          type: 'Property',
          unitCode: 'CEL',
          createdAt: at(1),
          modifiedAt: at(1),
          sub: { [iri('accuracy')]: { type: 'Property', value: 0.5 } },
        });
        expect(temps[1]).toMatchObject({ createdAt: at(11), modifiedAt: at(11) });
        expect(temps[1]).not.toHaveProperty('datasetId');
        const ids = temps.map((i) => i.instanceId);
        expect(new Set(ids).size).toBe(3);
        for (const id of ids) expect(id).toMatch(/^urn:ngsi-ld:attribute:instance:/);
        // Instances without observedAt are not selected on observedAt...
        expect(h.attrs[iri('name')]).toBeUndefined();
        // ...but are on modifiedAt, with the attribute's kind and members.
        const byMod = await history(store, 'urn:s:1', { timeproperty: 'modifiedAt' });
        expect(values(byMod.attrs[iri('name')])).toEqual(['first']);
        expect(byMod.attrs[iri('owner')]).toEqual([
          expect.objectContaining({ type: 'Relationship', value: 'urn:p:1', objectType: iri('Person') }),
        ]);
        expect(values(byMod.attrs[iri('temperature')])).toEqual([20, 21, 22]);
      });

      it('records only instances whose modifiedAt or value changed', async () => {
        const e = entity('urn:s:1', 'Sensor', { a: obs(1, 0), b: obs('x', 0) });
        await ok(store, '', [create(e, at(1))]);
        await ok(store, '', [update('urn:s:1', { a: obs(2, 5) }, at(5))]);
        // Written again unchanged: nothing new.
        await ok(store, '', [{ id: 'urn:s:1', decide: (cur) => ({ action: 'put', entity: cur! }) }]);
        // The value changed without a new modifiedAt: recorded.
        await ok(store, '', [
          {
            id: 'urn:s:1',
            decide: (cur) => {
              cur!.attrs[iri('b')]![0]!.value = 'y';
              return { action: 'put', entity: cur! };
            },
          },
        ]);
        const h = await history(store, 'urn:s:1');
        expect(values(h.attrs[iri('a')])).toEqual([1, 2]);
        expect(values(h.attrs[iri('b')])).toEqual(['x', 'y']);
      });

      it('records every entity of a batch, replaces, and keeps history across deletes', async () => {
        await ok(store, '', [
          create(entity('urn:s:1', 'Sensor', { v: obs(1, 0) }), at(1)),
          create(entity('urn:s:2', 'Sensor', { v: obs(2, 0) }), at(1)),
        ]);
        await ok(store, '', [
          {
            id: 'urn:s:1',
            decide: (cur) => ({
              action: 'put',
              entity: replaceEntity(cur!, entity('urn:s:1', ['Sensor', 'Meter'], { v: obs(3, 10) }), at(10)),
            }),
          },
        ]);
        await ok(store, '', [
          {
            id: 'urn:s:2',
            decide: (cur) => ({
              action: 'put',
              entity: dropAttribute(cur!, iri('v'), undefined, false, at(12)),
            }),
          },
        ]);
        await ok(store, '', [del('urn:s:1')]);
        const one = await history(store, 'urn:s:1');
        expect(one.type).toEqual([iri('Sensor'), iri('Meter')]);
        expect(values(one.attrs[iri('v')])).toEqual([1, 3]);
        expect(await store.getEntity('', 'urn:s:1')).toBeUndefined();
        expect(values((await history(store, 'urn:s:2')).attrs[iri('v')])).toEqual([2]);
        // Created again: the history goes on.
        await ok(store, '', [create(entity('urn:s:1', 'Sensor', { v: obs(4, 20) }), at(20))]);
        const again = await history(store, 'urn:s:1');
        expect(values(again.attrs[iri('v')])).toEqual([1, 3, 4]);
        expect(again.type).toEqual([iri('Sensor')]);
        expect(again.createdAt).toBe(at(1));
      });

      it('writes history in the transaction of the change: a failed call leaves none', async () => {
        const boom: Mutation = {
          id: 'urn:z',
          decide: () => {
            throw new TypeError('bug');
          },
        };
        await expect(
          store.mutate('', [create(entity('urn:s:1', 'S', { v: obs(1, 0) }), at(1)), boom]),
        ).rejects.toThrow('bug');
        expect(await store.temporal.get('', 'urn:s:1', sel())).toBeUndefined();
        // A per-entity failure fails that entity only, and records nothing of it.
        const r = await store.mutate('', [
          { id: 'urn:s:2', decide: () => ({ action: 'fail', error: new NgsiError('BadRequestData', 'no') }) },
          create(entity('urn:s:3', 'S', { v: obs(3, 0) }), at(1)),
        ]);
        expect(r.map((x) => x.ok)).toEqual([false, true]);
        expect(await store.temporal.get('', 'urn:s:2', sel())).toBeUndefined();
        expect(values((await history(store, 'urn:s:3')).attrs[iri('v')])).toEqual([3]);
        // The entity exists again after the failed call; its history starts with what did commit.
        await ok(store, '', [create(entity('urn:s:1', 'S', { v: obs(5, 0) }), at(2))]);
        expect(values((await history(store, 'urn:s:1')).attrs[iri('v')])).toEqual([5]);
      });
    });

    describe('selecting instances', () => {
      /** v observed at minutes 0, 10, 20, 30, 40 (values 0..4), recorded at minutes 1, 11, … */
      beforeEach(async () => {
        await ok(store, '', [create(entity('urn:s:1', 'Sensor', { v: obs(0, 0), w: obs('a', 0) }), at(1))]);
        for (let k = 1; k < 5; k++) {
          await ok(store, '', [update('urn:s:1', { v: obs(k, 10 * k) }, at(10 * k + 1))]);
        }
      });

      it('filters on observedAt: before (<), after (>=), between (>=, <)', async () => {
        const v = async (s: Partial<InstanceSelect>) =>
          values((await history(store, 'urn:s:1', s)).attrs[iri('v')]);
        expect(await v({ time: { timerel: 'before', timeAt: ms(at(20)) } })).toEqual([0, 1]);
        expect(await v({ time: { timerel: 'after', timeAt: ms(at(20)) } })).toEqual([2, 3, 4]);
        expect(await v({ time: { timerel: 'between', timeAt: ms(at(10)), endTimeAt: ms(at(30)) } })).toEqual([
          1, 2,
        ]);
        expect(await v({ time: { timerel: 'after', timeAt: ms(at(41)) } })).toEqual([]);
      });

      it('filters on modifiedAt and createdAt', async () => {
        const v = async (s: Partial<InstanceSelect>) =>
          values((await history(store, 'urn:s:1', s)).attrs[iri('v')]);
        // Recorded at minutes 1, 11, 21, 31, 41.
        expect(
          await v({ timeproperty: 'modifiedAt', time: { timerel: 'after', timeAt: ms(at(21)) } }),
        ).toEqual([2, 3, 4]);
        expect(
          await v({ timeproperty: 'createdAt', time: { timerel: 'before', timeAt: ms(at(21)) } }),
        ).toEqual([0, 1]);
        const w = (await history(store, 'urn:s:1', { timeproperty: 'createdAt' })).attrs[iri('w')];
        expect(values(w)).toEqual(['a']);
      });

      it('returns the last N instances, ascending', async () => {
        const h = await history(store, 'urn:s:1', { lastN: 2 });
        expect(values(h.attrs[iri('v')])).toEqual([3, 4]);
        const before = await history(store, 'urn:s:1', {
          lastN: 2,
          time: { timerel: 'before', timeAt: ms(at(30)) },
        });
        expect(values(before.attrs[iri('v')])).toEqual([1, 2]);
      });

      it('selects attributes', async () => {
        const h = await history(store, 'urn:s:1', { attrs: [iri('w')] });
        expect(Object.keys(h.attrs)).toEqual([iri('w')]);
        const none = await history(store, 'urn:s:1', { attrs: [iri('unknown')] });
        expect(none.attrs).toEqual({});
      });

      it('caps instances per attribute and reports the range returned', async () => {
        const r = await store.temporal.query('', tq({ ids: ['urn:s:1'] }), sel({ limit: 2 }));
        expect(values(r.entities[0]!.attrs[iri('v')])).toEqual([0, 1]);
        expect(r.partial).toEqual({ from: at(0), to: at(10) });
        // Every attribute is trimmed to the range (w, at minute 0, fits).
        expect(values(r.entities[0]!.attrs[iri('w')])).toEqual(['a']);
        const after = await store.temporal.query(
          '',
          tq({ ids: ['urn:s:1'] }),
          sel({ limit: 2, time: { timerel: 'after', timeAt: ms(at(5)) } }),
        );
        expect(values(after.entities[0]!.attrs[iri('v')])).toEqual([1, 2]);
        expect(after.partial).toEqual({ from: at(5), to: at(20) });
        const whole = await store.temporal.query('', tq({ ids: ['urn:s:1'] }), sel({ limit: 5 }));
        expect(whole.partial).toBeUndefined();
      });

      it('with lastN above the limit, returns the latest instances and the range they cover', async () => {
        const r = await store.temporal.query('', tq(), sel({ lastN: 4, limit: 2 }));
        expect(values(r.entities[0]!.attrs[iri('v')])).toEqual([3, 4]);
        // w (minute 0) is older than the range: trimmed away.
        expect(r.entities[0]!.attrs[iri('w')]).toBeUndefined();
        expect(r.partial).toEqual({ from: at(30), to: at(40) });
        const within = await store.temporal.query('', tq(), sel({ lastN: 2, limit: 2 }));
        expect(within.partial).toBeUndefined();
      });

      it('trims all attributes to the range complete for every one', async () => {
        // u: minutes 0, 5, 15, 25, 35 (5 instances) beside v: 0, 10, 20, 30, 40.
        await store.temporal.append('', {
          id: 'urn:s:1',
          type: [iri('Sensor')],
          attrs: { [iri('u')]: [0, 5, 15, 25, 35].map((m) => obs(m, m)[0]!) },
        });
        const r = await store.temporal.query('', tq(), sel({ limit: 3 }));
        // v cut after minute 20, u after minute 15: complete up to 15 for both.
        expect(r.partial).toEqual({ from: at(0), to: at(15) });
        expect(times(r.entities[0]!.attrs[iri('v')])).toEqual([at(0), at(10)]);
        expect(times(r.entities[0]!.attrs[iri('u')])).toEqual([at(0), at(5), at(15)]);
      });
    });

    describe('datasetIds', () => {
      beforeEach(async () => {
        await ok(store, '', [
          create(
            entity('urn:s:1', 'Sensor', {
              speed: [
                { type: 'Property', value: 50, observedAt: at(0) },
                { type: 'Property', value: 51, observedAt: at(1), datasetId: 'urn:ds:gps' },
              ],
            }),
            at(2),
          ),
        ]);
        await ok(store, '', [
          update(
            'urn:s:1',
            { speed: [{ type: 'Property', value: 55, observedAt: at(3), datasetId: 'urn:ds:gps' }] },
            at(4),
          ),
        ]);
      });

      it('keeps each datasetId apart, merged in time order', async () => {
        const h = await history(store, 'urn:s:1');
        const speed = h.attrs[iri('speed')]!;
        expect(speed.map((i) => [i.value, i.datasetId])).toEqual([
          [50, undefined],
          [51, 'urn:ds:gps'],
          [55, 'urn:ds:gps'],
        ]);
      });

      it('deletes the history of one datasetId, of the default instance, or of all', async () => {
        expect(await store.temporal.deleteAttribute('', 'urn:s:1', iri('speed'), 'urn:ds:none', false)).toBe(
          false,
        );
        expect(await store.temporal.deleteAttribute('', 'urn:s:1', iri('speed'), 'urn:ds:gps', false)).toBe(
          true,
        );
        expect(values((await history(store, 'urn:s:1')).attrs[iri('speed')])).toEqual([50]);
        expect(await store.temporal.deleteAttribute('', 'urn:s:1', iri('speed'), undefined, false)).toBe(
          true,
        );
        expect((await history(store, 'urn:s:1')).attrs).toEqual({});
        expect(await store.temporal.deleteAttribute('', 'urn:s:1', iri('speed'), undefined, false)).toBe(
          false,
        );
        // Recorded anew after the delete.
        await ok(store, '', [update('urn:s:1', { speed: obs(60, 9) }, at(9))]);
        expect(values((await history(store, 'urn:s:1')).attrs[iri('speed')])).toEqual([60]);
        expect(await store.temporal.deleteAttribute('', 'urn:s:1', iri('speed'), undefined, true)).toBe(true);
        expect((await history(store, 'urn:s:1')).attrs).toEqual({});
        expect(await store.temporal.deleteAttribute('', 'urn:missing', iri('speed'), undefined, true)).toBe(
          false,
        );
      });
    });

    describe('aggregation', () => {
      /**
       * t (Sensor): 10:00→1, 10:15→2, 10:30→3, 10:45→4 | 11:10→10, 11:20→20, 11:30→10 | 13:00→5;
       * t with datasetId urn:ds:b: 10:05→100; s (strings): 10:00→'a', 10:20→'c', 10:40→'b'.
       */
      const hm = (h: number, m: number): string => new Date(Date.UTC(2026, 0, 1, h, m)).toISOString();
      beforeEach(async () => {
        const points: Array<[number, number, number]> = [
          [10, 0, 1],
          [10, 15, 2],
          [10, 30, 3],
          [10, 45, 4],
          [11, 10, 10],
          [11, 20, 20],
          [11, 30, 10],
          [13, 0, 5],
        ];
        await store.temporal.append('', {
          id: 'urn:a:1',
          type: [iri('Sensor')],
          attrs: {
            [iri('t')]: [
              ...points.map(([h, m, v]): Attribute => ({ type: 'Property', value: v, observedAt: hm(h, m) })),
              { type: 'Property', value: 100, observedAt: hm(10, 5), datasetId: 'urn:ds:b' },
            ],
            [iri('s')]: [
              ['a', 0],
              ['c', 20],
              ['b', 40],
            ].map(([v, m]): Attribute => ({ type: 'Property', value: v, observedAt: hm(10, m as number) })),
          },
        });
      });
      const all: Aggregation['methods'] = [
        'totalCount',
        'distinctCount',
        'sum',
        'avg',
        'min',
        'max',
        'stddev',
        'sumsq',
      ];
      const aggregate = async (
        s: Partial<InstanceSelect>,
        aggregation: Aggregation,
      ): Promise<AggregatedEntity> => {
        const r = await store.temporal.aggregate('', tq({ ids: ['urn:a:1'] }), sel(s), aggregation);
        expect(r.entities).toHaveLength(1);
        return r.entities[0]!;
      };
      const between = { timerel: 'between' as const, timeAt: ms(hm(10, 0)), endTimeAt: ms(hm(14, 0)) };

      it('computes every method per hour, omitting empty hours', async () => {
        const e = await aggregate({ time: between }, { methods: all, period: { months: 0, ms: HOUR } });
        const t = e.attrs[iri('t')]!;
        expect(t.map((a) => a.datasetId)).toEqual([undefined, 'urn:ds:b']);
        expect(t[0]!.type).toBe('Property');
        const b = t[0]!.buckets;
        expect(b.map((x) => [x.start, x.end])).toEqual([
          [hm(10, 0), hm(11, 0)],
          [hm(11, 0), hm(12, 0)],
          [hm(13, 0), hm(14, 0)],
        ]);
        // 1,2,3,4: mean 2.5, population variance (2.25+0.25+0.25+2.25)/4 = 1.25, sum of squares 30.
        expect(b[0]!.values).toMatchObject({
          totalCount: 4,
          distinctCount: 4,
          sum: 10,
          avg: 2.5,
          min: 1,
          max: 4,
          sumsq: 30,
        });
        expect(b[0]!.values.stddev).toBeCloseTo(Math.sqrt(1.25), 12);
        // 10,20,10: mean 40/3, variance ((10/3)²·2 + (20/3)²)/3 = 200/9, sum of squares 600.
        expect(b[1]!.values).toMatchObject({
          totalCount: 3,
          distinctCount: 2,
          sum: 40,
          min: 10,
          max: 20,
          sumsq: 600,
        });
        expect(b[1]!.values.avg).toBeCloseTo(40 / 3, 12);
        expect(b[1]!.values.stddev).toBeCloseTo(Math.sqrt(200 / 9), 12);
        expect(b[2]!.values).toEqual({
          totalCount: 1,
          distinctCount: 1,
          sum: 5,
          avg: 5,
          min: 5,
          max: 5,
          stddev: 0,
          sumsq: 25,
        });
        expect(t[1]!.buckets).toEqual([
          {
            start: hm(10, 0),
            end: hm(11, 0),
            values: {
              totalCount: 1,
              distinctCount: 1,
              sum: 100,
              avg: 100,
              min: 100,
              max: 100,
              stddev: 0,
              sumsq: 10000,
            },
          },
        ]);
      });

      it('takes only numbers for sum/avg/stddev/sumsq, and strings for min/max when there are no numbers', async () => {
        const e = await aggregate({ attrs: [iri('s')] }, { methods: all });
        expect(Object.keys(e.attrs)).toEqual([iri('s')]);
        expect(e.attrs[iri('s')]).toEqual([
          {
            type: 'Property',
            buckets: [
              {
                start: hm(10, 0),
                end: hm(10, 40),
                values: {
                  totalCount: 3,
                  distinctCount: 3,
                  sum: null,
                  avg: null,
                  min: 'a',
                  max: 'c',
                  stddev: null,
                  sumsq: null,
                },
              },
            ],
          },
        ]);
      });

      it('spans the whole range without a period (or with a zero one)', async () => {
        for (const period of [undefined, { months: 0, ms: 0 }]) {
          const e = await aggregate(
            { time: between, attrs: [iri('t')] },
            period
              ? { methods: ['totalCount', 'sum', 'max'], period }
              : { methods: ['totalCount', 'sum', 'max'] },
          );
          // The filter's bounds; 1+2+3+4+10+20+10+5 = 55.
          expect(e.attrs[iri('t')]![0]!.buckets).toEqual([
            { start: hm(10, 0), end: hm(14, 0), values: { totalCount: 8, sum: 55, max: 20 } },
          ]);
        }
        // Without bounds: from the first to the last instance.
        const open = await aggregate({ attrs: [iri('t')] }, { methods: ['totalCount'] });
        expect(open.attrs[iri('t')]![0]!.buckets).toEqual([
          { start: hm(10, 0), end: hm(13, 0), values: { totalCount: 8 } },
        ]);
      });

      it('starts periods at timeAt, or at the first instance without a lower bound', async () => {
        const after = await aggregate(
          { attrs: [iri('t')], time: { timerel: 'after', timeAt: ms(hm(10, 10)) } },
          { methods: ['totalCount', 'min'], period: { months: 0, ms: HOUR } },
        );
        expect(after.attrs[iri('t')]![0]!.buckets).toEqual([
          { start: hm(10, 10), end: hm(11, 10), values: { totalCount: 3, min: 2 } },
          { start: hm(11, 10), end: hm(12, 10), values: { totalCount: 3, min: 10 } },
          { start: hm(12, 10), end: hm(13, 10), values: { totalCount: 1, min: 5 } },
        ]);
        // Before 11:00: the first instance (10:00, of any datasetId) is the origin; 30-minute periods.
        const before = await aggregate(
          { attrs: [iri('t')], time: { timerel: 'before', timeAt: ms(hm(11, 0)) } },
          { methods: ['sum'], period: { months: 0, ms: HOUR / 2 } },
        );
        expect(before.attrs[iri('t')]!.map((a) => a.buckets)).toEqual([
          [
            { start: hm(10, 0), end: hm(10, 30), values: { sum: 3 } },
            { start: hm(10, 30), end: hm(11, 0), values: { sum: 7 } },
          ],
          [{ start: hm(10, 0), end: hm(10, 30), values: { sum: 100 } }],
        ]);
      });

      it('groups fine periods over a long range the same way', async () => {
        // Minutes over ten days (14,401 periods): the rows are grouped rather than each period sought.
        await store.temporal.append('', {
          id: 'urn:a:1',
          type: [],
          attrs: { [iri('t')]: [{ type: 'Property', value: 7, observedAt: hm(10 + 240, 0) }] },
        });
        const e = await aggregate(
          { attrs: [iri('t')] },
          { methods: ['totalCount', 'sum'], period: { months: 0, ms: 60_000 } },
        );
        const b = e.attrs[iri('t')]![0]!.buckets;
        expect(b).toHaveLength(9);
        expect(b[0]).toEqual({ start: hm(10, 0), end: hm(10, 1), values: { totalCount: 1, sum: 1 } });
        expect(b[8]).toEqual({ start: hm(250, 0), end: hm(250, 1), values: { totalCount: 1, sum: 7 } });
      });

      it('uses calendar months (UTC), clamping to the end of short months', async () => {
        const day = (m: number, d: number): string => new Date(Date.UTC(2026, m - 1, d)).toISOString();
        await store.temporal.append('', {
          id: 'urn:m:1',
          type: [iri('Meter')],
          attrs: {
            [iri('energy')]: [
              [day(1, 31), 1],
              [day(2, 27), 2],
              [day(2, 28), 3],
              [day(3, 30), 4],
              [day(3, 31), 5],
              [day(5, 1), 6],
            ].map(([t, v]): Attribute => ({ type: 'Property', value: v, observedAt: t as string })),
          },
        });
        const r = await store.temporal.aggregate('', tq({ ids: ['urn:m:1'] }), sel(), {
          methods: ['sum'],
          period: { months: 1, ms: 0 },
        });
        // From Jan 31: Feb 28 (clamped), Mar 31, Apr 30, May 31.
        expect(r.entities[0]!.attrs[iri('energy')]![0]!.buckets).toEqual([
          { start: day(1, 31), end: day(2, 28), values: { sum: 3 } },
          { start: day(2, 28), end: day(3, 31), values: { sum: 7 } },
          { start: day(3, 31), end: day(4, 30), values: { sum: 5 } },
          { start: day(4, 30), end: day(5, 31), values: { sum: 6 } },
        ]);
        // One year and a day: one period.
        const year = await store.temporal.aggregate('', tq({ ids: ['urn:m:1'] }), sel(), {
          methods: ['totalCount'],
          period: { months: 12, ms: 86_400_000 },
        });
        expect(year.entities[0]!.attrs[iri('energy')]![0]!.buckets).toEqual([
          { start: day(1, 31), end: new Date(Date.UTC(2027, 1, 1)).toISOString(), values: { totalCount: 6 } },
        ]);
      });

      it('gives the attribute type, selects entities and counts them', async () => {
        await store.temporal.append('', {
          id: 'urn:a:2',
          type: [iri('Sensor')],
          attrs: { [iri('link')]: [{ type: 'Relationship', value: 'urn:x', observedAt: hm(10, 0) }] },
        });
        const r = await store.temporal.aggregate(
          '',
          tq({ type: T('Sensor'), count: true, limit: 1, offset: 1 }),
          sel(),
          {
            methods: ['totalCount', 'distinctCount', 'min'],
          },
        );
        expect(r.count).toBe(2);
        expect(r.entities.map((e) => e.id)).toEqual(['urn:a:2']);
        expect(r.entities[0]!.attrs[iri('link')]).toEqual([
          {
            type: 'Relationship',
            buckets: [
              { start: hm(10, 0), end: hm(10, 0), values: { totalCount: 1, distinctCount: 1, min: 'urn:x' } },
            ],
          },
        ]);
      });

      it('refuses unknown methods and periods that do not partition time', async () => {
        const bad = (a: Aggregation) => store.temporal.aggregate('', tq(), sel(), a);
        expect(await rejectsWith(bad({ methods: ['median' as never] }))).toBe('BadRequestData');
        expect(await rejectsWith(bad({ methods: [] }))).toBe('BadRequestData');
        expect(await rejectsWith(bad({ methods: ['sum'], period: { months: 0, ms: -1 } }))).toBe(
          'BadRequestData',
        );
        expect(await rejectsWith(bad({ methods: ['sum'], period: { months: 0.5, ms: 0 } }))).toBe(
          'BadRequestData',
        );
        // Refused whether or not anything would match.
        expect(await rejectsWith(store.temporal.aggregate('urn:nobody', tq(), sel(), { methods: [] }))).toBe(
          'BadRequestData',
        );
        const badTime = sel({ time: { timerel: 'during' as 'before', timeAt: 0 } });
        expect(await rejectsWith(store.temporal.query('urn:nobody', tq(), badTime))).toBe('BadRequestData');
        expect(await rejectsWith(store.temporal.get('urn:nobody', 'urn:x', badTime))).toBe('BadRequestData');
        const nanTime = sel({ time: { timerel: 'after', timeAt: Number.NaN } });
        expect(await rejectsWith(store.temporal.query('', tq(), nanTime))).toBe('BadRequestData');
      });
    });

    describe('temporal writes', () => {
      it('appends instances without touching the current state, creating the temporal entity', async () => {
        const write = {
          id: 'urn:t:1',
          type: [iri('Sensor')],
          attrs: { [iri('v')]: [obs(1, 0)[0]!, obs(2, 5)[0]!] },
        };
        expect(await store.temporal.append('', write)).toEqual({ created: true });
        expect(
          await store.temporal.append('', {
            ...write,
            type: [iri('Meter')],
            attrs: { [iri('v')]: obs(3, 7) },
          }),
        ).toEqual({
          created: false,
        });
        expect(await store.getEntity('', 'urn:t:1')).toBeUndefined();
        const h = await history(store, 'urn:t:1');
        expect(h.type).toEqual([iri('Sensor'), iri('Meter')]);
        expect(values(h.attrs[iri('v')])).toEqual([1, 2, 3]);
        expect(await store.temporal.append('urn:tenant:new', write)).toEqual({ created: true });
        expect(await store.tenantExists('urn:tenant:new')).toBe(true);
      });

      it('patches one instance (modifiedAt moves, createdAt stays) and deletes one', async () => {
        await ok(store, '', [create(entity('urn:s:1', 'S', { v: obs(1, 0, { unitCode: 'CEL' }) }), at(1))]);
        await ok(store, '', [update('urn:s:1', { v: obs(2, 10) }, at(11))]);
        const [first, second] = (await history(store, 'urn:s:1')).attrs[iri('v')]!;
        expect(
          await store.temporal.patchInstance('', 'urn:s:1', iri('v'), first!.instanceId, {
            type: 'Property',
            value: 1.5,
            sub: { [iri('note')]: { type: 'Property', value: 'fixed' } },
          }),
        ).toBe(true);
        const patched = (await history(store, 'urn:s:1')).attrs[iri('v')]![0]!;
        expect(patched).toMatchObject({
          instanceId: first!.instanceId,
          value: 1.5,
          unitCode: 'CEL',
          observedAt: at(0),
          createdAt: at(1),
          sub: { [iri('note')]: { type: 'Property', value: 'fixed' } },
        });
        expect(ms(patched.modifiedAt)).toBeGreaterThan(ms(at(1)));
        // Wrong attribute, entity, tenant or id: not found.
        const p = { type: 'Property' as const, value: 0 };
        expect(await store.temporal.patchInstance('', 'urn:s:1', iri('w'), first!.instanceId, p)).toBe(false);
        expect(await store.temporal.patchInstance('', 'urn:s:2', iri('v'), first!.instanceId, p)).toBe(false);
        expect(await store.temporal.patchInstance('urn:t', 'urn:s:1', iri('v'), first!.instanceId, p)).toBe(
          false,
        );
        expect(await store.temporal.patchInstance('', 'urn:s:1', iri('v'), 'urn:x:1', p)).toBe(false);

        expect(await store.temporal.deleteInstance('', 'urn:s:1', iri('v'), second!.instanceId)).toBe(true);
        expect(await store.temporal.deleteInstance('', 'urn:s:1', iri('v'), second!.instanceId)).toBe(false);
        expect(values((await history(store, 'urn:s:1')).attrs[iri('v')])).toEqual([1.5]);
        // Instance ids are never reused, even after a delete.
        await ok(store, '', [update('urn:s:1', { v: obs(3, 20) }, at(21))]);
        const ids = (await history(store, 'urn:s:1')).attrs[iri('v')]!.map((i) => i.instanceId);
        expect(ids).not.toContain(second!.instanceId);
      });

      it("deletes an entity's whole temporal representation", async () => {
        await ok(store, '', [create(entity('urn:s:1', 'S', { v: obs(1, 0) }), at(1))]);
        expect(await store.temporal.deleteEntity('', 'urn:s:1')).toBe(true);
        expect(await store.temporal.get('', 'urn:s:1', sel())).toBeUndefined();
        expect(await store.temporal.deleteEntity('', 'urn:s:1')).toBe(false);
        expect(await store.temporal.deleteEntity('urn:nobody', 'urn:s:1')).toBe(false);
        // The current entity is untouched; its next change starts a new history.
        expect(await store.getEntity('', 'urn:s:1')).toBeDefined();
        await ok(store, '', [update('urn:s:1', { v: obs(2, 5) }, at(5))]);
        expect(values((await history(store, 'urn:s:1')).attrs[iri('v')])).toEqual([2]);
      });

      it('prunes instances recorded before an instant, of some types or all', async () => {
        await ok(store, '', [
          create(entity('urn:s:1', 'Sensor', { v: obs(1, 0) }), at(1)),
          create(entity('urn:m:1', 'Meter', { v: obs(1, 0) }), at(1)),
        ]);
        for (const id of ['urn:s:1', 'urn:m:1']) {
          await ok(store, '', [update(id, { v: obs(2, 10) }, at(11))]);
          await ok(store, '', [update(id, { v: obs(3, 20) }, at(21))]);
        }
        expect(await store.temporal.prune('', at(15), [iri('Meter')])).toBe(2);
        expect(values((await history(store, 'urn:m:1')).attrs[iri('v')])).toEqual([3]);
        expect(values((await history(store, 'urn:s:1')).attrs[iri('v')])).toEqual([1, 2, 3]);
        expect(await store.temporal.prune('', at(15))).toBe(2);
        expect(values((await history(store, 'urn:s:1')).attrs[iri('v')])).toEqual([3]);
        expect(await store.temporal.prune('urn:nobody', at(15))).toBe(0);
        expect(await rejectsWith(store.temporal.prune('', 'yesterday'))).toBe('BadRequestData');
      });
    });

    describe('entity selection and tenants', () => {
      beforeEach(async () => {
        await ok(store, '', [
          create(
            entity('urn:x:01', ['Building', 'Heritage'], { height: obs(30, 0), name: obs('b', 0) }),
            at(1),
          ),
          create(entity('urn:x:02', 'Building', { height: obs(12, 0) }), at(1)),
          create(entity('urn:x:03', 'Heritage', { name: obs('c', 0) }), at(1)),
          create(
            entity('urn:y:04', 'Street', {
              width: obs(8, 0),
              [LOCATION]: geo({ type: 'Point', coordinates: [1, 1] }, { observedAt: at(0) }),
            }),
            at(1),
          ),
        ]);
        await ok(store, 'urn:t:2', [create(entity('urn:x:01', 'Other', { height: obs(99, 0) }), at(1))]);
      });
      const found = async (q: Partial<TemporalEntityQuery>, tenant = ''): Promise<string[]> =>
        (await store.temporal.query(tenant, tq(q), sel())).entities.map((e) => e.id);

      it('selects by type expression over all types, ids, idPattern and attributes', async () => {
        expect(await found({ type: T('Building') })).toEqual(['urn:x:01', 'urn:x:02']);
        expect(await found({ type: { kind: 'and', items: [T('Building'), T('Heritage')] } })).toEqual([
          'urn:x:01',
        ]);
        expect(await found({ type: { kind: 'or', items: [T('Heritage'), T('Street')] } })).toEqual([
          'urn:x:01',
          'urn:x:03',
          'urn:y:04',
        ]);
        expect(await found({ type: T('Unknown') })).toEqual([]);
        expect(await found({ ids: ['urn:x:03', 'urn:y:04', 'urn:none'] })).toEqual(['urn:x:03', 'urn:y:04']);
        expect(await found({ idPattern: '^urn:x:0[23]$' })).toEqual(['urn:x:02', 'urn:x:03']);
        expect(await found({ attrs: [iri('name')] })).toEqual(['urn:x:01', 'urn:x:03']);
        expect(await rejectsWith(store.temporal.query('', tq({ idPattern: '(a+)+$' }), sel()))).toBe(
          'BadRequestData',
        );
      });

      it('pages entities by id and counts them', async () => {
        const r = await store.temporal.query('', tq({ limit: 2, offset: 1, count: true }), sel());
        expect(r.entities.map((e) => e.id)).toEqual(['urn:x:02', 'urn:x:03']);
        expect(r.count).toBe(4);
        const counted = await store.temporal.query('', tq({ limit: 0, count: true }), sel());
        expect(counted).toEqual({ entities: [], count: 4 });
        expect(await rejectsWith(store.temporal.query('', tq({ limit: -1 }), sel()))).toBe('BadRequestData');
        expect(await rejectsWith(store.temporal.query('', tq(), sel({ limit: 0 })))).toBe('BadRequestData');
        expect(await rejectsWith(store.temporal.query('', tq(), sel({ lastN: 0 })))).toBe('BadRequestData');
      });

      it('tests q, geoQ and scopeQ on the current state', async () => {
        expect(await found({ q: cmp('height', '>', num(20)) })).toEqual(['urn:x:01']);
        // The current value decides, not the history.
        await ok(store, '', [update('urn:x:02', { height: obs(40, 5) }, at(5))]);
        expect(await found({ q: cmp('height', '>', num(20)) })).toEqual(['urn:x:01', 'urn:x:02']);
        await ok(store, '', [del('urn:x:01')]);
        expect(await found({ q: cmp('height', '>', num(20)) })).toEqual(['urn:x:02']);
        expect(await found({ q: cmp('height', '>', num(20)), type: T('Heritage') })).toEqual([]);
        const near = {
          georel: 'near' as const,
          maxDistance: 1000,
          geometry: { type: 'Point' as const, coordinates: [1, 1] },
          geoproperty: LOCATION,
        };
        expect(await found({ geoQ: near })).toEqual(['urn:y:04']);
        const r = await store.temporal.query('', tq({ q: cmp('height', '>', num(20)), count: true }), sel());
        expect(r.count).toBe(1);
      });

      it('isolates tenants; an unknown tenant has nothing', async () => {
        expect(await found({}, 'urn:t:2')).toEqual(['urn:x:01']);
        const there = await history(store, 'urn:x:01', {}, 'urn:t:2');
        expect(there.type).toEqual([iri('Other')]);
        expect(values(there.attrs[iri('height')])).toEqual([99]);
        expect(values((await history(store, 'urn:x:01')).attrs[iri('height')])).toEqual([30]);
        expect(await found({ type: T('Building') }, 'urn:t:2')).toEqual([]);
        const first = (await history(store, 'urn:x:01')).attrs[iri('height')]![0]!;
        expect(
          await store.temporal.deleteInstance('urn:t:2', 'urn:x:01', iri('height'), first.instanceId),
        ).toBe(false);
        expect(await store.temporal.deleteEntity('urn:t:2', 'urn:x:01')).toBe(true);
        expect(await history(store, 'urn:x:01')).toBeDefined();
        expect(await store.temporal.query('urn:nobody', tq({ count: true }), sel())).toEqual({
          entities: [],
          count: 0,
        });
        expect(await store.temporal.get('urn:nobody', 'urn:x:01', sel())).toBeUndefined();
        const agg = await store.temporal.aggregate('urn:nobody', tq(), sel(), { methods: ['sum'] });
        expect(agg).toEqual({ entities: [] });
      });
    });
  });
}
