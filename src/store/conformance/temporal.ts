/**
 * Conformance: the temporal history (TemporalRepository). History is produced through `mutate`
 * (create, update, replace, attribute delete, entity delete, batches — with the pure entity
 * operations stamping times as the services do) and through `temporal.append`; it is read back with
 * time filters on each time property, lastN, per-attribute limits (partial ranges), datasetIds and
 * aggregations whose expected values are computed by hand in the comments.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteAttribute as dropAttribute, replaceEntity } from '../../core/entity/operations.js';
import { NgsiError } from '../../core/errors.js';
import type { InstanceSelect } from '../../core/temporal/model.js';
import type { Mutation, Store, TemporalEntityQuery } from '../port.js';
import {
  cmp,
  del,
  entity,
  geo,
  iri,
  LOCATION,
  num,
  prop,
  rejectsWith,
  rel,
  type MakeStore,
} from './fixtures.js';
import { instancesOf, type Entity } from '../../core/model/entity.js';
import type { StoredInstance } from '../../core/temporal/model.js';
import { at, ms, T, sel, tq, create, update, obs, ok, history, values, times } from './temporal-fixtures.js';

/** Register the temporal tests for a store factory. */
export function describeTemporal(makeStore: MakeStore): void {
  describe('temporal history', () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('recording from the current state', () => {
      it('records attributes named like the members every object inherits (toString, constructor)', async () => {
        // Raw names (no IRI), as a store may be given: an inherited member must never stand in for one.
        const raw = (attrs: Entity['attrs']): Entity => ({ ...entity('urn:s:proto', 'Sensor'), attrs });
        await ok(store, '', [create(raw({ toString: prop(1) }), at(1))]);
        await ok(
          store,
          '',
          [create(raw({ toString: prop(2), constructor: prop('x') }), at(2))].map((m) => ({
            id: m.id,
            decide: (cur) => (cur ? m.decide(undefined) : { action: 'skip' as const }),
          })),
        );
        const h = await history(store, 'urn:s:proto', { timeproperty: 'modifiedAt' });
        expect(values(instancesOf(h.attrs, 'toString') as StoredInstance[])).toEqual([1, 2]);
        expect(values(instancesOf(h.attrs, 'constructor') as StoredInstance[])).toEqual(['x']);
      });

      it('keeps each created and updated instance with its members and timestamps', async () => {
        const sensor = entity('urn:s:1', 'Sensor', {
          temperature: obs(20, 0, {
            unitCode: 'CEL',
            sub: { [iri('accuracy')]: { type: 'Property', value: 0.5 } },
          }),
          owner: rel('urn:p:1', { objectType: iri('Person') }),
          name: prop('first'),
        });
        await ok(store, '', [create(sensor, at(1))]);
        await ok(store, '', [update('urn:s:1', { temperature: obs(21, 10, { unitCode: 'CEL' }) }, at(11))]);
        await ok(store, '', [update('urn:s:1', { temperature: obs(22, 20, { unitCode: 'CEL' }) }, at(21))]);

        const h = await history(store, 'urn:s:1');
        expect(h.id).toBe('urn:s:1');
        expect(h.type).toEqual([iri('Sensor')]);
        expect(h.createdAt).toBe(at(1));
        expect(h.modifiedAt).toBe(at(21));
        const temps = h.attrs[iri('temperature')]!;
        expect(values(temps)).toEqual([20, 21, 22]);
        expect(times(temps)).toEqual([at(0), at(10), at(20)]);
        expect(temps[0]).toMatchObject({
          type: 'Property',
          unitCode: 'CEL',
          createdAt: at(1),
          modifiedAt: at(1),
          sub: { [iri('accuracy')]: { type: 'Property', value: 0.5 } },
        });
        expect(temps[1]).toMatchObject({ createdAt: at(11), modifiedAt: at(11) });
        expect(temps[1]).not.toHaveProperty('datasetId');
        const ids = temps.map((i) => i.instanceId);
        expect(new Set(ids).size).toBe(3);
        for (const id of ids) expect(id).toMatch(/^urn:ngsi-ld:attribute:instance:/);
        // Instances without observedAt are not selected on observedAt...
        expect(h.attrs[iri('name')]).toBeUndefined();
        // ...but are on modifiedAt, with the attribute's kind and members.
        const byMod = await history(store, 'urn:s:1', { timeproperty: 'modifiedAt' });
        expect(values(byMod.attrs[iri('name')])).toEqual(['first']);
        expect(byMod.attrs[iri('owner')]).toEqual([
          expect.objectContaining({ type: 'Relationship', value: 'urn:p:1', objectType: iri('Person') }),
        ]);
        expect(values(byMod.attrs[iri('temperature')])).toEqual([20, 21, 22]);
      });

      it('records only instances whose modifiedAt or value changed', async () => {
        const e = entity('urn:s:1', 'Sensor', { a: obs(1, 0), b: obs('x', 0) });
        await ok(store, '', [create(e, at(1))]);
        await ok(store, '', [update('urn:s:1', { a: obs(2, 5) }, at(5))]);
        // Written again unchanged: nothing new.
        await ok(store, '', [{ id: 'urn:s:1', decide: (cur) => ({ action: 'put', entity: cur! }) }]);
        // The value changed without a new modifiedAt: recorded.
        await ok(store, '', [
          {
            id: 'urn:s:1',
            decide: (cur) => {
              const b = { ...cur!.attrs[iri('b')]![0]!, value: 'y' };
              return { action: 'put', entity: { ...cur!, attrs: { ...cur!.attrs, [iri('b')]: [b] } } };
            },
          },
        ]);
        const h = await history(store, 'urn:s:1');
        expect(values(h.attrs[iri('a')])).toEqual([1, 2]);
        expect(values(h.attrs[iri('b')])).toEqual(['x', 'y']);
      });

      it('records every entity of a batch, replaces, and keeps history across deletes', async () => {
        await ok(store, '', [
          create(entity('urn:s:1', 'Sensor', { v: obs(1, 0) }), at(1)),
          create(entity('urn:s:2', 'Sensor', { v: obs(2, 0) }), at(1)),
        ]);
        await ok(store, '', [
          {
            id: 'urn:s:1',
            decide: (cur) => ({
              action: 'put',
              entity: replaceEntity(cur!, entity('urn:s:1', ['Sensor', 'Meter'], { v: obs(3, 10) }), at(10)),
            }),
          },
        ]);
        await ok(store, '', [
          {
            id: 'urn:s:2',
            decide: (cur) => ({
              action: 'put',
              entity: dropAttribute(cur!, iri('v'), undefined, false, at(12)),
            }),
          },
        ]);
        await ok(store, '', [del('urn:s:1')]);
        const one = await history(store, 'urn:s:1');
        expect(one.type).toEqual([iri('Sensor'), iri('Meter')]);
        expect(values(one.attrs[iri('v')])).toEqual([1, 3]);
        expect(await store.getEntity('', 'urn:s:1')).toBeUndefined();
        expect(values((await history(store, 'urn:s:2')).attrs[iri('v')])).toEqual([2]);
        // Created again: the history goes on.
        await ok(store, '', [create(entity('urn:s:1', 'Sensor', { v: obs(4, 20) }), at(20))]);
        const again = await history(store, 'urn:s:1');
        expect(values(again.attrs[iri('v')])).toEqual([1, 3, 4]);
        expect(again.type).toEqual([iri('Sensor')]);
        expect(again.createdAt).toBe(at(1));
      });

      it('writes history in the transaction of the change: a failed call leaves none', async () => {
        const boom: Mutation = {
          id: 'urn:z',
          decide: () => {
            throw new TypeError('bug');
          },
        };
        await expect(
          store.mutate('', [create(entity('urn:s:1', 'S', { v: obs(1, 0) }), at(1)), boom]),
        ).rejects.toThrow('bug');
        expect(await store.temporal.get('', 'urn:s:1', sel())).toBeUndefined();
        // A per-entity failure fails that entity only, and records nothing of it.
        const r = await store.mutate('', [
          { id: 'urn:s:2', decide: () => ({ action: 'fail', error: new NgsiError('BadRequestData', 'no') }) },
          create(entity('urn:s:3', 'S', { v: obs(3, 0) }), at(1)),
        ]);
        expect(r.map((x) => x.ok)).toEqual([false, true]);
        expect(await store.temporal.get('', 'urn:s:2', sel())).toBeUndefined();
        expect(values((await history(store, 'urn:s:3')).attrs[iri('v')])).toEqual([3]);
        // The entity exists again after the failed call; its history starts with what did commit.
        await ok(store, '', [create(entity('urn:s:1', 'S', { v: obs(5, 0) }), at(2))]);
        expect(values((await history(store, 'urn:s:1')).attrs[iri('v')])).toEqual([5]);
      });
    });

    describe('selecting instances', () => {
      /** v observed at minutes 0, 10, 20, 30, 40 (values 0..4), recorded at minutes 1, 11, … */
      beforeEach(async () => {
        await ok(store, '', [create(entity('urn:s:1', 'Sensor', { v: obs(0, 0), w: obs('a', 0) }), at(1))]);
        for (let k = 1; k < 5; k++) {
          await ok(store, '', [update('urn:s:1', { v: obs(k, 10 * k) }, at(10 * k + 1))]);
        }
      });

      it('filters on observedAt: before (<), after (>=), between (>=, <)', async () => {
        const v = async (s: Partial<InstanceSelect>) =>
          values((await history(store, 'urn:s:1', s)).attrs[iri('v')]);
        expect(await v({ time: { timerel: 'before', timeAt: ms(at(20)) } })).toEqual([0, 1]);
        expect(await v({ time: { timerel: 'after', timeAt: ms(at(20)) } })).toEqual([2, 3, 4]);
        expect(await v({ time: { timerel: 'between', timeAt: ms(at(10)), endTimeAt: ms(at(30)) } })).toEqual([
          1, 2,
        ]);
        expect(await v({ time: { timerel: 'after', timeAt: ms(at(41)) } })).toEqual([]);
      });

      it('filters on modifiedAt and createdAt', async () => {
        const v = async (s: Partial<InstanceSelect>) =>
          values((await history(store, 'urn:s:1', s)).attrs[iri('v')]);
        // Recorded at minutes 1, 11, 21, 31, 41.
        expect(
          await v({ timeproperty: 'modifiedAt', time: { timerel: 'after', timeAt: ms(at(21)) } }),
        ).toEqual([2, 3, 4]);
        expect(
          await v({ timeproperty: 'createdAt', time: { timerel: 'before', timeAt: ms(at(21)) } }),
        ).toEqual([0, 1]);
        const w = (await history(store, 'urn:s:1', { timeproperty: 'createdAt' })).attrs[iri('w')];
        expect(values(w)).toEqual(['a']);
      });

      it('returns the last N instances, ascending', async () => {
        const h = await history(store, 'urn:s:1', { lastN: 2 });
        expect(values(h.attrs[iri('v')])).toEqual([3, 4]);
        const before = await history(store, 'urn:s:1', {
          lastN: 2,
          time: { timerel: 'before', timeAt: ms(at(30)) },
        });
        expect(values(before.attrs[iri('v')])).toEqual([1, 2]);
      });

      it('selects attributes', async () => {
        const h = await history(store, 'urn:s:1', { attrs: [iri('w')] });
        expect(Object.keys(h.attrs)).toEqual([iri('w')]);
        const none = await history(store, 'urn:s:1', { attrs: [iri('unknown')] });
        expect(none.attrs).toEqual({});
      });

      it('caps instances per attribute and reports the range returned', async () => {
        const r = await store.temporal.query('', tq({ ids: ['urn:s:1'] }), sel({ limit: 2 }));
        expect(values(r.entities[0]!.attrs[iri('v')])).toEqual([0, 1]);
        expect(r.partial).toEqual({ from: at(0), to: at(10) });
        // Every attribute is trimmed to the range (w, at minute 0, fits).
        expect(values(r.entities[0]!.attrs[iri('w')])).toEqual(['a']);
        const after = await store.temporal.query(
          '',
          tq({ ids: ['urn:s:1'] }),
          sel({ limit: 2, time: { timerel: 'after', timeAt: ms(at(5)) } }),
        );
        expect(values(after.entities[0]!.attrs[iri('v')])).toEqual([1, 2]);
        expect(after.partial).toEqual({ from: at(5), to: at(20) });
        const whole = await store.temporal.query('', tq({ ids: ['urn:s:1'] }), sel({ limit: 5 }));
        expect(whole.partial).toBeUndefined();
      });

      it('with lastN above the limit, returns the latest instances and the range they cover', async () => {
        const r = await store.temporal.query('', tq(), sel({ lastN: 4, limit: 2 }));
        expect(values(r.entities[0]!.attrs[iri('v')])).toEqual([3, 4]);
        // w (minute 0) is older than the range: trimmed away.
        expect(r.entities[0]!.attrs[iri('w')]).toBeUndefined();
        expect(r.partial).toEqual({ from: at(30), to: at(40) });
        const within = await store.temporal.query('', tq(), sel({ lastN: 2, limit: 2 }));
        expect(within.partial).toBeUndefined();
      });

      it('trims all attributes to the range complete for every one', async () => {
        // u: minutes 0, 5, 15, 25, 35 (5 instances) beside v: 0, 10, 20, 30, 40.
        await store.temporal.append('', {
          id: 'urn:s:1',
          type: [iri('Sensor')],
          attrs: { [iri('u')]: [0, 5, 15, 25, 35].map((m) => obs(m, m)[0]!) },
        });
        const r = await store.temporal.query('', tq(), sel({ limit: 3 }));
        // v cut after minute 20, u after minute 15: complete up to 15 for both.
        expect(r.partial).toEqual({ from: at(0), to: at(15) });
        expect(times(r.entities[0]!.attrs[iri('v')])).toEqual([at(0), at(10)]);
        expect(times(r.entities[0]!.attrs[iri('u')])).toEqual([at(0), at(5), at(15)]);
      });
    });

    describe('datasetIds', () => {
      beforeEach(async () => {
        await ok(store, '', [
          create(
            entity('urn:s:1', 'Sensor', {
              speed: [
                { type: 'Property', value: 50, observedAt: at(0) },
                { type: 'Property', value: 51, observedAt: at(1), datasetId: 'urn:ds:gps' },
              ],
            }),
            at(2),
          ),
        ]);
        await ok(store, '', [
          update(
            'urn:s:1',
            { speed: [{ type: 'Property', value: 55, observedAt: at(3), datasetId: 'urn:ds:gps' }] },
            at(4),
          ),
        ]);
      });

      it('keeps each datasetId apart, merged in time order', async () => {
        const h = await history(store, 'urn:s:1');
        const speed = h.attrs[iri('speed')]!;
        expect(speed.map((i) => [i.value, i.datasetId])).toEqual([
          [50, undefined],
          [51, 'urn:ds:gps'],
          [55, 'urn:ds:gps'],
        ]);
      });

      it('deletes the history of one datasetId, of the default instance, or of all', async () => {
        expect(await store.temporal.deleteAttribute('', 'urn:s:1', iri('speed'), 'urn:ds:none', false)).toBe(
          false,
        );
        expect(await store.temporal.deleteAttribute('', 'urn:s:1', iri('speed'), 'urn:ds:gps', false)).toBe(
          true,
        );
        expect(values((await history(store, 'urn:s:1')).attrs[iri('speed')])).toEqual([50]);
        expect(await store.temporal.deleteAttribute('', 'urn:s:1', iri('speed'), undefined, false)).toBe(
          true,
        );
        expect((await history(store, 'urn:s:1')).attrs).toEqual({});
        expect(await store.temporal.deleteAttribute('', 'urn:s:1', iri('speed'), undefined, false)).toBe(
          false,
        );
        // Recorded anew after the delete.
        await ok(store, '', [update('urn:s:1', { speed: obs(60, 9) }, at(9))]);
        expect(values((await history(store, 'urn:s:1')).attrs[iri('speed')])).toEqual([60]);
        expect(await store.temporal.deleteAttribute('', 'urn:s:1', iri('speed'), undefined, true)).toBe(true);
        expect((await history(store, 'urn:s:1')).attrs).toEqual({});
        expect(await store.temporal.deleteAttribute('', 'urn:missing', iri('speed'), undefined, true)).toBe(
          false,
        );
      });
    });

    describe('temporal writes', () => {
      it('appends instances without touching the current state, creating the temporal entity', async () => {
        const write = {
          id: 'urn:t:1',
          type: [iri('Sensor')],
          attrs: { [iri('v')]: [obs(1, 0)[0]!, obs(2, 5)[0]!] },
        };
        expect(await store.temporal.append('', write)).toEqual({ created: true });
        expect(
          await store.temporal.append('', {
            ...write,
            type: [iri('Meter')],
            attrs: { [iri('v')]: obs(3, 7) },
          }),
        ).toEqual({
          created: false,
        });
        expect(await store.getEntity('', 'urn:t:1')).toBeUndefined();
        const h = await history(store, 'urn:t:1');
        expect(h.type).toEqual([iri('Sensor'), iri('Meter')]);
        expect(values(h.attrs[iri('v')])).toEqual([1, 2, 3]);
        expect(await store.temporal.append('urn:tenant:new', write)).toEqual({ created: true });
        expect(await store.tenantExists('urn:tenant:new')).toBe(true);
      });

      it('patches one instance (modifiedAt moves, createdAt stays) and deletes one', async () => {
        await ok(store, '', [create(entity('urn:s:1', 'S', { v: obs(1, 0, { unitCode: 'CEL' }) }), at(1))]);
        await ok(store, '', [update('urn:s:1', { v: obs(2, 10) }, at(11))]);
        const [first, second] = (await history(store, 'urn:s:1')).attrs[iri('v')]!;
        expect(
          await store.temporal.patchInstance('', 'urn:s:1', iri('v'), first!.instanceId, {
            type: 'Property',
            value: 1.5,
            sub: { [iri('note')]: { type: 'Property', value: 'fixed' } },
          }),
        ).toBe(true);
        const patched = (await history(store, 'urn:s:1')).attrs[iri('v')]![0]!;
        expect(patched).toMatchObject({
          instanceId: first!.instanceId,
          value: 1.5,
          unitCode: 'CEL',
          observedAt: at(0),
          createdAt: at(1),
          sub: { [iri('note')]: { type: 'Property', value: 'fixed' } },
        });
        expect(ms(patched.modifiedAt)).toBeGreaterThan(ms(at(1)));
        // Wrong attribute, entity, tenant or id: not found.
        const p = { type: 'Property' as const, value: 0 };
        expect(await store.temporal.patchInstance('', 'urn:s:1', iri('w'), first!.instanceId, p)).toBe(false);
        expect(await store.temporal.patchInstance('', 'urn:s:2', iri('v'), first!.instanceId, p)).toBe(false);
        expect(await store.temporal.patchInstance('urn:t', 'urn:s:1', iri('v'), first!.instanceId, p)).toBe(
          false,
        );
        expect(await store.temporal.patchInstance('', 'urn:s:1', iri('v'), 'urn:x:1', p)).toBe(false);

        expect(await store.temporal.deleteInstance('', 'urn:s:1', iri('v'), second!.instanceId)).toBe(true);
        expect(await store.temporal.deleteInstance('', 'urn:s:1', iri('v'), second!.instanceId)).toBe(false);
        expect(values((await history(store, 'urn:s:1')).attrs[iri('v')])).toEqual([1.5]);
        // Instance ids are never reused, even after a delete.
        await ok(store, '', [update('urn:s:1', { v: obs(3, 20) }, at(21))]);
        const ids = (await history(store, 'urn:s:1')).attrs[iri('v')]!.map((i) => i.instanceId);
        expect(ids).not.toContain(second!.instanceId);
      });

      it("deletes an entity's whole temporal representation", async () => {
        await ok(store, '', [create(entity('urn:s:1', 'S', { v: obs(1, 0) }), at(1))]);
        expect(await store.temporal.deleteEntity('', 'urn:s:1')).toBe(true);
        expect(await store.temporal.get('', 'urn:s:1', sel())).toBeUndefined();
        expect(await store.temporal.deleteEntity('', 'urn:s:1')).toBe(false);
        expect(await store.temporal.deleteEntity('urn:nobody', 'urn:s:1')).toBe(false);
        // The current entity is untouched; its next change starts a new history.
        expect(await store.getEntity('', 'urn:s:1')).toBeDefined();
        await ok(store, '', [update('urn:s:1', { v: obs(2, 5) }, at(5))]);
        expect(values((await history(store, 'urn:s:1')).attrs[iri('v')])).toEqual([2]);
      });
    });

    describe('entity selection and tenants', () => {
      beforeEach(async () => {
        await ok(store, '', [
          create(
            entity('urn:x:01', ['Building', 'Heritage'], { height: obs(30, 0), name: obs('b', 0) }),
            at(1),
          ),
          create(entity('urn:x:02', 'Building', { height: obs(12, 0) }), at(1)),
          create(entity('urn:x:03', 'Heritage', { name: obs('c', 0) }), at(1)),
          create(
            entity('urn:y:04', 'Street', {
              width: obs(8, 0),
              [LOCATION]: geo({ type: 'Point', coordinates: [1, 1] }, { observedAt: at(0) }),
            }),
            at(1),
          ),
        ]);
        await ok(store, 'urn:t:2', [create(entity('urn:x:01', 'Other', { height: obs(99, 0) }), at(1))]);
      });
      const found = async (q: Partial<TemporalEntityQuery>, tenant = ''): Promise<string[]> =>
        (await store.temporal.query(tenant, tq(q), sel())).entities.map((e) => e.id);

      it('selects by type expression over all types, ids, idPattern and attributes', async () => {
        expect(await found({ type: T('Building') })).toEqual(['urn:x:01', 'urn:x:02']);
        expect(await found({ type: { kind: 'and', items: [T('Building'), T('Heritage')] } })).toEqual([
          'urn:x:01',
        ]);
        expect(await found({ type: { kind: 'or', items: [T('Heritage'), T('Street')] } })).toEqual([
          'urn:x:01',
          'urn:x:03',
          'urn:y:04',
        ]);
        expect(await found({ type: T('Unknown') })).toEqual([]);
        expect(await found({ ids: ['urn:x:03', 'urn:y:04', 'urn:none'] })).toEqual(['urn:x:03', 'urn:y:04']);
        expect(await found({ idPattern: '^urn:x:0[23]$' })).toEqual(['urn:x:02', 'urn:x:03']);
        expect(await found({ attrs: [iri('name')] })).toEqual(['urn:x:01', 'urn:x:03']);
        expect(await rejectsWith(store.temporal.query('', tq({ idPattern: '(a+)+$' }), sel()))).toBe(
          'BadRequestData',
        );
      });

      it('pages entities by id and counts them', async () => {
        const r = await store.temporal.query('', tq({ limit: 2, offset: 1, count: true }), sel());
        expect(r.entities.map((e) => e.id)).toEqual(['urn:x:02', 'urn:x:03']);
        expect(r.count).toBe(4);
        const counted = await store.temporal.query('', tq({ limit: 0, count: true }), sel());
        expect(counted).toEqual({ entities: [], count: 4 });
        expect(await rejectsWith(store.temporal.query('', tq({ limit: -1 }), sel()))).toBe('BadRequestData');
        expect(await rejectsWith(store.temporal.query('', tq(), sel({ limit: 0 })))).toBe('BadRequestData');
        expect(await rejectsWith(store.temporal.query('', tq(), sel({ lastN: 0 })))).toBe('BadRequestData');
      });

      it('tests q, geoQ and scopeQ on the current state', async () => {
        expect(await found({ q: cmp('height', '>', num(20)) })).toEqual(['urn:x:01']);
        // The current value decides, not the history.
        await ok(store, '', [update('urn:x:02', { height: obs(40, 5) }, at(5))]);
        expect(await found({ q: cmp('height', '>', num(20)) })).toEqual(['urn:x:01', 'urn:x:02']);
        await ok(store, '', [del('urn:x:01')]);
        expect(await found({ q: cmp('height', '>', num(20)) })).toEqual(['urn:x:02']);
        expect(await found({ q: cmp('height', '>', num(20)), type: T('Heritage') })).toEqual([]);
        const near = {
          georel: 'near' as const,
          maxDistance: 1000,
          geometry: { type: 'Point' as const, coordinates: [1, 1] },
          geoproperty: LOCATION,
        };
        expect(await found({ geoQ: near })).toEqual(['urn:y:04']);
        const r = await store.temporal.query('', tq({ q: cmp('height', '>', num(20)), count: true }), sel());
        expect(r.count).toBe(1);
      });

      it('isolates tenants; an unknown tenant has nothing', async () => {
        expect(await found({}, 'urn:t:2')).toEqual(['urn:x:01']);
        const there = await history(store, 'urn:x:01', {}, 'urn:t:2');
        expect(there.type).toEqual([iri('Other')]);
        expect(values(there.attrs[iri('height')])).toEqual([99]);
        expect(values((await history(store, 'urn:x:01')).attrs[iri('height')])).toEqual([30]);
        expect(await found({ type: T('Building') }, 'urn:t:2')).toEqual([]);
        const first = (await history(store, 'urn:x:01')).attrs[iri('height')]![0]!;
        expect(
          await store.temporal.deleteInstance('urn:t:2', 'urn:x:01', iri('height'), first.instanceId),
        ).toBe(false);
        expect(await store.temporal.deleteEntity('urn:t:2', 'urn:x:01')).toBe(true);
        expect(await history(store, 'urn:x:01')).toBeDefined();
        expect(await store.temporal.query('urn:nobody', tq({ count: true }), sel())).toEqual({
          entities: [],
          count: 0,
        });
        expect(await store.temporal.get('urn:nobody', 'urn:x:01', sel())).toBeUndefined();
        const agg = await store.temporal.aggregate('urn:nobody', tq(), sel(), { methods: ['sum'] });
        expect(agg).toEqual({ entities: [] });
      });
    });
  });
}
