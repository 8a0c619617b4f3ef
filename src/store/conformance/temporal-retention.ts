/**
 * Conformance: retention and erasure of the temporal history (TemporalRepository.prune and
 * eraseValue): by instant, type and attribute, dry runs that count exactly what a real run deletes,
 * hourly rollups that stay exact, and erasure of one value in one tenant.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../port.js';
import { entity, iri, rejectsWith, rel, type MakeStore } from './fixtures.js';
import { at, HOUR, sel, tq, create, update, obs, ok, history, values } from './temporal-fixtures.js';

/** Register the retention and erasure tests for a store factory. */
export function describeTemporalRetention(makeStore: MakeStore): void {
  describe('temporal history: retention and erasure', () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
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
      expect(await store.temporal.prune('', at(15), { types: [iri('Meter')] })).toBe(2);
      expect(values((await history(store, 'urn:m:1')).attrs[iri('v')])).toEqual([3]);
      expect(values((await history(store, 'urn:s:1')).attrs[iri('v')])).toEqual([1, 2, 3]);
      expect(await store.temporal.prune('', at(15))).toBe(2);
      expect(values((await history(store, 'urn:s:1')).attrs[iri('v')])).toEqual([3]);
      expect(await store.temporal.prune('urn:nobody', at(15))).toBe(0);
      expect(await store.temporal.prune('', at(30), { types: [] })).toBe(0);
      expect(await rejectsWith(store.temporal.prune('', 'yesterday'))).toBe('BadRequestData');
      expect(values((await history(store, 'urn:s:1')).attrs[iri('v')])).toEqual([3]);
    });

    /** urn:s:1 (Sensor) and urn:m:1 (Meter), v and w recorded at minutes 1, 11 and 21 (values 1, 2, 3). */
    const threeRecords = async (): Promise<void> => {
      await ok(store, '', [
        create(entity('urn:s:1', 'Sensor', { v: obs(1, 0), w: obs('a', 0) }), at(1)),
        create(entity('urn:m:1', 'Meter', { v: obs(1, 0), w: obs('a', 0) }), at(1)),
      ]);
      for (const id of ['urn:s:1', 'urn:m:1']) {
        await ok(store, '', [update(id, { v: obs(2, 10), w: obs('b', 10) }, at(11))]);
        await ok(store, '', [update(id, { v: obs(3, 20), w: obs('c', 20) }, at(21))]);
      }
    };

    it('prunes only the attributes named, within the types named', async () => {
      await threeRecords();
      expect(await store.temporal.prune('', at(15), { attrs: [iri('w')] })).toBe(4);
      for (const id of ['urn:s:1', 'urn:m:1']) {
        const h = await history(store, id);
        expect(values(h.attrs[iri('v')])).toEqual([1, 2, 3]);
        expect(values(h.attrs[iri('w')])).toEqual(['c']);
      }
      expect(await store.temporal.prune('', at(15), { types: [iri('Sensor')], attrs: [iri('v')] })).toBe(2);
      expect(values((await history(store, 'urn:s:1')).attrs[iri('v')])).toEqual([3]);
      expect(values((await history(store, 'urn:m:1')).attrs[iri('v')])).toEqual([1, 2, 3]);
      expect(await store.temporal.prune('', at(30), { attrs: [] })).toBe(0);
      expect(await store.temporal.prune('', at(30), { attrs: [iri('unknown')] })).toBe(0);
      expect(values((await history(store, 'urn:m:1')).attrs[iri('v')])).toEqual([1, 2, 3]);
    });

    it('on a dry run, counts what a prune would delete and deletes nothing', async () => {
      await threeRecords();
      expect(await store.temporal.prune('', at(15), { dryRun: true })).toBe(8);
      expect(await store.temporal.prune('', at(15), { attrs: [iri('v')], dryRun: true })).toBe(4);
      expect(await store.temporal.prune('', at(15), { types: [iri('Meter')], dryRun: true })).toBe(4);
      expect(values((await history(store, 'urn:s:1')).attrs[iri('v')])).toEqual([1, 2, 3]);
      expect(await store.temporal.prune('', at(15))).toBe(8);
      expect(await store.temporal.prune('', at(15), { dryRun: true })).toBe(0);
      expect(await rejectsWith(store.temporal.prune('', 'soon', { dryRun: true }))).toBe('BadRequestData');
    });

    it('keeps hourly aggregates exact after a prune removes an hour’s minimum', async () => {
      // v observed at minutes 0, 10, 20 (one hour) with values 1, 5, 9, recorded at 1, 11, 21.
      await ok(store, '', [create(entity('urn:s:1', 'Sensor', { v: obs(1, 0) }), at(1))]);
      await ok(store, '', [update('urn:s:1', { v: obs(5, 10) }, at(11))]);
      await ok(store, '', [update('urn:s:1', { v: obs(9, 20) }, at(21))]);
      const hourly = async () => {
        const r = await store.temporal.aggregate('', tq({ ids: ['urn:s:1'] }), sel(), {
          methods: ['totalCount', 'sum', 'min', 'max'],
          period: { months: 0, ms: HOUR },
        });
        return r.entities[0]!.attrs[iri('v')]![0]!.buckets.map((b) => b.values);
      };
      expect(await hourly()).toEqual([{ totalCount: 3, sum: 15, min: 1, max: 9 }]);
      expect(await store.temporal.prune('', at(5))).toBe(1);
      expect(await hourly()).toEqual([{ totalCount: 2, sum: 14, min: 5, max: 9 }]);
      expect(await store.temporal.prune('', at(15))).toBe(1);
      expect(await hourly()).toEqual([{ totalCount: 1, sum: 9, min: 9, max: 9 }]);
    });

    it('erases the instances of the named attributes holding exactly a value, in one tenant', async () => {
      const person = 'urn:ngsi-ld:Person:alice';
      await ok(store, '', [
        create(
          entity('urn:s:1', 'Sensor', {
            reporter: obs(person, 0),
            owner: rel(person, { observedAt: at(0) }),
            note: obs(person, 0),
          }),
          at(1),
        ),
        create(entity('urn:s:2', 'Meter', { reporter: obs(`${person}2`, 0) }), at(1)),
      ]);
      await ok(store, '', [update('urn:s:1', { reporter: obs('urn:ngsi-ld:Person:bob', 10) }, at(11))]);
      await ok(store, '', [update('urn:s:1', { reporter: obs(person, 20) }, at(21))]);
      await ok(store, 'urn:t:2', [create(entity('urn:s:1', 'Sensor', { reporter: obs(person, 0) }), at(1))]);

      expect(await store.temporal.eraseValue('', [iri('reporter'), iri('owner')], person)).toBe(3);
      const h = await history(store, 'urn:s:1');
      expect(values(h.attrs[iri('reporter')])).toEqual(['urn:ngsi-ld:Person:bob']);
      expect(h.attrs[iri('owner')]).toBeUndefined();
      // Not named, or not exactly the value: kept.
      expect(values(h.attrs[iri('note')])).toEqual([person]);
      expect(values((await history(store, 'urn:s:2')).attrs[iri('reporter')])).toEqual([`${person}2`]);
      // Another tenant's history is untouched.
      expect(values((await history(store, 'urn:s:1', {}, 'urn:t:2')).attrs[iri('reporter')])).toEqual([
        person,
      ]);
      expect(await store.temporal.eraseValue('', [iri('reporter')], person)).toBe(0);
      expect(await store.temporal.eraseValue('', [], person)).toBe(0);
      expect(await store.temporal.eraseValue('urn:nobody', [iri('reporter')], person)).toBe(0);
      expect(
        await rejectsWith(store.temporal.eraseValue('', [iri('reporter')], 42 as unknown as string)),
      ).toBe('BadRequestData');
    });
  });
}
