/** Conformance: tenants exist once written to, and never see each other's data. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../port.js';
import { cmp, del, entity, geo, ids, iri, num, prop, put, seed, type MakeStore } from './fixtures.js';

/** Register the tenant tests for a store factory. */
export function describeTenants(makeStore: MakeStore): void {
  describe('tenants', () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    it('knows the default tenant and every tenant written to', async () => {
      expect(await store.tenantExists('')).toBe(true);
      expect(await store.tenantExists('urn:city:a')).toBe(false);
      await store.mutate('urn:city:a', [put(entity('urn:x', 'T'))]);
      expect(await store.tenantExists('urn:city:a')).toBe(true);
      expect(await store.listTenants()).toEqual(['', 'urn:city:a']);
    });

    it('does not create a tenant for a call that writes nothing', async () => {
      await store.mutate('urn:city:b', [del('urn:x'), { id: 'urn:y', decide: () => ({ action: 'skip' }) }]);
      expect(await store.tenantExists('urn:city:b')).toBe(false);
    });

    it('isolates entities, queries, ids, geo and discovery per tenant', async () => {
      const here = { type: 'Point' as const, coordinates: [1, 1] };
      await seed(store, [entity('urn:same', 'A', { v: prop(1), location: geo(here) })], 'urn:t1');
      await seed(
        store,
        [entity('urn:same', 'B', { v: prop(2) }), entity('urn:only2', 'B', { v: prop(1) })],
        'urn:t2',
      );
      expect((await store.getEntity('urn:t1', 'urn:same'))?.type).toEqual([iri('A')]);
      expect((await store.getEntity('urn:t2', 'urn:same'))?.type).toEqual([iri('B')]);
      expect(await store.getEntity('', 'urn:same')).toBeUndefined();
      expect(await ids(store, { q: cmp('v', '==', num(1)) }, 'urn:t1')).toEqual(['urn:same']);
      expect(await ids(store, { q: cmp('v', '==', num(1)) }, 'urn:t2')).toEqual(['urn:only2']);
      expect(await ids(store, { type: { kind: 'type', name: iri('A') } }, 'urn:t2')).toEqual([]);
      expect(
        await ids(
          store,
          { geoQ: { georel: 'near', maxDistance: 10, geometry: here, geoproperty: iri('location') } },
          'urn:t2',
        ),
      ).toEqual([]);
      expect(
        await ids(
          store,
          { geoQ: { georel: 'near', maxDistance: 10, geometry: here, geoproperty: iri('location') } },
          'urn:t1',
        ),
      ).toEqual(['urn:same']);
      expect(await store.queryIds('urn:t1', {})).toEqual(['urn:same']);
      expect((await store.listTypes('urn:t1')).map((t) => t.type)).toEqual([iri('A')]);
      expect((await store.listAttributes('urn:t2'))[0]).toMatchObject({ name: iri('v'), attributeCount: 2 });
      const counted = await store.queryEntities('urn:nobody', { limit: 10, offset: 0, count: true });
      expect(counted).toEqual({ entities: [], count: 0 });
    });

    it('deletes in one tenant only', async () => {
      await seed(store, [entity('urn:same', 'A')], 'urn:t1');
      await seed(store, [entity('urn:same', 'A')], 'urn:t2');
      await store.mutate('urn:t1', [del('urn:same')]);
      expect(await store.getEntity('urn:t1', 'urn:same')).toBeUndefined();
      expect(await store.getEntity('urn:t2', 'urn:same')).toBeDefined();
    });
  });
}
