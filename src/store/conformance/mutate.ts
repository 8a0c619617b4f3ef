/** Conformance: `mutate` semantics (one transaction, decisions in order, per-entity failures) and reads. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NgsiError } from '../../core/errors.js';
import type { Entity } from '../../core/model/entity.js';
import type { Mutation, Store } from '../port.js';
import { cmp, del, entity, ids, iri, num, prop, put, type MakeStore } from './fixtures.js';

/** Register the mutate tests for a store factory. */
export function describeMutate(makeStore: MakeStore): void {
  describe('mutate', () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    const a = entity('urn:a', 'Sensor', { temperature: prop(20) });
    const b = entity('urn:b', 'Sensor', { temperature: prop(30) });

    it('creates entities and returns results in input order with before/after', async () => {
      const r = await store.mutate('', [put(b), put(a)]);
      expect(r.map((x) => x.id)).toEqual(['urn:b', 'urn:a']);
      expect(r[0]).toMatchObject({ ok: true, action: 'put', after: b });
      expect(r[0]).toHaveProperty('before', undefined);
      expect(await store.getEntity('', 'urn:a')).toEqual(a);
      const again = await store.mutate('', [put(entity('urn:a', 'Sensor', { temperature: prop(21) }))]);
      expect(again[0]).toMatchObject({ ok: true, action: 'put', before: a });
    });

    it('lets each decision see the earlier mutations of the same call', async () => {
      const seen: Array<Entity | undefined> = [];
      const bump: Mutation = {
        id: 'urn:a',
        decide: (cur) => {
          seen.push(cur);
          const t = (cur?.attrs[iri('temperature')]?.[0]?.value as number | undefined) ?? 0;
          return { action: 'put', entity: entity('urn:a', 'Sensor', { temperature: prop(t + 1) }) };
        },
      };
      const r = await store.mutate('', [put(a), bump, bump, del('urn:a'), bump]);
      expect(r.every((x) => x.ok)).toBe(true);
      expect(seen.map((e) => e?.attrs[iri('temperature')]?.[0]?.value)).toEqual([20, 21, undefined]);
      expect((await store.getEntity('', 'urn:a'))?.attrs[iri('temperature')]?.[0]?.value).toBe(1);
      expect(r[3]).toMatchObject({ ok: true, action: 'delete', before: { id: 'urn:a' } });
    });

    it('fails only the entity whose decision fails, and keeps the rest', async () => {
      const err = new NgsiError('AlreadyExists', 'urn:x exists');
      const throwing: Mutation = {
        id: 'urn:y',
        decide: () => {
          throw new NgsiError('BadRequestData', 'bad y');
        },
      };
      const r = await store.mutate('', [
        put(a),
        { id: 'urn:x', decide: () => ({ action: 'fail', error: err }) },
        throwing,
        put(b),
      ]);
      expect(r.map((x) => x.ok)).toEqual([true, false, false, true]);
      expect(r[1]).toEqual({ id: 'urn:x', ok: false, error: err });
      expect(r[2]).toMatchObject({ ok: false, error: { kind: 'BadRequestData' } });
      expect(await ids(store, {})).toEqual(['urn:a', 'urn:b']);
    });

    it('skips without writing and reports the current entity', async () => {
      await store.mutate('', [put(a)]);
      const r = await store.mutate('', [{ id: 'urn:a', decide: () => ({ action: 'skip' }) }]);
      expect(r[0]).toMatchObject({ ok: true, action: 'skip', before: a, after: a });
    });

    it('rolls the whole call back when a mutator throws something that is not an NgsiError', async () => {
      await store.mutate('', [put(a)]);
      const boom: Mutation = {
        id: 'urn:z',
        decide: () => {
          throw new TypeError('bug');
        },
      };
      await expect(store.mutate('', [put(b), del('urn:a'), boom])).rejects.toThrow('bug');
      expect(await ids(store, {})).toEqual(['urn:a']);
      expect(await store.getEntity('', 'urn:b')).toBeUndefined();
    });

    it('isolates concurrent calls: one rejected call does not undo the others', async () => {
      const boom: Mutation = {
        id: 'urn:z',
        decide: () => {
          throw new Error('bug');
        },
      };
      const calls = [
        store.mutate('', [put(a)]),
        store.mutate('', [put(b), boom]),
        store.mutate('', [put(entity('urn:c', 'X'))]),
      ];
      const settled = await Promise.allSettled(calls);
      expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await ids(store, {})).toEqual(['urn:a', 'urn:c']);
    });

    it('refuses a put whose entity has another id, for that entity only', async () => {
      const r = await store.mutate('', [
        { id: 'urn:a', decide: () => ({ action: 'put', entity: b }) },
        put(a),
      ]);
      expect(r.map((x) => x.ok)).toEqual([false, true]);
      expect(await ids(store, {})).toEqual(['urn:a']);
    });

    it('deletes, and a delete of a missing entity changes nothing', async () => {
      await store.mutate('', [put(a), put(b)]);
      const r = await store.mutate('', [del('urn:a'), del('urn:missing')]);
      expect(r.every((x) => x.ok)).toBe(true);
      expect(await ids(store, {})).toEqual(['urn:b']);
      expect(await ids(store, { q: cmp('temperature', '==', num(20)) })).toEqual([]);
    });

    it('re-indexes a replaced entity: old values no longer match, new ones do', async () => {
      await store.mutate('', [put(a)]);
      await store.mutate('', [put(entity('urn:a', 'Other', { humidity: prop(50) }))]);
      expect(await ids(store, { q: cmp('temperature', '==', num(20)) })).toEqual([]);
      expect(await ids(store, { q: cmp('humidity', '==', num(50)) })).toEqual(['urn:a']);
      expect(await ids(store, { type: { kind: 'type', name: iri('Sensor') } })).toEqual([]);
      expect(await ids(store, { type: { kind: 'type', name: iri('Other') } })).toEqual(['urn:a']);
    });

    it('hands out copies: changing a returned entity does not change the store', async () => {
      await store.mutate('', [put(a)]);
      const got = await store.getEntity('', 'urn:a');
      got!.attrs[iri('temperature')]![0]!.value = 99;
      const again = await store.getEntity('', 'urn:a');
      expect(again?.attrs[iri('temperature')]?.[0]?.value).toBe(20);
    });

    it('reports as before of a mutation what the previous mutation of the id put', async () => {
      await store.mutate('', [put(a)]);
      const warmer = entity('urn:a', 'Sensor', { temperature: prop(21) });
      const r = await store.mutate('', [put(warmer), del('urn:a'), put(b)]);
      expect(r[0]).toMatchObject({ ok: true, before: a, after: warmer });
      expect(r[1]).toMatchObject({ ok: true, action: 'delete', before: warmer });
      expect(r[2]).toMatchObject({ ok: true, before: undefined, after: b });
    });

    it('writes a large batch in one call', async () => {
      const many = Array.from({ length: 2500 }, (_, i) =>
        entity(`urn:n:${String(i).padStart(4, '0')}`, 'N', { v: prop(i) }),
      );
      const r = await store.mutate('', many.map(put));
      expect(r.every((x) => x.ok)).toBe(true);
      const page = await store.queryEntities('', { limit: 10, offset: 2490, count: true });
      expect(page.count).toBe(2500);
      expect(page.entities.map((e) => e.id)).toEqual(many.slice(2490).map((e) => e.id));
    });

    it('answers ping', async () => {
      expect(await store.ping()).toBe(true);
    });
  });
}
