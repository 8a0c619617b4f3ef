import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceRecord } from '../../store/devices-port.js';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { OfflineSweeper, SWEEP_PAGE, type OfflineDevice } from './offline-sweeper.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const iso = (offsetMs: number) => new Date(T0 + offsetMs).toISOString();

let store: SqliteStore;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  await store.migrate();
  await store.devices.putProfile({ tenant: '', id: 'p', document: {}, createdAt: iso(0), updatedAt: iso(0) });
});

afterEach(async () => {
  await store.close();
});

async function seen(ids: string[], offlineAfterMs: number): Promise<void> {
  const devices: DeviceRecord[] = ids.map((id) => ({
    tenant: '',
    id,
    profileId: 'p',
    entityId: `urn:x:${id}`,
    deviceEntityId: `urn:ngsi-ld:Device:${id}`,
    disabled: false,
    createdAt: iso(0),
  }));
  expect((await store.devices.createDevices(devices)).every((r) => r.ok)).toBe(true);
  await store.devices.recordSeen(
    ids.map((deviceId) => ({ tenant: '', deviceId, at: iso(0), offlineAt: iso(offlineAfterMs) })),
  );
}

describe('OfflineSweeper', () => {
  it('marks the due devices offline, reports them, and leaves the others online', async () => {
    await seen(['due-1', 'due-2'], 60_000);
    await seen(['later'], 3_600_000);
    const reported: OfflineDevice[] = [];
    let clock = T0 + 30_000;
    const sweeper = new OfflineSweeper({
      devices: store.devices,
      intervalMs: 1000,
      onOffline: (page) => void reported.push(...page),
      now: () => clock,
    });
    expect(await sweeper.sweepOnce()).toBe(0);
    clock = T0 + 61_000;
    expect(await sweeper.sweepOnce()).toBe(2);
    expect(reported.map((d) => d.deviceId).sort()).toEqual(['due-1', 'due-2']);
    expect(reported[0]).toMatchObject({ tenant: '', lastSeen: iso(0) });
    expect((await store.devices.getState('', 'due-1'))?.online).toBe(false);
    expect((await store.devices.getState('', 'later'))?.online).toBe(true);
    // Already offline: not reported twice.
    expect(await sweeper.sweepOnce()).toBe(0);
  });

  it('sweeps in pages until a page comes back short', async () => {
    const ids = Array.from({ length: 2 * SWEEP_PAGE + 500 }, (_, i) => `d${i}`);
    await seen(ids, 1000);
    const pages: number[] = [];
    const sweeper = new OfflineSweeper({
      devices: store.devices,
      intervalMs: 1000,
      onOffline: async (page) => void pages.push(page.length),
      now: () => T0 + 2000,
    });
    expect(await sweeper.sweepOnce()).toBe(ids.length);
    expect(pages).toEqual([SWEEP_PAGE, SWEEP_PAGE, 500]);
  });

  it('runs on its interval once started, and not after stop', async () => {
    await seen(['a'], 10);
    const reported: string[] = [];
    const sweeper = new OfflineSweeper({
      devices: store.devices,
      intervalMs: 20,
      onOffline: (page) => void reported.push(...page.map((d) => d.deviceId)),
      now: () => T0 + 1000,
    });
    sweeper.start();
    await waitUntil(() => reported.length > 0);
    await sweeper.stop();
    expect(reported).toEqual(['a']);
    await seen(['b'], 10);
    await new Promise((r) => setTimeout(r, 80));
    expect(reported).toEqual(['a']);
  });

  it('reports a failed sweep to onError and refuses a bad interval', async () => {
    const errors: unknown[] = [];
    const sweeper = new OfflineSweeper({
      devices: { ...store.devices, markOffline: async () => Promise.reject(new Error('locked')) },
      intervalMs: 10,
      onOffline: () => undefined,
      onError: (e) => void errors.push(e),
    });
    await expect(sweeper.sweepOnce()).rejects.toThrow('locked');
    sweeper.start();
    await waitUntil(() => errors.length > 0);
    await sweeper.stop();
    expect(String(errors[0])).toContain('locked');
    expect(
      () => new OfflineSweeper({ devices: store.devices, intervalMs: 0, onOffline: () => undefined }),
    ).toThrow(RangeError);
  });
});

async function waitUntil(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
