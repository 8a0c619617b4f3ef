/**
 * The SQLite writer's group commit: the calls of one event-loop turn share a transaction and a
 * working set of entities (entity-slots.ts), and each changed entity's rows are written once at the
 * end. These tests name what that must keep: order, isolation of a call that fails, and indexes,
 * discovery and history equal to what the same calls made one by one would leave.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NgsiError } from '../../core/errors.js';
import type { Entity } from '../../core/model/entity.js';
import type { GeoQuery } from '../../core/query/ast.js';
import { cmp, del, entity, ids, iri, LOCATION, num, prop, put } from '../conformance/fixtures.js';
import { at, history, values } from '../conformance/temporal-fixtures.js';
import type { Mutation, Store } from '../port.js';
import { openSqliteStore } from './index.js';

const temperature = iri('temperature');
const t = (e: Entity | undefined): unknown => e?.attrs[temperature]?.[0]?.value;

/** A mutation that adds one to the temperature (0 when absent), recording what it was given. */
function bump(id: string, seen: unknown[] = []): Mutation {
  return {
    id,
    decide: (cur) => {
      seen.push(t(cur));
      const v = ((t(cur) as number | undefined) ?? 0) + 1;
      return { action: 'put', entity: entity(id, 'Sensor', { temperature: prop(v, { observedAt: at(v) }) }) };
    },
  };
}

const boom: Mutation = {
  id: 'urn:boom',
  decide: () => {
    throw new TypeError('bug');
  },
};

const point = (lon: number, lat: number) => [
  { type: 'GeoProperty' as const, value: { type: 'Point', coordinates: [lon, lat] } },
];
const near = (lon: number, lat: number): GeoQuery => ({
  georel: 'near',
  geometry: { type: 'Point', coordinates: [lon, lat] },
  geoproperty: LOCATION,
  maxDistance: 100,
});

// Both ways the store runs: checking every write (the test suites) and not (production).
describe.each([true, false])('sqlite entity writer: one group commit (checkWrites %s)', (checkWrites) => {
  let store: Store;
  beforeEach(() => {
    store = openSqliteStore({ path: ':memory:', checkWrites });
  });
  afterEach(async () => {
    await store.close();
  });

  it('lets each call of a turn see the calls before it, and writes the last state once', async () => {
    const seen: unknown[] = [];
    const calls = [1, 2, 3, 4].map(() => store.mutate('', [bump('urn:a', seen)]));
    const results = await Promise.all(calls);
    expect(seen).toEqual([undefined, 1, 2, 3]);
    // Each call reports the state the one before it left, and the state it left.
    expect(results.map(([r]) => (r?.ok ? [t(r.before), t(r.after)] : r))).toEqual([
      [undefined, 1],
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
    expect(t(await store.getEntity('', 'urn:a'))).toBe(4);
    expect(await ids(store, { q: cmp('temperature', '==', num(4)) })).toEqual(['urn:a']);
    expect(await ids(store, { q: cmp('temperature', '<', num(4)) })).toEqual([]);
    // Every intermediate state is in the history, in order.
    expect(values((await history(store, 'urn:a')).attrs[temperature])).toEqual([1, 2, 3, 4]);
  });

  it('undoes a failed call of the group: the next call sees the state before it, and nothing of it is kept', async () => {
    await store.mutate('', [
      put(entity('urn:a', 'Sensor', { temperature: prop(10, { observedAt: at(10) }) })),
    ]);
    const seen: unknown[] = [];
    const settled = await Promise.allSettled([
      store.mutate('', [bump('urn:a', seen)]),
      store.mutate('', [bump('urn:a', seen), put(entity('urn:b', 'Other')), boom]),
      store.mutate('', [bump('urn:a', seen)]),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // The second call saw 11 and made 12; it was undone, so the third saw 11 again.
    expect(seen).toEqual([10, 11, 11]);
    expect(t(await store.getEntity('', 'urn:a'))).toBe(12);
    expect(await store.getEntity('', 'urn:b')).toBeUndefined();
    expect((await store.listTypes('')).map((x) => [x.type, x.entityCount])).toEqual([[iri('Sensor'), 1]]);
    expect(values((await history(store, 'urn:a')).attrs[temperature])).toEqual([10, 11, 12]);
  });

  it('an entity made and deleted in one group leaves no rows', async () => {
    await Promise.all([
      store.mutate('', [put(entity('urn:a', 'Sensor', { temperature: prop(1), [LOCATION]: point(2, 48) }))]),
      store.mutate('', [bump('urn:a'), del('urn:a')]),
    ]);
    expect(await store.getEntity('', 'urn:a')).toBeUndefined();
    expect(await ids(store, {})).toEqual([]);
    expect(await ids(store, { geoQ: near(2, 48) })).toEqual([]);
    expect(await store.listTypes('')).toEqual([]);
    const page = await store.queryEntities('', { count: true, limit: 10, offset: 0 });
    expect(page.count).toBe(0);
  });

  it('an entity deleted and made again in one group is indexed as it ends', async () => {
    await store.mutate('', [
      put(entity('urn:a', 'Sensor', { temperature: prop(5), [LOCATION]: point(2, 48) }, { scope: ['/a'] })),
    ]);
    await Promise.all([
      store.mutate('', [del('urn:a')]),
      store.mutate('', [put(entity('urn:a', 'Camera', { owner: prop('me'), [LOCATION]: point(3, 49) }))]),
    ]);
    expect(await store.getEntity('', 'urn:a')).toEqual(
      entity('urn:a', 'Camera', { owner: prop('me'), [LOCATION]: point(3, 49) }),
    );
    expect(await ids(store, { q: cmp('temperature', '==', num(5)) })).toEqual([]);
    expect(await ids(store, { type: { kind: 'type', name: iri('Sensor') } })).toEqual([]);
    expect(await ids(store, { type: { kind: 'type', name: iri('Camera') } })).toEqual(['urn:a']);
    expect(await ids(store, { geoQ: near(2, 48) })).toEqual([]);
    expect(await ids(store, { geoQ: near(3, 49) })).toEqual(['urn:a']);
    expect(await ids(store, { scopeQ: { kind: 'scope', segments: ['a'], descendants: false } })).toEqual([]);
    expect((await store.listTypes('')).map((x) => [x.type, x.entityCount])).toEqual([[iri('Camera'), 1]]);
  });

  it('counts entities right through a group that creates, deletes and re-creates', async () => {
    await store.mutate('', [put(entity('urn:a', 'S')), put(entity('urn:b', 'S'))]);
    await Promise.all([
      store.mutate('', [del('urn:a'), put(entity('urn:c', 'S'))]),
      store.mutate('', [put(entity('urn:a', 'S')), del('urn:b'), put(entity('urn:d', 'S')), del('urn:d')]),
    ]);
    const page = await store.queryEntities('', { count: true, limit: 10, offset: 0 });
    expect(page.entities.map((e) => e.id)).toEqual(['urn:a', 'urn:c']);
    expect(page.count).toBe(2);
  });

  it('moves the history of an entity changed several times in one call to its latest change', async () => {
    const at3 = (v: number, min: number): Entity =>
      entity('urn:a', 'Sensor', { temperature: prop(v, { observedAt: at(min) }) }, { modifiedAt: at(min) });
    await store.mutate('', [put(at3(1, 1)), put(at3(2, 5)), put(at3(3, 3))]);
    const h = await history(store, 'urn:a');
    expect(h.modifiedAt).toBe(at(5));
    expect(values(h.attrs[temperature])).toEqual([1, 3, 2]);
    await store.mutate('', [put(at3(4, 9)), put(at3(5, 7))]);
    expect((await history(store, 'urn:a')).modifiedAt).toBe(at(9));
  });

  it('keeps the tenants of a group apart', async () => {
    await Promise.all([
      store.mutate('urn:t:1', [bump('urn:a')]),
      store.mutate('urn:t:2', [bump('urn:a'), bump('urn:a')]),
      store.mutate('urn:t:1', [bump('urn:a')]),
    ]);
    expect(t(await store.getEntity('urn:t:1', 'urn:a'))).toBe(2);
    expect(t(await store.getEntity('urn:t:2', 'urn:a'))).toBe(2);
  });
});

describe('sqlite entity writer: checkWrites', () => {
  let store: Store;
  beforeEach(() => {
    store = openSqliteStore({ path: ':memory:', checkWrites: true });
  });
  afterEach(async () => {
    await store.close();
  });

  it('refuses a call whose mutator changed the entity it was given', async () => {
    await store.mutate('', [put(entity('urn:a', 'Sensor', { temperature: prop(20) }))]);
    const inPlace: Mutation = {
      id: 'urn:a',
      decide: (cur) => {
        cur!.attrs[temperature]![0]!.value = 21;
        return { action: 'put', entity: entity('urn:a', 'Sensor', { temperature: prop(22) }) };
      },
    };
    const refused = await store.mutate('', [inPlace]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NgsiError);
    expect((refused as NgsiError).message).toMatch(/urn:a was changed in place/);
    expect(t(await store.getEntity('', 'urn:a'))).toBe(20);
    // The store goes on: the next write lands.
    await store.mutate('', [bump('urn:a')]);
    expect(t(await store.getEntity('', 'urn:a'))).toBe(21);
  });

  it('fails the whole group when a call changed in place what an earlier call of the group put', async () => {
    // The earlier call's result holds the very object that was changed: nothing of the group can be trusted.
    const inPlace: Mutation = {
      id: 'urn:a',
      decide: (cur) => {
        cur!.attrs[temperature]![0]!.value = 99;
        return { action: 'skip' };
      },
    };
    const settled = await Promise.allSettled([
      store.mutate('', [bump('urn:a')]),
      store.mutate('', [inPlace, bump('urn:b')]),
    ]);
    expect(settled.map((x) => x.status)).toEqual(['rejected', 'rejected']);
    expect(String((settled[0] as PromiseRejectedResult).reason)).toMatch(/urn:a was changed in place/);
    expect(await store.getEntity('', 'urn:a')).toBeUndefined();
    expect(await store.getEntity('', 'urn:b')).toBeUndefined();
    // The next group starts afresh.
    await store.mutate('', [bump('urn:a')]);
    expect(t(await store.getEntity('', 'urn:a'))).toBe(1);
  });
});
