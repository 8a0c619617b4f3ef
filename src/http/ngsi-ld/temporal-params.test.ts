// Parameters of the temporal endpoints (clause 4.11 temporal query, 4.5.19 aggregation, 6.18 – 6.24).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NgsiError } from '../../core/errors.js';
import { createCoreActiveContext } from '../../core/jsonld/context-processor.js';
import type { QueryString } from './query-params.js';
import { queryBodyAsParams, temporalEntityQuery, temporalParams, timeFilter } from './temporal-params.js';

const core = createCoreActiveContext();
const D = 'https://uri.etsi.org/ngsi-ld/default-context/';
const limits = { defaultLimit: 20, maxLimit: 100 };
const parse = (qs: QueryString) => temporalParams(qs, core, 500);

function detailOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NgsiError);
    expect((e as NgsiError).status).toBe(400);
    return (e as NgsiError).detail;
  }
  throw new Error('expected a 400');
}

describe('temporalParams', () => {
  it('defaults: normalized, observedAt, the server maximum, no time filter', () => {
    expect(parse({})).toEqual({
      representation: 'normalized',
      select: { timeproperty: 'observedAt', limit: 500 },
      render: { timeproperty: 'observedAt', sysAttrs: false },
    });
  });

  it('reads the temporal query, lastN, timeproperty and attrs', () => {
    const p = parse({
      timerel: 'between',
      timeAt: '2026-01-01T00:00:00Z',
      endTimeAt: '2026-01-02T00:00:00+01:00',
      timeproperty: 'modifiedAt',
      lastN: '3',
      attrs: 'speed,fuel',
      options: 'temporalValues,sysAttrs',
      lang: 'fr',
    });
    expect(p.representation).toBe('temporalValues');
    expect(p.select).toEqual({
      timeproperty: 'modifiedAt',
      limit: 500,
      lastN: 3,
      attrs: [`${D}speed`, `${D}fuel`],
      time: {
        timerel: 'between',
        timeAt: Date.parse('2026-01-01T00:00:00Z'),
        endTimeAt: Date.parse('2026-01-01T23:00:00Z'),
      },
    });
    expect(p.render).toMatchObject({ sysAttrs: true, lang: 'fr', timeproperty: 'modifiedAt' });
    expect(p.render.attrs).toEqual(new Set([`${D}speed`, `${D}fuel`]));
  });

  it('reads an aggregation', () => {
    const p = parse({ options: 'aggregatedValues', aggrMethods: 'avg,max,avg', aggrPeriodDuration: 'PT1H' });
    expect(p.representation).toBe('aggregatedValues');
    expect(p.aggregation).toEqual({ methods: ['avg', 'max'], period: { months: 0, ms: 3_600_000 } });
    expect(parse({ format: 'aggregatedValues', aggrMethods: 'totalCount' }).aggregation).toEqual({
      methods: ['totalCount'],
    });
  });

  it.each<[QueryString, string]>([
    [{ timerel: 'after' }, 'timerel=after needs timeAt'],
    [{ timeAt: '2026-01-01T00:00:00Z' }, 'timeAt needs timerel'],
    [{ endTimeAt: '2026-01-01T00:00:00Z' }, 'endTimeAt needs timerel=between'],
    [{ timerel: 'during', timeAt: '2026-01-01T00:00:00Z' }, 'timerel must be before, after or between'],
    [{ timerel: 'between', timeAt: '2026-01-01T00:00:00Z' }, 'between needs endTimeAt'],
    [
      { timerel: 'after', timeAt: '2026-01-01T00:00:00Z', endTimeAt: '2026-01-02T00:00:00Z' },
      'endTimeAt is only allowed with timerel=between',
    ],
    [
      { timerel: 'between', timeAt: '2026-01-02T00:00:00Z', endTimeAt: '2026-01-02T00:00:00Z' },
      'must be later than timeAt',
    ],
    [
      { timerel: 'between', timeAt: '2026-01-02T00:00:00Z', endTimeAt: '2026-01-01T00:00:00Z' },
      'must be later than timeAt',
    ],
    [{ timerel: 'before', timeAt: 'yesterday' }, 'timeAt must be an ISO 8601 date-time'],
    [{ timerel: 'before', timeAt: '2026-02-30T00:00:00Z' }, 'timeAt must be an ISO 8601 date-time'],
    [{ timerel: 'before', timeAt: '2026-01-01T00:00:00' }, 'timeAt must be an ISO 8601 date-time'],
    [
      { timerel: 'between', timeAt: '2026-01-01T00:00:00Z', endTimeAt: 'soon' },
      'endTimeAt must be an ISO 8601 date-time',
    ],
    [{ timerel: ['before', 'after'], timeAt: '2026-01-01T00:00:00Z' }, 'given more than once'],
    [{ lastN: '0' }, 'lastN must be a positive integer'],
    [{ lastN: '-1' }, 'lastN must be a positive integer'],
    [{ lastN: '1.5' }, 'lastN must be a positive integer'],
    [{ lastN: 'x' }, 'lastN must be a positive integer'],
    [{ timeproperty: 'deletedAt' }, 'timeproperty must be one of'],
    [{ options: 'keyValues' }, 'unknown option "keyValues"'],
    [{ options: 'temporalValues,aggregatedValues', aggrMethods: 'avg' }, 'conflicting representations'],
    [{ options: 'temporalValues', format: 'normalized' }, 'conflicting representations'],
    [{ format: 'simplified' }, 'unknown format'],
    [{ options: 'aggregatedValues' }, 'needs aggrMethods'],
    [{ options: 'aggregatedValues', aggrMethods: 'avg,median' }, 'unknown aggrMethod "median"'],
    [{ options: 'aggregatedValues', aggrMethods: 'avg,' }, 'empty item'],
    [{ aggrMethods: 'avg' }, 'aggrMethods needs options=aggregatedValues'],
    [{ aggrPeriodDuration: 'PT1H' }, 'aggrPeriodDuration needs options=aggregatedValues'],
    [{ options: 'aggregatedValues', aggrMethods: 'avg', aggrPeriodDuration: 'PT0S' }, 'longer than zero'],
    [
      { options: 'aggregatedValues', aggrMethods: 'avg', aggrPeriodDuration: '1h' },
      'not an ISO 8601 duration',
    ],
    [{ pick: 'id', omit: 'type' }, 'pick and omit'],
    [{ pick: 'id', attrs: 'speed' }, 'pick and attrs'],
  ])('refuses %j', (qs, fragment) => {
    expect(detailOf(() => parse(qs))).toContain(fragment);
  });

  it('never fails with anything but a 400 on arbitrary parameters', () => {
    const names = fc.constantFrom(
      'timerel',
      'timeAt',
      'endTimeAt',
      'timeproperty',
      'lastN',
      'options',
      'format',
      'aggrMethods',
      'aggrPeriodDuration',
      'attrs',
      'pick',
      'omit',
      'lang',
    );
    const values = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom(
        'between',
        'after',
        '2026-01-01T00:00:00Z',
        'PT1H',
        'P1M',
        'aggregatedValues',
        'avg,sum',
        '3',
      ),
    );
    fc.assert(
      fc.property(fc.dictionary(names, values, { maxKeys: 6 }), (qs) => {
        try {
          const p = parse(qs);
          expect(p.select.limit).toBe(500);
          if (p.select.time?.timerel === 'between')
            expect(p.select.time.endTimeAt).toBeGreaterThan(p.select.time.timeAt);
          expect(p.aggregation !== undefined).toBe(p.representation === 'aggregatedValues');
        } catch (e) {
          expect((e as NgsiError).status).toBe(400);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('timeFilter', () => {
  it('gives epoch milliseconds whatever the offset', () => {
    expect(timeFilter('before', '2026-01-01T01:00:00+01:00', undefined)).toEqual({
      timerel: 'before',
      timeAt: Date.parse('2026-01-01T00:00:00Z'),
    });
    expect(timeFilter(undefined, undefined, undefined)).toBeUndefined();
  });
});

describe('temporalEntityQuery', () => {
  it('selects entities like GET /entities and pages over entities', () => {
    expect(
      temporalEntityQuery(
        { type: 'Vehicle', q: 'speed>1', limit: '5', offset: '10', count: 'true' },
        core,
        limits,
      ),
    ).toMatchObject({
      type: { kind: 'type', name: `${D}Vehicle` },
      q: { kind: 'compare' },
      limit: 5,
      offset: 10,
      count: true,
    });
    expect(() => temporalEntityQuery({ type: 'T', limit: '101' }, core, limits)).toThrow(
      /exceeds the maximum/,
    );
  });
});

describe('queryBodyAsParams', () => {
  it('maps a Query with temporalQ onto parameters', () => {
    expect(
      queryBodyAsParams({
        type: 'Query',
        entities: [{ type: 'Vehicle' }],
        attrs: ['speed'],
        q: 'speed>1',
        lang: 'en',
        temporalQ: {
          timerel: 'after',
          timeAt: '2026-01-01T00:00:00Z',
          lastN: 2,
          aggrMethods: ['avg', 'min'],
          aggrPeriodDuration: 'P1D',
        },
      }),
    ).toEqual({
      type: 'Vehicle',
      attrs: 'speed',
      q: 'speed>1',
      lang: 'en',
      timerel: 'after',
      timeAt: '2026-01-01T00:00:00Z',
      lastN: '2',
      aggrMethods: 'avg,min',
      aggrPeriodDuration: 'P1D',
    });
  });

  it('refuses several selectors with ids, and non-URI ids', () => {
    expect(
      detailOf(() => queryBodyAsParams({ entities: [{ type: 'A' }, { id: 'urn:x:1', type: 'B' }] })),
    ).toContain('several entity selectors');
    expect(detailOf(() => queryBodyAsParams({ entities: [{ id: 'nope' }] }))).toContain('URI');
    expect(queryBodyAsParams({ entities: [{ type: 'A' }, { type: 'B' }] }).type).toBe('A,B');
  });
});
