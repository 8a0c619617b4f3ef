/**
 * The devices module assembled: a message of a never-seen device makes its Device entity `online`;
 * the sweep after its silence makes it `offline` (both with observedAt, so subscriptions and history
 * see them); deleting a device is seen by ingest at once (the cache forgets it).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EntityService } from '../context/entities/entity-service.js';
import { systemScope } from '../context/scope.js';
import { ContextResolver } from '../core/jsonld/context-resolver.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { openDevices, type Devices } from './devices.js';

const DC = 'https://uri.etsi.org/ngsi-ld/default-context/';
const S = systemScope('city-a');
let store: SqliteStore;
let devices: Devices;
let entities: EntityService;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  await store.migrate();
  entities = new EntityService({ store });
  const contexts = new ContextResolver({
    load: async (url: string) => {
      throw new Error(`offline test: ${url}`);
    },
  });
  devices = openDevices({ store, entities, contexts, sweepIntervalMs: 0 });
  await devices.registry.putProfile(S, {
    id: 'aq',
    transport: 'http',
    codec: { kind: 'json' },
    entityType: 'AirQualityObserved',
    mapping: { pm25: { attribute: 'pm25', unitCode: 'GQ' } },
    offlineAfter: 'PT10M',
  });
  await devices.registry.createDevices(S, [{ id: 's1', profile: 'aq' }], { credentials: 'none' });
});

afterEach(async () => {
  await devices.close();
  await store.close();
});

const deviceState = async () => {
  const device = await store.devices.getDevice('city-a', 's1');
  const e = await entities.retrieve(S, device!.deviceEntityId);
  return e?.attrs[`${DC}deviceState`]?.[0];
};

describe('openDevices', () => {
  it('records a device coming online and going offline on its Device entity', async () => {
    const at = new Date(Date.now() - 3_600_000).toISOString(); // an hour ago: due for the sweep
    const outcome = await devices.ingress.submit({
      tenant: 'city-a',
      deviceId: 's1',
      payload: '{"pm25": 7}',
      receivedAt: at,
    });
    expect(outcome).toEqual({ ok: true });
    expect(await deviceState()).toMatchObject({ value: 'online', observedAt: at });

    expect(await devices.sweeper.sweepOnce()).toBe(1);
    expect((await deviceState())?.value).toBe('offline');
    expect((await store.devices.getState('city-a', 's1'))?.online).toBe(false);
  });

  it('sees a deleted device at once, although lookups are cached', async () => {
    const m = {
      tenant: 'city-a',
      deviceId: 's1',
      payload: '{"pm25": 1}',
      receivedAt: new Date().toISOString(),
    };
    expect(await devices.ingress.submit(m)).toEqual({ ok: true });
    expect(await devices.registry.deleteDevice(S, 's1')).toBe(true);
    expect(await devices.ingress.submit(m)).toMatchObject({ ok: false, reason: 'unknown-device' });
  });

  it('counts refusals by transport and reason', () => {
    devices.ingress.refuse('mqtt', 'credential', 'bad password');
    devices.ingress.refuse('mqtt', 'credential', 'bad password');
    devices.ingress.refuse('coap', 'oversized', '70,000 bytes');
    expect(devices.refusals.get('mqtt')?.credential).toBe(2);
    expect(devices.refusals.get('coap')?.oversized).toBe(1);
  });
});
