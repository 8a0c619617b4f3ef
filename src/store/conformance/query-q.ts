/**
 * Conformance: q (NGSI-LD 4.9) evaluated by the store exactly as the reference `matchesQ`
 * (core/query/q-match.ts): every operator on numbers, strings, booleans, dates, null, relationships,
 * lists, language maps, sub-attributes, members, JSON keys and multi-instance attributes — by hand,
 * then by a property that compares the store with the reference on random entities and expressions.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Entity } from '../../core/model/entity.js';
import type { QExpr } from '../../core/query/ast.js';
import { matchesQ } from '../../core/query/q-match.js';
import { qArbitrary, randomEntities } from './q-arbitraries.js';
import {
  and,
  anyOf,
  between,
  bool,
  cmp,
  dt,
  entity,
  has,
  hasNot,
  ids,
  inst,
  nul,
  num,
  or,
  path,
  prop,
  rel,
  rejectsWith,
  seed,
  str,
  uri,
  seededStore,
  type MakeStore,
} from './fixtures.js';

const FIXTURES: Entity[] = [
  entity('urn:e1', 'Sensor', {
    temperature: prop(20, {
      observedAt: '2024-01-01T10:00:00Z',
      unitCode: 'CEL',
      sub: { 'https://example.org/vocab/accuracy': inst('Property', 0.5) },
    }),
    name: prop('alpha'),
    active: prop(true),
    tags: prop(['red', 'green']),
    address: prop({ city: 'Paris', zip: 75001 }),
    owner: rel('urn:p:1'),
    readings: [inst('ListProperty', [1, 5, 9])],
    label: [inst('LanguageProperty', { en: 'hello', fr: 'bonjour' })],
    since: prop('2023-06-01T00:00:00Z'),
  }),
  entity('urn:e2', 'Sensor', {
    temperature: prop(25.5, { observedAt: '2024-01-02T10:00:00Z' }),
    name: prop('beta'),
    active: prop(false),
    tags: prop(['blue']),
    address: prop({ city: 'Lyon' }),
    owner: rel('urn:p:2'),
    since: prop('2024-03-01'),
  }),
  entity('urn:e3', 'Sensor', {
    temperature: [inst('Property', 10), inst('Property', 30, { datasetId: 'urn:ds:2' })],
    name: prop('gamma'),
    empty: prop(null),
  }),
  entity('urn:e4', 'Device', {
    temperature: prop('hot'),
    name: prop('delta'),
    owner: rel(['urn:p:1', 'urn:p:3']),
  }),
  entity('urn:e5', 'Device', { name: prop('Échelle') }),
];

/** Register the q tests for a store factory. */
export function describeQueryQ(makeStore: MakeStore): void {
  describe('query: q', () => {
    const store = seededStore(makeStore, FIXTURES);

    const cases: Array<[string, QExpr, string[]]> = [
      ['number ==', cmp('temperature', '==', num(20)), ['e1']],
      [
        'number != (mismatching types count as unequal)',
        cmp('temperature', '!=', num(20)),
        ['e2', 'e3', 'e4'],
      ],
      ['number >', cmp('temperature', '>', num(20)), ['e2', 'e3']],
      ['number >=', cmp('temperature', '>=', num(20)), ['e1', 'e2', 'e3']],
      ['number <', cmp('temperature', '<', num(15)), ['e3']],
      ['number <=', cmp('temperature', '<=', num(10)), ['e3']],
      ['number range', between('temperature', num(10), num(25.5)), ['e1', 'e2', 'e3']],
      ['number negated range', between('temperature', num(10), num(25), true), ['e2', 'e4']],
      ['number list', anyOf('temperature', [num(20), num(30)]), ['e1', 'e3']],
      ['number negated list', anyOf('temperature', [num(20), num(30)], true), ['e2', 'e4']],
      ['second instance (datasetId)', cmp('temperature', '==', num(30)), ['e3']],
      ['string == on a mixed attribute', cmp('temperature', '==', str('hot')), ['e4']],
      ['string ordering', cmp('temperature', '>', str('a')), ['e4']],
      ['type mismatch never matches', cmp('temperature', '==', str('20')), []],
      ['ordering across types never matches', cmp('name', '>', num(5)), []],
      ['pattern', cmp('name', '~=', str('^[ab]')), ['e1', 'e2']],
      ['case-insensitive pattern', cmp('name', '~=', str('(?i)^ALP')), ['e1']],
      ['negated pattern', cmp('name', '!~=', str('a')), ['e5']],
      ['unicode string equality', cmp('name', '==', str('Échelle')), ['e5']],
      ['boolean ==', cmp('active', '==', bool(true)), ['e1']],
      ['boolean !=', cmp('active', '!=', bool(true)), ['e2']],
      ['boolean has no order', cmp('active', '>', bool(false)), []],
      ['boolean vs string', cmp('active', '==', str('true')), []],
      ['array element ==', cmp('tags', '==', str('green')), ['e1']],
      ['array != holds when no element equals', cmp('tags', '!=', str('red')), ['e2']],
      ['JSON key ==', cmp(path('address', [], ['city']), '==', str('Paris')), ['e1']],
      ['JSON key >', cmp(path('address', [], ['zip']), '>', num(75000)), ['e1']],
      ['JSON key !=', cmp(path('address', [], ['city']), '!=', str('Paris')), ['e2']],
      ['JSON key exists', has(path('address', [], ['zip'])), ['e1']],
      [
        'observedAt > date-time',
        cmp(path('temperature', ['observedAt']), '>', dt('2024-01-01T12:00:00Z')),
        ['e2'],
      ],
      [
        'observedAt == same instant, other offset',
        cmp(path('temperature', ['observedAt']), '==', dt('2024-01-01T11:00:00+01:00')),
        ['e1'],
      ],
      ['unitCode', cmp(path('temperature', ['unitCode']), '==', str('CEL')), ['e1']],
      ['datasetId', cmp(path('temperature', ['datasetId']), '==', str('urn:ds:2')), ['e3']],
      ['sub-attribute value', cmp(path('temperature', ['accuracy']), '<', num(1)), ['e1']],
      ['sub-attribute exists', has(path('temperature', ['accuracy'])), ['e1']],
      ['relationship ==', cmp('owner', '==', uri('urn:p:1')), ['e1', 'e4']],
      ['relationship == with a string literal', cmp('owner', '==', str('urn:p:3')), ['e4']],
      ['relationship !=', cmp('owner', '!=', uri('urn:p:1')), ['e2']],
      ['relationships have no order', cmp('owner', '>', uri('urn:p:0')), []],
      ['relationship range', between('owner', uri('urn:p:1'), uri('urn:p:2')), ['e1', 'e2', 'e4']],
      ['patterns never match relationships', cmp('owner', '~=', str('p')), []],
      ['list property element', cmp('readings', '==', num(5)), ['e1']],
      ['list property ordering', cmp('readings', '>', num(8)), ['e1']],
      ['language map any text', cmp('label', '==', str('bonjour')), ['e1']],
      ['language map by language', cmp(path('label', [], ['en']), '==', str('hello')), ['e1']],
      ['language map other language', cmp(path('label', [], ['fr']), '==', str('hello')), []],
      ['date string vs date-time literal', cmp('since', '>', dt('2024-01-01T00:00:00Z')), ['e2']],
      ['date-time string vs date literal', cmp('since', '<', dt('2024-01-01')), ['e1']],
      ['date range', between('since', dt('2023-01-01'), dt('2024-12-31')), ['e1', 'e2']],
      ['null ==', cmp('empty', '==', nul), ['e3']],
      ['null !=', cmp('empty', '!=', nul), []],
      ['exists', has('temperature'), ['e1', 'e2', 'e3', 'e4']],
      ['exists with a null value', has('empty'), ['e3']],
      ['not exists', hasNot('temperature'), ['e5']],
      ['unknown attribute', cmp('nothing', '==', num(1)), []],
      ['unknown attribute !=', cmp('nothing', '!=', num(1)), []],
      ['unknown attribute absent', hasNot('nothing'), ['e1', 'e2', 'e3', 'e4', 'e5']],
      ['and', and(cmp('temperature', '>', num(15)), cmp('name', '==', str('beta'))), ['e2']],
      ['or', or(cmp('temperature', '<', num(15)), cmp('name', '==', str('alpha'))), ['e1', 'e3']],
      [
        'nested',
        and(
          or(has('active'), hasNot('temperature')),
          or(cmp('name', '~=', str('a$')), cmp('name', '==', str('Échelle'))),
        ),
        ['e1', 'e2', 'e5'],
      ],
    ];
    for (const [name, q, expected] of cases) {
      it(name, async () => {
        expect(await ids(store(), { q })).toEqual(expected.map((e) => `urn:${e}`));
        // The reference evaluator agrees with every hand-written expectation.
        expect(FIXTURES.filter((e) => matchesQ(e, q)).map((e) => e.id)).toEqual(
          expected.map((e) => `urn:${e}`),
        );
      });
    }

    it('combines q with a type and counts', async () => {
      const r = await store().queryEntities('', {
        type: { kind: 'type', name: 'https://example.org/vocab/Device' },
        q: has('temperature'),
        limit: 10,
        offset: 0,
        count: true,
      });
      expect(r.count).toBe(1);
      expect(r.entities.map((e) => e.id)).toEqual(['urn:e4']);
    });

    it('rejects a bad or risky pattern with BadRequestData', async () => {
      expect(
        await rejectsWith(
          store().queryEntities('', { q: cmp('name', '~=', str('(')), limit: 1, offset: 0, count: false }),
        ),
      ).toBe('BadRequestData');
      expect(
        await rejectsWith(
          store().queryEntities('', {
            q: cmp('name', '~=', str('(a+)+$')),
            limit: 1,
            offset: 0,
            count: false,
          }),
        ),
      ).toBe('BadRequestData');
    });
  });

  describe('query: q agrees with the reference matchesQ', () => {
    it('on random entities and expressions', async () => {
      await fc.assert(
        fc.asyncProperty(
          randomEntities,
          fc.array(qArbitrary, { minLength: 1, maxLength: 8 }),
          async (entities, qs) => {
            const store = await makeStore();
            try {
              await seed(store, entities);
              for (const q of qs) {
                const expected = entities
                  .filter((e) => matchesQ(e, q))
                  .map((e) => e.id)
                  .sort();
                expect(await ids(store, { q, limit: 1000 })).toEqual(expected);
                const counted = await store.queryEntities('', { q, limit: 0, offset: 0, count: true });
                expect(counted.count).toBe(expected.length);
              }
            } finally {
              await store.close();
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  });
}
