/**
 * Conformance: visibility (access control pushed into queries). Entities in some allow scope and in
 * no deny scope are selected — by type, id pattern or both; no allow scope selects nothing — and
 * counts and pages stay exact because the store filters, not the caller. Each case is checked
 * against a reference predicate over the fixtures, alone and with q / type / ids filters, for
 * entity queries, queryIds and temporal queries.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Entity } from '../../core/model/entity.js';
import type { EntityQuery, TypeExpr, Visibility, VisibilityScope } from '../../core/query/ast.js';
import type { Store } from '../port.js';
import {
  cmp,
  del,
  entity,
  ids,
  iri,
  num,
  prop,
  query,
  rejectsWith,
  seed,
  seededStore,
  type MakeStore,
} from './fixtures.js';
import { sel, tq } from './temporal-fixtures.js';

const T = (name: string): TypeExpr => ({ kind: 'type', name: iri(name) });
const KINDS = ['Sensor', 'Meter', 'Street'];

/** 45 entities: urn:a:NN (even) / urn:b:NN (odd), types cycling Sensor, Meter, Street; every 5th also Private. */
const FIXTURES: Entity[] = Array.from({ length: 45 }, (_, i) => {
  const id = `urn:${i % 2 === 0 ? 'a' : 'b'}:${String(i).padStart(2, '0')}`;
  const types = i % 5 === 0 ? [KINDS[i % 3]!, 'Private'] : [KINDS[i % 3]!];
  return entity(id, types, { level: prop(i) });
});
const ALL_IDS = FIXTURES.map((e) => e.id).sort();

/** What a scope and a visibility mean, in memory, for the reference answers. */
const inScope = (e: Entity, s: VisibilityScope): boolean =>
  (s.types === undefined || s.types.some((t) => e.type.includes(t))) &&
  (s.idPattern === undefined || new RegExp(s.idPattern).test(e.id));
const visible = (e: Entity, v: Visibility): boolean =>
  v.allow.some((s) => inScope(e, s)) && !v.deny.some((s) => inScope(e, s));
const expected = (v: Visibility, also: (e: Entity) => boolean = () => true): string[] =>
  FIXTURES.filter((e) => visible(e, v) && also(e))
    .map((e) => e.id)
    .sort();

const CASES: Array<[string, Visibility]> = [
  ['by type', { allow: [{ types: [iri('Sensor')] }], deny: [] }],
  ['by id pattern', { allow: [{ idPattern: '^urn:a:' }], deny: [] }],
  ['by type and id pattern', { allow: [{ types: [iri('Meter')], idPattern: '^urn:b:' }], deny: [] }],
  [
    'by any of several scopes',
    { allow: [{ types: [iri('Sensor')] }, { types: [iri('Street')], idPattern: '1$' }], deny: [] },
  ],
  ['by several types in one scope', { allow: [{ types: [iri('Sensor'), iri('Meter')] }], deny: [] }],
  ['everything but a denied type', { allow: [{}], deny: [{ types: [iri('Private')] }] }],
  [
    'a type but a denied id pattern',
    { allow: [{ types: [iri('Sensor')] }], deny: [{ idPattern: '^urn:b:' }, { idPattern: '3$' }] },
  ],
  ['a type but a denied type', { allow: [{ types: [iri('Meter')] }], deny: [{ types: [iri('Private')] }] }],
];
const NOTHING: Array<[string, Visibility]> = [
  ['no allow scope', { allow: [], deny: [] }],
  ['an allow scope of no types', { allow: [{ types: [] }], deny: [] }],
  ['an allow scope of an unknown type', { allow: [{ types: [iri('Unknown')] }], deny: [] }],
  ['everything allowed and denied', { allow: [{}], deny: [{}] }],
];

/** Register the visibility tests for a store factory. */
export function describeQueryVisibility(makeStore: MakeStore): void {
  describe('query: visibility', () => {
    const store = seededStore(makeStore, FIXTURES);
    const counted = (q: Partial<EntityQuery>) => store().queryEntities('', query({ ...q, count: true }));

    it('without visibility, selects everything (the fixtures are as expected)', async () => {
      expect(await ids(store(), {})).toEqual(ALL_IDS);
      for (const [, v] of CASES) {
        expect(expected(v).length).toBeGreaterThan(0);
        expect(expected(v).length).toBeLessThan(FIXTURES.length);
      }
    });

    for (const [name, v] of CASES) {
      it(`selects ${name}, with an exact count`, async () => {
        const r = await counted({ visibility: v });
        expect(r.entities.map((e) => e.id)).toEqual(expected(v));
        expect(r.count).toBe(expected(v).length);
      });
    }

    for (const [name, v] of NOTHING) {
      it(`selects nothing with ${name}, and counts 0`, async () => {
        expect(await counted({ visibility: v })).toEqual({ entities: [], count: 0 });
        expect(await counted({ visibility: v, type: T('Sensor') })).toEqual({ entities: [], count: 0 });
        expect(await counted({ visibility: v, ids: ['urn:a:00'] })).toEqual({ entities: [], count: 0 });
        expect(await store().queryIds('', { visibility: v })).toEqual([]);
      });
    }

    it('pages exactly: every visible entity once, in order, with the same count on every page', async () => {
      for (const [, v] of CASES) {
        const want = expected(v);
        const got: string[] = [];
        for (let offset = 0; offset < want.length + 7; offset += 7) {
          const r = await counted({ visibility: v, limit: 7, offset });
          expect(r.count).toBe(want.length);
          got.push(...r.entities.map((e) => e.id));
        }
        expect(got).toEqual(want);
      }
    });

    it('combines with type, q, ids and attrs filters, and with an order', async () => {
      const v = CASES[3]![1];
      const sensorsOrStreets = { kind: 'or' as const, items: [T('Sensor'), T('Street')] };
      const level = (e: Entity): number => e.attrs[iri('level')]![0]!.value as number;
      let r = await counted({ visibility: v, type: sensorsOrStreets, q: cmp('level', '>', num(20)) });
      const want = expected(v, (e) => level(e) > 20);
      expect(r.entities.map((e) => e.id)).toEqual(want);
      expect(r.count).toBe(want.length);
      r = await counted({ visibility: v, type: T('Meter') });
      expect(r).toEqual({ entities: [], count: 0 });
      r = await counted({ visibility: v, ids: ['urn:a:00', 'urn:b:01', 'urn:b:03', 'urn:b:21'] });
      expect(r.entities.map((e) => e.id)).toEqual(['urn:a:00', 'urn:b:03', 'urn:b:21']);
      expect(r.count).toBe(3);
      r = await counted({ visibility: v, attrs: [iri('level')], idPattern: '^urn:b:' });
      expect(r.entities.map((e) => e.id)).toEqual(expected(v, (e) => e.id.startsWith('urn:b:')));
      const ordered = await store().queryEntities(
        '',
        query({
          visibility: v,
          orderBy: [{ key: { attr: iri('level'), sub: [], keys: [] }, descending: true }],
          limit: 3,
        }),
      );
      const top = FIXTURES.filter((e) => visible(e, v))
        .sort((a, b) => level(b) - level(a))
        .slice(0, 3)
        .map((e) => e.id);
      expect(ordered.entities.map((e) => e.id)).toEqual(top);
    });

    it('lists the ids of visible entities only (purge)', async () => {
      for (const [, v] of CASES) expect(await store().queryIds('', { visibility: v })).toEqual(expected(v));
      const v = CASES[0]![1];
      expect(await store().queryIds('', { visibility: v, q: cmp('level', '<', num(10)) })).toEqual(
        expected(v, (e) => (e.attrs[iri('level')]![0]!.value as number) < 10),
      );
    });

    it('refuses a bad id pattern in a scope', async () => {
      const bad: Visibility = { allow: [{ idPattern: '(a+)+$' }], deny: [] };
      expect(await rejectsWith(counted({ visibility: bad }))).toBe('BadRequestData');
      const badDeny: Visibility = { allow: [{}], deny: [{ idPattern: '(' }] };
      expect(await rejectsWith(store().queryIds('', { visibility: badDeny }))).toBe('BadRequestData');
    });
  });

  describe('temporal query: visibility', () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
      await seed(store, FIXTURES);
    });
    afterEach(async () => {
      await store.close();
    });
    const found = async (v: Visibility, extra: Parameters<typeof tq>[0] = {}) => {
      const r = await store.temporal.query('', tq({ ...extra, visibility: v, count: true }), sel());
      return { ids: r.entities.map((e) => e.id), count: r.count };
    };

    it('selects the visible temporal entities, counted and paged exactly', async () => {
      for (const [, v] of [...CASES, ...NOTHING]) {
        const want = expected(v);
        expect(await found(v)).toEqual({ ids: want, count: want.length });
        const page = await found(v, { limit: 4, offset: 2 });
        expect(page).toEqual({ ids: want.slice(2, 6), count: want.length });
      }
      const agg = await store.temporal.aggregate(
        '',
        tq({ visibility: CASES[0]![1], count: true }),
        sel({ timeproperty: 'modifiedAt' }),
        { methods: ['sum'] },
      );
      expect(agg.entities.map((e) => e.id)).toEqual(expected(CASES[0]![1]));
      expect(agg.count).toBe(expected(CASES[0]![1]).length);
    });

    it('combines with q on the current state, and keeps a deleted entity’s history as visible as it was', async () => {
      const v = CASES[5]![1]; // everything but Private
      const want = expected(v, (e) => (e.attrs[iri('level')]![0]!.value as number) >= 40);
      expect(await found(v, { q: cmp('level', '>=', num(40)) })).toEqual({ ids: want, count: want.length });
      // urn:a:10 is Private (hidden), urn:b:11 is not: deleting the entities keeps their histories as they were.
      await store.mutate('', [del('urn:a:10'), del('urn:b:11')]);
      expect((await found(v, { ids: ['urn:a:10', 'urn:b:11'] })).ids).toEqual(['urn:b:11']);
      expect(
        (await found({ allow: [{ types: [iri('Private')] }], deny: [] }, { ids: ['urn:a:10'] })).ids,
      ).toEqual(['urn:a:10']);
    });
  });
}
