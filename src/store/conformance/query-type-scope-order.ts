/** Conformance: type expressions, ids, idPattern, attrs, scopeQ, orderBy, limit/offset, count, queryIds. */
import { describe, expect, it } from 'vitest';
import type { Entity } from '../../core/model/entity.js';
import type { EntityQuery, OrderKey, ScopeExpr, TypeExpr } from '../../core/query/ast.js';
import {
  cmp,
  entity,
  ids,
  iri,
  num,
  path,
  prop,
  rejectsWith,
  str,
  seededStore,
  type MakeStore,
} from './fixtures.js';

const T = (name: string): TypeExpr => ({ kind: 'type', name: iri(name) });
const scope = (text: string): ScopeExpr => {
  const descendants = text.endsWith('/#');
  const body = descendants ? text.slice(0, -2) : text;
  return { kind: 'scope', segments: body.split('/').filter((s) => s !== ''), descendants };
};

const FIXTURES: Entity[] = [
  entity(
    'urn:x:01',
    'Building',
    { height: prop(30), name: prop('b') },
    { scope: ['/city/north'], createdAt: '2024-01-03T00:00:00Z' },
  ),
  entity(
    'urn:x:02',
    ['Building', 'Heritage'],
    { height: prop(12), name: prop('a') },
    { scope: ['/city/north/old'], createdAt: '2024-01-01T00:00:00Z' },
  ),
  entity(
    'urn:x:03',
    'Heritage',
    { name: prop('c') },
    { scope: ['/city/south', '/archive'], createdAt: '2024-01-02T00:00:00Z' },
  ),
  entity('urn:x:04', 'Street', { height: prop([5, 50]) }, { scope: ['/city/south/old'] }),
  entity('urn:y:05', 'Street', { width: prop(8) }),
];

/** Register the type / scope / order / paging tests for a store factory. */
export function describeQueryTypeScopeOrder(makeStore: MakeStore): void {
  describe('query: types, ids, scopes, order, paging', () => {
    const store = seededStore(makeStore, FIXTURES);
    const all = FIXTURES.map((e) => e.id);

    it('selects by type, by any of several types, and by all of them', async () => {
      expect(await ids(store(), { type: T('Building') })).toEqual(['urn:x:01', 'urn:x:02']);
      expect(await ids(store(), { type: { kind: 'or', items: [T('Heritage'), T('Street')] } })).toEqual([
        'urn:x:02',
        'urn:x:03',
        'urn:x:04',
        'urn:y:05',
      ]);
      expect(await ids(store(), { type: { kind: 'and', items: [T('Building'), T('Heritage')] } })).toEqual([
        'urn:x:02',
      ]);
      const nested: TypeExpr = {
        kind: 'and',
        items: [{ kind: 'or', items: [T('Building'), T('Street')] }, T('Heritage')],
      };
      expect(await ids(store(), { type: nested })).toEqual(['urn:x:02']);
      expect(await ids(store(), { type: T('Nothing') })).toEqual([]);
    });

    it('selects by ids and by id pattern', async () => {
      expect(await ids(store(), { ids: ['urn:x:03', 'urn:x:01', 'urn:none'] })).toEqual([
        'urn:x:01',
        'urn:x:03',
      ]);
      expect(await ids(store(), { idPattern: '^urn:x:0[12]$' })).toEqual(['urn:x:01', 'urn:x:02']);
      expect(await ids(store(), { idPattern: 'y', type: T('Street') })).toEqual(['urn:y:05']);
      expect(
        await rejectsWith(store().queryEntities('', { idPattern: '[', limit: 1, offset: 0, count: false })),
      ).toBe('BadRequestData');
    });

    it('selects entities having one of `attrs` when there is no q, and only projects otherwise', async () => {
      expect(await ids(store(), { attrs: [iri('width'), iri('name')] })).toEqual([
        'urn:x:01',
        'urn:x:02',
        'urn:x:03',
        'urn:y:05',
      ]);
      expect(await ids(store(), { attrs: [iri('width')], q: cmp('height', '>', num(20)) })).toEqual([
        'urn:x:01',
        'urn:x:04',
      ]);
      expect(await ids(store(), { attrs: [iri('unknown')] })).toEqual([]);
    });

    it('selects by scope: exact, descendants, one-level wildcard, and/or', async () => {
      expect(await ids(store(), { scopeQ: scope('/city/north') })).toEqual(['urn:x:01']);
      expect(await ids(store(), { scopeQ: scope('/city/north/#') })).toEqual(['urn:x:01', 'urn:x:02']);
      expect(await ids(store(), { scopeQ: scope('/city/+/old') })).toEqual(['urn:x:02', 'urn:x:04']);
      expect(await ids(store(), { scopeQ: scope('/city/#') })).toEqual([
        'urn:x:01',
        'urn:x:02',
        'urn:x:03',
        'urn:x:04',
      ]);
      expect(await ids(store(), { scopeQ: scope('/#') })).toEqual([
        'urn:x:01',
        'urn:x:02',
        'urn:x:03',
        'urn:x:04',
      ]);
      expect(await ids(store(), { scopeQ: scope('/cit/#') })).toEqual([]);
      expect(
        await ids(store(), { scopeQ: { kind: 'or', items: [scope('/archive'), scope('/city/north')] } }),
      ).toEqual(['urn:x:01', 'urn:x:03']);
      expect(
        await ids(store(), { scopeQ: { kind: 'and', items: [scope('/archive'), scope('/city/#')] } }),
      ).toEqual(['urn:x:03']);
    });

    const order = (key: OrderKey['key'], descending = false): OrderKey[] => [{ key, descending }];

    it('orders by id (default), descending id, type, createdAt and attribute values (missing last)', async () => {
      expect(await ids(store(), {})).toEqual(all);
      expect(await ids(store(), { orderBy: order('id', true) })).toEqual([...all].reverse());
      expect(await ids(store(), { orderBy: order('type') })).toEqual([
        'urn:x:01',
        'urn:x:02',
        'urn:x:03',
        'urn:x:04',
        'urn:y:05',
      ]);
      expect(await ids(store(), { orderBy: order('createdAt') })).toEqual([
        'urn:x:02',
        'urn:x:03',
        'urn:x:01',
        'urn:x:04',
        'urn:y:05',
      ]);
      // height: 30, 12, -, [5, 50], -  → ascending by smallest value, descending by largest.
      expect(await ids(store(), { orderBy: order(path('height')) })).toEqual([
        'urn:x:04',
        'urn:x:02',
        'urn:x:01',
        'urn:x:03',
        'urn:y:05',
      ]);
      expect(await ids(store(), { orderBy: order(path('height'), true) })).toEqual([
        'urn:x:04',
        'urn:x:01',
        'urn:x:02',
        'urn:x:03',
        'urn:y:05',
      ]);
      expect(
        await ids(store(), { orderBy: [{ key: path('name'), descending: true }], type: T('Building') }),
      ).toEqual(['urn:x:01', 'urn:x:02']);
    });

    it('pages with limit and offset, stable across pages, with count', async () => {
      const seen: string[] = [];
      for (let offset = 0; offset < 6; offset += 2) {
        const r = await store().queryEntities('', { limit: 2, offset, count: true });
        expect(r.count).toBe(5);
        seen.push(...r.entities.map((e) => e.id));
      }
      expect(seen).toEqual(all);
      const counted = await store().queryEntities('', {
        type: T('Street'),
        limit: 0,
        offset: 0,
        count: true,
      });
      expect(counted).toEqual({ entities: [], count: 2 });
      const plain = await store().queryEntities('', { limit: 1, offset: 0, count: false });
      expect(plain.count).toBeUndefined();
    });

    it('lists every matching id for purge, without a limit', async () => {
      expect(await store().queryIds('', { type: T('Heritage') })).toEqual(['urn:x:02', 'urn:x:03']);
      expect(await store().queryIds('', { q: cmp('name', '==', str('c')) })).toEqual(['urn:x:03']);
      expect(await store().queryIds('', {})).toEqual(all);
    });

    it('rejects a limit beyond maxLimit, a negative offset and too deep expressions', async () => {
      const bad = (q: Partial<EntityQuery>) =>
        rejectsWith(store().queryEntities('', { limit: 1, offset: 0, count: false, ...q }));
      expect(await bad({ limit: store().capabilities.maxLimit + 1 })).toBe('BadRequestData');
      expect(await bad({ offset: -1 })).toBe('BadRequestData');
      let deep: TypeExpr = T('Building');
      for (let i = 0; i < 5000; i++) deep = { kind: 'and', items: [deep] };
      expect(await bad({ type: deep })).toBe('TooComplexQuery');
    });
  });
}
