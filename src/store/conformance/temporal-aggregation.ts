/**
 * Conformance: aggregation of the temporal history (clause 4.5.19) — every method, periods fixed and
 * calendar, datasetIds, time filters; expected values computed by hand in the comments.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Attribute } from '../../core/model/entity.js';
import type { AggregatedEntity, Aggregation, InstanceSelect } from '../../core/temporal/model.js';
import type { Store } from '../port.js';
import { iri, rejectsWith, type MakeStore } from './fixtures.js';
import { ms, T, HOUR, sel, tq } from './temporal-fixtures.js';

/** Register the aggregation tests for a store factory. */
export function describeTemporalAggregation(makeStore: MakeStore): void {
  describe('temporal history: aggregation', () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
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
  });
}
