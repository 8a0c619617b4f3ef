/**
 * Conformance: the IoT Agent repository (IotaRepository, issue #5) — service groups keyed by their
 * apikey hash, unique across tenants, created all or none; listings per tenant and service path
 * (or all paths), paged with a total; replace and delete only within the group's own tenant and
 * path; device documents per tenant with the devices of a group found by its key.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NgsiError } from '../../core/errors.js';
import type { IotaDeviceRecord, IotaGroupRecord, IotaRepository } from '../iota-port.js';
import type { Store } from '../port.js';
import type { MakeStore } from './fixtures.js';

const A = 'city-a';
const B = 'city-b';
const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:01:00.000Z';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

const group = (apikey: string, extra: Partial<IotaGroupRecord> = {}): IotaGroupRecord => ({
  apikeyHash: sha(apikey),
  apikeyPrefix: apikey.slice(0, 4),
  tenant: A,
  servicePath: '/',
  resource: '/iot/json',
  profileId: `iota-${apikey}`,
  document: { entity_type: 'Thing', attributes: [{ object_id: 't', name: 'temperature', type: 'Number' }] },
  createdAt: T0,
  updatedAt: T0,
  ...extra,
});

const device = (id: string, apikey: string, extra: Partial<IotaDeviceRecord> = {}): IotaDeviceRecord => ({
  tenant: A,
  deviceId: id,
  servicePath: '/',
  groupKey: sha(apikey),
  profileId: `iota-${apikey}`,
  document: { device_id: id, entity_name: `urn:ngsi-ld:Thing:${id}`, attributes: [] },
  createdAt: T0,
  updatedAt: T0,
  ...extra,
});

async function rejection(p: Promise<unknown>): Promise<NgsiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof NgsiError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

/** Register the IoT Agent repository tests for a store factory. */
export function describeIota(makeStore: MakeStore): void {
  describe('iota', () => {
    let store: Store;
    let iota: IotaRepository;
    beforeEach(async () => {
      store = await makeStore();
      iota = store.iota;
    });
    afterEach(async () => {
      await store.close();
    });

    describe('service groups', () => {
      it('creates groups and finds one by apikey hash whatever its tenant', async () => {
        await iota.createGroups([group('k1'), group('k2', { tenant: B, servicePath: '/north' })]);
        expect(await iota.groupByKey(sha('k1'))).toEqual(group('k1'));
        expect(await iota.groupByKey(sha('k2'))).toEqual(group('k2', { tenant: B, servicePath: '/north' }));
        expect(await iota.groupByKey(sha('nope'))).toBeUndefined();
      });

      it('keeps a group without a profile, and its document as JSON', async () => {
        const { profileId: _none, ...bare } = group('k1', { document: { entity_type: 'T', n: [1, null] } });
        await iota.createGroups([bare]);
        expect(await iota.groupByKey(sha('k1'))).toEqual(bare);
      });

      it('refuses an apikey already taken, by any tenant, and creates none of the request', async () => {
        await iota.createGroups([group('k1')]);
        const e = await rejection(iota.createGroups([group('k3'), group('k1', { tenant: B })]));
        expect(e.kind).toBe('AlreadyExists');
        expect(e.detail).not.toContain(A);
        expect(await iota.groupByKey(sha('k3'))).toBeUndefined();
        expect((await iota.groupByKey(sha('k1')))?.tenant).toBe(A);
        // Twice in one request is refused too.
        expect((await rejection(iota.createGroups([group('k4'), group('k4')]))).kind).toBe('AlreadyExists');
        expect(await iota.groupByKey(sha('k4'))).toBeUndefined();
      });

      it('lists a tenant’s groups per service path or all of them, paged, with the total', async () => {
        await iota.createGroups([
          group('k1'),
          group('k2', { servicePath: '/north', createdAt: T1 }),
          group('k3', { servicePath: '/north' }),
          group('k4', { tenant: B }),
        ]);
        const all = await iota.listGroups(A, { all: true }, 10, 0);
        expect(all.count).toBe(3);
        expect(all.items.map((g) => g.apikeyPrefix)).toEqual(['k1', 'k3', 'k2']);
        const north = await iota.listGroups(A, { servicePath: '/north' }, 1, 1);
        expect(north).toEqual({ count: 2, items: [group('k2', { servicePath: '/north', createdAt: T1 })] });
        expect(await iota.listGroups(A, { servicePath: '/south' }, 10, 0)).toEqual({ count: 0, items: [] });
        expect((await iota.listGroups(B, { all: true }, 10, 0)).items).toEqual([group('k4', { tenant: B })]);
      });

      it('replaces and deletes a group only in its own tenant and service path', async () => {
        await iota.createGroups([group('k1')]);
        const changed = group('k1', { document: { entity_type: 'Other' }, updatedAt: T1 });
        expect(await iota.replaceGroup({ ...changed, tenant: B })).toBe(false);
        expect(await iota.replaceGroup({ ...changed, servicePath: '/x' })).toBe(false);
        expect(await iota.groupByKey(sha('k1'))).toEqual(group('k1'));
        expect(await iota.replaceGroup(changed)).toBe(true);
        expect(await iota.groupByKey(sha('k1'))).toEqual(changed);

        expect(await iota.deleteGroup(B, '/', sha('k1'))).toBe(false);
        expect(await iota.deleteGroup(A, '/x', sha('k1'))).toBe(false);
        expect(await iota.deleteGroup(A, '/', sha('k1'))).toBe(true);
        expect(await iota.deleteGroup(A, '/', sha('k1'))).toBe(false);
        expect(await iota.groupByKey(sha('k1'))).toBeUndefined();
        // Its apikey is free again.
        await iota.createGroups([group('k1', { tenant: B })]);
        expect((await iota.groupByKey(sha('k1')))?.tenant).toBe(B);
      });
    });

    describe('devices', () => {
      it('puts, reads, replaces and deletes device documents per tenant', async () => {
        await iota.putDevice(device('d1', 'k1'));
        await iota.putDevice(device('d1', 'k2', { tenant: B }));
        expect(await iota.getDevice(A, 'd1')).toEqual(device('d1', 'k1'));
        expect(await iota.getDevice(B, 'd1')).toEqual(device('d1', 'k2', { tenant: B }));
        const moved = device('d1', 'k3', { servicePath: '/n', profileId: 'p', updatedAt: T1, document: {} });
        await iota.putDevice(moved);
        expect(await iota.getDevice(A, 'd1')).toEqual(moved);
        expect(await iota.deleteDevice(A, 'd1')).toBe(true);
        expect(await iota.deleteDevice(A, 'd1')).toBe(false);
        expect(await iota.getDevice(A, 'd1')).toBeUndefined();
        expect(await iota.getDevice(B, 'd1')).toBeDefined();
      });

      it('lists devices per service path or all, ordered by id, and finds a group’s devices', async () => {
        for (const [id, path, key] of [
          ['d3', '/', 'k1'],
          ['d1', '/north', 'k2'],
          ['d2', '/', 'k1'],
        ] as const)
          await iota.putDevice(device(id, key, { servicePath: path }));
        await iota.putDevice(device('d0', 'k1', { tenant: B }));
        const all = await iota.listDevices(A, { all: true }, 2, 0);
        expect(all.count).toBe(3);
        expect(all.items.map((d) => d.deviceId)).toEqual(['d1', 'd2']);
        const root = await iota.listDevices(A, { servicePath: '/' }, 10, 1);
        expect(root.count).toBe(2);
        expect(root.items.map((d) => d.deviceId)).toEqual(['d3']);
        expect((await iota.devicesOfGroup(sha('k1'))).map((d) => `${d.tenant}/${d.deviceId}`)).toEqual([
          'city-b/d0',
          'city-a/d2',
          'city-a/d3',
        ]);
        expect(await iota.devicesOfGroup(sha('none'))).toEqual([]);
      });
    });
  });
}
