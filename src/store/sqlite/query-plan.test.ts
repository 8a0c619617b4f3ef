/**
 * The SQLite query plans: the planner drives from a selective index and scans in id order when
 * matches are dense, each plan uses the intended indexes (checked with EXPLAIN QUERY PLAN), and
 * both plans return what the reference evaluator returns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Entity } from '../../core/model/entity.js';
import type { EntityQuery, GeoQuery } from '../../core/query/ast.js';
import { geoMatches } from '../../core/query/geo-match.js';
import { matchesQ } from '../../core/query/q-match.js';
import {
  and,
  cmp,
  entity,
  geo,
  iri,
  LOCATION,
  num,
  prop,
  query,
  rel,
  seed,
  str,
  uri,
} from '../conformance/fixtures.js';
import { openSqliteStore, type SqliteStore } from './index.js';

const N = 6000;
const FIXTURES: Entity[] = Array.from({ length: N }, (_, i) =>
  entity(`urn:p:${String(i).padStart(5, '0')}`, i % 20 === 0 ? 'Rare' : 'Common', {
    temperature: prop(i % 100),
    name: prop(`n${i % 7}`),
    owner: rel(`urn:o:${i % 500}`),
    [LOCATION]: geo({ type: 'Point', coordinates: [(i % 100) / 100, Math.floor(i / 100) / 100] }),
  }),
);

const near: GeoQuery = {
  georel: 'near',
  maxDistance: 2000,
  geometry: { type: 'Point', coordinates: [0.5, 0.3] },
  geoproperty: LOCATION,
};
const T = (name: string) => ({ kind: 'type' as const, name: iri(name) });

/** Reference answer: filter in memory. */
function expected(q: EntityQuery, ids: (e: Entity) => boolean = () => true): string[] {
  return FIXTURES.filter((e) => (!q.q || matchesQ(e, q.q)) && ids(e))
    .map((e) => e.id)
    .slice(q.offset, q.offset + q.limit);
}

describe('sqlite query plans', () => {
  let store: SqliteStore;
  beforeAll(async () => {
    store = openSqliteStore({ path: ':memory:' });
    await seed(store, FIXTURES);
  });
  afterAll(async () => {
    await store.close();
  });

  it('scans one type in id order, without sorting, when matches are dense', () => {
    const e = store.explain('', query({ type: T('Common'), q: cmp('temperature', '>', num(10)) }));
    expect(e.plan).toBe('scan');
    // Walks only that type's entities (index (tid, type, id)), not every entity of the tenant.
    expect(e.steps.join('\n')).toMatch(/SEARCH entity_types USING COVERING INDEX entity_types_tid_type_id/);
    expect(e.steps.join('\n')).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    expect(e.steps.join('\n')).toMatch(/SEARCH x USING PRIMARY KEY \(eid=\? AND p=\?\)/);
  });

  it('scans the tenant in id order when no single type is named', () => {
    const e = store.explain('', query({ q: cmp('temperature', '>', num(10)) }));
    expect(e.plan).toBe('scan');
    expect(e.steps.join('\n')).toMatch(/SEARCH e USING (COVERING )?INDEX entities_tid_id/);
    expect(e.steps.join('\n')).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
  });

  it('drives from the value index when a comparison is selective', () => {
    const e = store.explain('', query({ q: cmp('owner', '==', uri('urn:o:7')) }));
    expect(e.plan).toBe('drive');
    expect(e.steps.join('\n')).toMatch(/attr_values_tid_p_k_v/);
  });

  it('walks the type index when a type is selective enough', () => {
    const e = store.explain('', query({ type: T('Rare'), q: cmp('temperature', '<', num(50)), limit: 1000 }));
    expect(e.steps.join('\n')).toMatch(/entity_types_tid_type/);
    expect(e.steps.join('\n')).not.toMatch(/SCAN e\b/);
  });

  it('drives from the R*Tree for a near query, testing exact shapes only after sorting by id', () => {
    const e = store.explain('', query({ geoQ: near }));
    expect(e.plan).toBe('drive');
    const steps = e.steps.join('\n');
    expect(steps).toMatch(/VIRTUAL TABLE INDEX 2:/);
    // One sort, of the candidates; the outer loop reads them in order and stops when the page is full.
    expect(steps.match(/TEMP B-TREE FOR ORDER BY/g)).toHaveLength(1);
    expect(steps).toMatch(/SCAN o/);
  });

  it('pages near results in id order, and never returns entities of another tenant at the same place', async () => {
    const others = FIXTURES.map((f) => ({ ...f, id: f.id.replace('urn:p:', 'urn:other:') }));
    await seed(store, others, 'other');
    const all = FIXTURES.filter((f) => {
      const g = f.attrs[LOCATION]?.[0]?.value as Parameters<typeof geoMatches>[0];
      return geoMatches(g, near);
    }).map((f) => f.id);
    expect(all.length).toBeGreaterThan(5);
    for (const [offset, limit] of [
      [0, 100],
      [0, 3],
      [2, 3],
      [all.length - 1, 5],
    ] as const) {
      const got = await store.queryEntities(
        '',
        query({ geoQ: near, type: T('Common'), offset, limit, count: true }),
      );
      const want = all.filter((id) => Number(id.slice(6)) % 20 !== 0);
      expect(got.entities.map((x) => x.id)).toEqual(want.slice(offset, offset + limit));
      expect(got.count).toBe(want.length);
    }
    const other = await store.queryEntities('other', query({ geoQ: near }));
    expect(other.entities.map((x) => x.id)).toEqual(all.map((id) => id.replace('urn:p:', 'urn:other:')));
  });

  it('reads no entity row for a page when one type is named and every test needs only the entity id', () => {
    const e = store.explain('', query({ type: T('Rare'), q: cmp('owner', '==', uri('urn:o:7')) }));
    expect(e.plan).toBe('drive');
    const steps = e.steps.join('\n');
    // The ids come from the type rows (primary key eid, type), not from the much larger entity rows.
    expect(steps).toMatch(/SEARCH entity_types USING PRIMARY KEY \(eid=\? AND type=\?\)/);
    expect(steps).not.toMatch(/SEARCH e USING INTEGER PRIMARY KEY/);
  });

  it('tests probes that need only the entity id before reading entity rows', () => {
    const types = { kind: 'or' as const, items: [T('Rare'), T('Common')] };
    const e = store.explain('', query({ type: types, q: cmp('owner', '==', uri('urn:o:7')) }));
    expect(e.plan).toBe('drive');
    const steps = e.steps.join('\n');
    // The type probe (on entity_types) comes before the entities lookup in the plan.
    expect(steps.indexOf('SEARCH t ')).toBeGreaterThan(-1);
    expect(steps.indexOf('SEARCH t ')).toBeLessThan(steps.indexOf('SEARCH e USING INTEGER PRIMARY KEY'));
  });

  it('scans when a scan fills a small page sooner than driving from a broad comparison', () => {
    // ~6% of the entities match; a page of 20 is met after ~330 scanned rows, driving reads ~360 candidates.
    const e = store.explain('', query({ type: T('Common'), q: cmp('temperature', '>', num(93)), limit: 20 }));
    expect(e.plan).toBe('scan');
  });

  it('looks entities up by id', () => {
    const e = store.explain('', query({ ids: ['urn:p:00001'], type: T('Common') }));
    expect(e.plan).toBe('drive');
    expect(e.steps.join('\n')).toMatch(/entities_tid_id \(tid=\? AND id=\?\)/);
  });

  it('returns what the reference returns, whichever plan runs', async () => {
    const cases: Array<[EntityQuery, (e: Entity) => boolean]> = [
      [
        query({ q: cmp('temperature', '>', num(10)), type: T('Common'), offset: 40 }),
        (e) => e.type[0] === iri('Common'),
      ],
      [query({ q: cmp('owner', '==', uri('urn:o:7')) }), () => true],
      [
        query({ q: and(cmp('name', '==', str('n3')), cmp('temperature', '>=', num(90))), limit: 1000 }),
        () => true,
      ],
      [
        query({ type: T('Rare'), q: cmp('temperature', '<', num(50)), limit: 1000 }),
        (e) => e.type[0] === iri('Rare'),
      ],
      [query({ q: cmp('temperature', '==', num(42)), offset: 10, limit: 20 }), () => true],
    ];
    const plans = new Set<string>();
    for (const [q, filter] of cases) {
      plans.add(store.explain('', q).plan);
      const got = await store.queryEntities('', { ...q, count: true });
      expect(got.entities.map((e) => e.id)).toEqual(expected(q, filter));
      expect(got.count).toBe(expected({ ...q, offset: 0, limit: N }, filter).length);
    }
    expect([...plans].sort()).toEqual(['drive', 'scan']);
  });
});
