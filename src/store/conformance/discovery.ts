/** Conformance: listTypes / listAttributes kept right through creates, updates and deletes. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../port.js';
import { del, entity, geo, inst, iri, prop, put, rel, seed, type MakeStore } from './fixtures.js';

const P = (x: number, y: number) => ({ type: 'Point' as const, coordinates: [x, y] });

/** Register the discovery tests for a store factory. */
export function describeDiscovery(makeStore: MakeStore): void {
  describe('discovery', () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
      await seed(store, [
        entity('urn:d:1', 'Sensor', { temperature: prop(1), location: geo(P(0, 0)) }),
        entity('urn:d:2', 'Sensor', {
          temperature: [inst('Property', 2), inst('Property', 3, { datasetId: 'urn:ds:1' })],
          owner: rel('urn:o'),
        }),
        entity('urn:d:3', ['Sensor', 'Camera'], { owner: prop('text') }),
        entity('urn:d:4', 'Building', {}),
      ]);
    });
    afterEach(async () => {
      await store.close();
    });

    it('lists types with entity counts and attribute kinds', async () => {
      expect(await store.listTypes('')).toEqual([
        { type: iri('Building'), entityCount: 1, attributes: [] },
        {
          type: iri('Camera'),
          entityCount: 1,
          attributes: [{ name: iri('owner'), attributeTypes: ['Property'] }],
        },
        {
          type: iri('Sensor'),
          entityCount: 3,
          attributes: [
            { name: iri('location'), attributeTypes: ['GeoProperty'] },
            { name: iri('owner'), attributeTypes: ['Property', 'Relationship'] },
            { name: iri('temperature'), attributeTypes: ['Property'] },
          ],
        },
      ]);
      expect((await store.listTypes('', [iri('Camera'), iri('Nope')])).map((t) => t.type)).toEqual([
        iri('Camera'),
      ]);
    });

    it('lists attributes with instance counts, kinds and type names', async () => {
      expect(await store.listAttributes('')).toEqual([
        {
          name: iri('location'),
          attributeCount: 1,
          attributeTypes: ['GeoProperty'],
          typeNames: [iri('Sensor')],
        },
        {
          name: iri('owner'),
          attributeCount: 2,
          attributeTypes: ['Property', 'Relationship'],
          typeNames: [iri('Camera'), iri('Sensor')],
        },
        {
          name: iri('temperature'),
          attributeCount: 3,
          attributeTypes: ['Property'],
          typeNames: [iri('Sensor')],
        },
      ]);
      expect((await store.listAttributes('', [iri('owner')])).map((a) => a.name)).toEqual([iri('owner')]);
    });

    it('follows updates and deletes', async () => {
      await store.mutate('', [
        put(entity('urn:d:1', 'Sensor', { temperature: prop(5), humidity: prop(50) })),
        del('urn:d:2'),
        del('urn:d:4'),
      ]);
      expect(await store.listTypes('')).toEqual([
        {
          type: iri('Camera'),
          entityCount: 1,
          attributes: [{ name: iri('owner'), attributeTypes: ['Property'] }],
        },
        {
          type: iri('Sensor'),
          entityCount: 2,
          attributes: [
            { name: iri('humidity'), attributeTypes: ['Property'] },
            { name: iri('owner'), attributeTypes: ['Property'] },
            { name: iri('temperature'), attributeTypes: ['Property'] },
          ],
        },
      ]);
      const temperature = (await store.listAttributes('', [iri('temperature')]))[0];
      expect(temperature?.attributeCount).toBe(1);
      await store.mutate('', [del('urn:d:1'), del('urn:d:3')]);
      expect(await store.listTypes('')).toEqual([]);
      expect(await store.listAttributes('')).toEqual([]);
    });

    it('is empty for a tenant without entities', async () => {
      expect(await store.listTypes('urn:other')).toEqual([]);
      expect(await store.listAttributes('urn:other')).toEqual([]);
    });
  });
}
