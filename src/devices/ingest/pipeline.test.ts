import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NgsiError } from '../../core/errors.js';
import { EntityService } from '../../context/entities/entity-service.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import type { DeviceRecord } from '../../store/devices-port.js';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { testKit, type TestKit } from '../../../test/support/app.js';
import { parseProfile, type DeviceProfile } from '../registry/profile.js';
import { IngestPipeline, type DeviceResolver, type InboundMessage } from './pipeline.js';

const mapper: TermMapper = { expandTerm: (t) => `https://t.example/${t}`, compactIri: (i) => i };
const T = (name: string) => `https://t.example/${name}`;
const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const iso = (offsetMs: number) => new Date(T0 + offsetMs).toISOString();
const CREATED = iso(-86_400_000);

const profile = parseProfile(
  {
    id: 'aq',
    transport: 'mqtt',
    codec: { kind: 'json' },
    entityType: 'AirQualityObserved',
    mapping: {
      pm25: { attribute: 'pm25', unitCode: 'GQ' },
      temp: { attribute: 'temperature', unitCode: 'CEL', scale: 0.1 },
      gps: { attribute: 'location', type: 'GeoProperty' },
    },
    battery: 'bat',
    offlineAfter: 'PT15M',
    maxMessagesPerMinute: 60,
  },
  mapper,
);

/** Resolves devices from the store and profiles from the documents the test stored (parsed already). */
function storeResolver(store: SqliteStore): DeviceResolver {
  return {
    device: async (tenant, id) => {
      const device = await store.devices.getDevice(tenant, id);
      if (device === undefined) return undefined;
      const p = await store.devices.getProfile(tenant, device.profileId);
      return p && { device, profile: p.document as DeviceProfile };
    },
  };
}

const device = (id: string, extra: Partial<DeviceRecord> = {}): DeviceRecord => ({
  tenant: '',
  id,
  profileId: 'aq',
  entityId: `urn:ngsi-ld:AirQualityObserved:${id}`,
  deviceEntityId: `urn:ngsi-ld:Device:${id}`,
  disabled: false,
  createdAt: CREATED,
  ...extra,
});

const msg = (
  deviceId: string,
  body: unknown,
  offsetMs = 0,
  extra: Partial<InboundMessage> = {},
): InboundMessage => ({
  tenant: '',
  deviceId,
  payload: typeof body === 'string' ? body : JSON.stringify(body),
  receivedAt: iso(offsetMs),
  ...extra,
});

let kit: TestKit;
let store: SqliteStore;
let clock: number;
let pipeline: IngestPipeline;

async function putProfile(p: DeviceProfile): Promise<void> {
  await store.devices.putProfile({
    tenant: '',
    id: p.id,
    document: p,
    createdAt: CREATED,
    updatedAt: CREATED,
  });
}

async function history(entityId: string, attr: string) {
  const e = await store.temporal.get('', entityId, { timeproperty: 'observedAt', limit: 1000 });
  return e?.attrs[T(attr)] ?? [];
}

beforeEach(async () => {
  kit = await testKit();
  store = kit.store;
  clock = T0;
  await putProfile(profile);
  for (const id of ['s1', 's2']) await store.devices.putDevice(device(id));
  await store.devices.putDevice(device('off', { disabled: true }));
  pipeline = new IngestPipeline({
    entities: new EntityService({ store }),
    devices: store.devices,
    resolver: storeResolver(store),
    now: () => clock,
  });
});

afterEach(async () => {
  await kit.app.close();
});

describe('IngestPipeline', () => {
  it('writes readings with observedAt and unitCode, keeps history, and records device state', async () => {
    const out = await pipeline.ingest([
      msg('s1', { pm25: 12, temp: 215, gps: { lat: 40.4, lon: -3.7 }, bat: 88 }, 0, {
        radio: { rssi: -97, snr: 7.5 },
      }),
    ]);
    expect(out).toEqual([{ ok: true }]);

    const e = await kit.store.getEntity('', 'urn:ngsi-ld:AirQualityObserved:s1');
    expect(e?.type).toEqual([T('AirQualityObserved')]);
    expect(e?.attrs[T('pm25')]?.[0]).toMatchObject({
      type: 'Property',
      value: 12,
      unitCode: 'GQ',
      observedAt: iso(0),
    });
    expect(e?.attrs[T('temperature')]?.[0]).toMatchObject({ value: 21.5, unitCode: 'CEL' });
    expect(e?.attrs[T('location')]?.[0]).toMatchObject({
      type: 'GeoProperty',
      value: { type: 'Point', coordinates: [-3.7, 40.4] },
    });
    // The battery field is device health, not a reading of the entity.
    expect(Object.keys(e?.attrs ?? {})).not.toContain(T('bat'));

    const h = await history('urn:ngsi-ld:AirQualityObserved:s1', 'pm25');
    expect(h.map((i) => [i.value, i.observedAt, i.unitCode])).toEqual([[12, iso(0), 'GQ']]);

    const state = await store.devices.getState('', 's1');
    expect(state).toMatchObject({ lastSeen: iso(0), online: true, battery: 88, rssi: -97, snr: 7.5 });
    expect(state?.offlineAt).toBe(iso(15 * 60_000));
    expect(pipeline.stats).toMatchObject({ accepted: 1, dataPoints: 3, unmappedFields: 0 });
  });

  it('refuses an unknown device, a disabled one, a bad payload and an unmappable message, each with its reason', async () => {
    const out = await pipeline.ingest([
      msg('ghost', { pm25: 1 }),
      msg('off', { pm25: 1 }),
      msg('s1', '{"pm25": '),
      msg('s2', { humidity: 50, noise: 3 }),
    ]);
    expect(out.map((o) => (o.ok ? 'ok' : o.reason))).toEqual([
      'unknown-device',
      'disabled',
      'decode',
      'mapping',
    ]);
    for (const o of out) if (!o.ok) expect(o.detail).not.toBe('');
    expect(out[3]).toMatchObject({ detail: expect.stringContaining('"humidity", "noise"') });

    expect((await store.devices.getState('', 'off'))?.lastError).toMatch(/^disabled: /);
    expect(await store.devices.getState('', 's1')).toMatchObject({
      lastError: expect.stringMatching(/^decode: not-json/),
      lastErrorAt: iso(0),
      online: false,
    });
    expect((await store.devices.getState('', 's2'))?.lastError).toMatch(/^mapping: no field/);
    expect(await store.devices.getDevice('', 'ghost')).toBeUndefined();
    expect(await kit.store.getEntity('', 'urn:ngsi-ld:AirQualityObserved:s1')).toBeUndefined();
    expect(pipeline.stats.rejected).toEqual({
      'unknown-device': 1,
      disabled: 1,
      'rate-limited': 0,
      decode: 1,
      mapping: 1,
      store: 0,
      unavailable: 0,
    });
  });

  it('refuses a mapped field whose value does not fit its rule, and counts unmapped extras of an accepted message', async () => {
    const out = await pipeline.ingest([
      msg('s1', { gps: 'here' }),
      msg('s2', { pm25: 5, extra: 1, more: 'x' }),
    ]);
    expect(out[0]).toMatchObject({ ok: false, reason: 'mapping', detail: expect.stringContaining('gps') });
    expect(out[1]).toEqual({ ok: true });
    expect((await store.devices.getState('', 's1'))?.lastError).toMatch(/^mapping: field gps/);
    const e = await kit.store.getEntity('', 'urn:ngsi-ld:AirQualityObserved:s2');
    expect(Object.keys(e?.attrs ?? {})).toEqual([T('pm25')]);
    expect(pipeline.stats.unmappedFields).toBe(2);
  });

  it('rate-limits a device beyond maxMessagesPerMinute, and lets it send again as the bucket refills', async () => {
    await putProfile({ ...profile, id: 'slow', maxMessagesPerMinute: 3 });
    await store.devices.putDevice(device('s3', { profileId: 'slow' }));
    const burst = Array.from({ length: 5 }, (_, i) => msg('s3', { pm25: i }, i * 1000));
    const out = await pipeline.ingest(burst);
    expect(out.map((o) => o.ok)).toEqual([true, true, true, false, false]);
    expect(out[3]).toMatchObject({
      reason: 'rate-limited',
      detail: expect.stringContaining('3 messages per minute'),
    });
    expect((await store.devices.getState('', 's3'))?.lastError).toMatch(/^rate-limited: /);
    // Other devices have their own bucket.
    expect(await pipeline.ingest([msg('s1', { pm25: 1 })])).toEqual([{ ok: true }]);
    clock += 20_000; // 3 per minute: one token every 20 s
    expect((await pipeline.ingest([msg('s3', { pm25: 9 }, 30_000)]))[0]).toEqual({ ok: true });
    expect((await history('urn:ngsi-ld:AirQualityObserved:s3', 'pm25')).map((i) => i.value)).toEqual([
      0, 1, 2, 9,
    ]);
  });

  it('keeps both readings when one device sends two messages in a batch; the later value wins', async () => {
    const out = await pipeline.ingest([
      msg('s1', { pm25: 10 }, 0),
      msg('s2', { pm25: 30 }, 0),
      msg('s1', { pm25: 11, temp: 200 }, 60_000),
    ]);
    expect(out).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    const h = await history('urn:ngsi-ld:AirQualityObserved:s1', 'pm25');
    expect(h.map((i) => [i.value, i.observedAt])).toEqual([
      [10, iso(0)],
      [11, iso(60_000)],
    ]);
    const e = await kit.store.getEntity('', 'urn:ngsi-ld:AirQualityObserved:s1');
    expect(e?.attrs[T('pm25')]?.[0]?.value).toBe(11);
    expect((await store.devices.getState('', 's1'))?.lastSeen).toBe(iso(60_000));
  });

  it('acknowledges a redelivered message again without writing it twice (across batches and within one)', async () => {
    const first = msg('s1', { pm25: 10 }, 0, { messageId: 'm-1' });
    expect(await pipeline.ingest([first])).toEqual([{ ok: true }]);
    expect(
      await pipeline.ingest([first, msg('s1', { pm25: 12 }, 1000, { messageId: 'm-2' }), { ...first }]),
    ).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    // The same id from another device is another message.
    expect(await pipeline.ingest([msg('s2', { pm25: 7 }, 0, { messageId: 'm-1' })])).toEqual([{ ok: true }]);
    const h = await history('urn:ngsi-ld:AirQualityObserved:s1', 'pm25');
    expect(h.map((i) => i.value)).toEqual([10, 12]);
    expect(pipeline.stats).toMatchObject({ accepted: 3, duplicates: 2 });
  });

  it('treats a copy within one batch like its original', async () => {
    const a = msg('s1', { pm25: 10 }, 0, { messageId: 'x' });
    const out = await pipeline.ingest([a, { ...a }]);
    expect(out).toEqual([{ ok: true }, { ok: true }]);
    expect((await history('urn:ngsi-ld:AirQualityObserved:s1', 'pm25')).length).toBe(1);
    // A rejected message's copy is rejected too (and not written).
    const bad = msg('s2', 'nope', 0, { messageId: 'y' });
    expect((await pipeline.ingest([bad, { ...bad }])).map((o) => o.ok)).toEqual([false, false]);
  });

  it('lands a batch of 1,000 messages from 100 devices completely', async () => {
    await putProfile({ ...profile, id: 'fast', maxMessagesPerMinute: 600 });
    const fleet = Array.from({ length: 100 }, (_, d) => device(`f${d}`, { profileId: 'fast' }));
    expect((await store.devices.createDevices(fleet)).every((r) => r.ok)).toBe(true);
    const batch: InboundMessage[] = [];
    for (let k = 0; k < 10; k++)
      for (let d = 0; d < 100; d++) batch.push(msg(`f${d}`, { pm25: k, temp: d, bat: 50 }, k * 1000));
    const out = await pipeline.ingest(batch);
    expect(out.filter((o) => o.ok).length).toBe(1000);
    expect(pipeline.stats).toMatchObject({ accepted: 1000, dataPoints: 2000 });
    for (const d of [0, 42, 99]) {
      const h = await history(`urn:ngsi-ld:AirQualityObserved:f${d}`, 'pm25');
      expect(h.map((i) => i.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(await store.devices.getState('', `f${d}`)).toMatchObject({
        lastSeen: iso(9000),
        battery: 50,
        online: true,
      });
    }
  });

  it('writes each tenant\u2019s messages to its own tenant', async () => {
    await store.devices.putProfile({
      tenant: 'city',
      id: 'aq',
      document: profile,
      createdAt: CREATED,
      updatedAt: CREATED,
    });
    await store.devices.putDevice(device('s1', { tenant: 'city' }));
    const out = await pipeline.ingest([
      msg('s1', { pm25: 1 }),
      msg('s1', { pm25: 2 }, 0, { tenant: 'city' }),
    ]);
    expect(out).toEqual([{ ok: true }, { ok: true }]);
    const id = 'urn:ngsi-ld:AirQualityObserved:s1';
    expect((await kit.store.getEntity('', id))?.attrs[T('pm25')]?.[0]?.value).toBe(1);
    expect((await kit.store.getEntity('city', id))?.attrs[T('pm25')]?.[0]?.value).toBe(2);
    expect((await store.devices.getState('city', 's1'))?.online).toBe(true);
  });

  it('refuses a batch over maxBatch and malformed messages before doing anything', async () => {
    const small = new IngestPipeline({
      entities: new EntityService({ store }),
      devices: store.devices,
      resolver: storeResolver(store),
      maxBatch: 2,
    });
    await expect(small.ingest([msg('s1', {}), msg('s1', {}), msg('s1', {})])).rejects.toThrow(/at most 2/);
    await expect(pipeline.ingest([{ ...msg('s1', { pm25: 1 }), receivedAt: 'yesterday' }])).rejects.toThrow(
      /receivedAt/,
    );
    await expect(
      pipeline.ingest([{ ...msg('s1', { pm25: 1 }), payload: 5 as unknown as string }]),
    ).rejects.toThrow(/payload/);
    expect(
      () =>
        new IngestPipeline({
          entities: new EntityService({ store }),
          devices: store.devices,
          resolver: storeResolver(store),
          maxBatch: 0,
        }),
    ).toThrow(RangeError);
    expect(await kit.store.getEntity('', 'urn:ngsi-ld:AirQualityObserved:s1')).toBeUndefined();
  });

  it('reports a write the store could not take as unavailable (retry) for every message it carried', async () => {
    const entities = new EntityService({ store });
    let calls = 0;
    const failing = Object.create(entities) as EntityService;
    failing.recordObservations = async (...args) => {
      calls++;
      if (calls === 1) throw new Error('disk full');
      return entities.recordObservations(...args);
    };
    const p = new IngestPipeline({
      entities: failing,
      devices: store.devices,
      resolver: storeResolver(store),
    });
    const out = await p.ingest([msg('s1', { pm25: 1 }), msg('s1', { pm25: 2 }, 1000)]);
    expect(out).toEqual([
      { ok: false, reason: 'unavailable', detail: 'disk full' },
      { ok: false, reason: 'unavailable', detail: 'disk full' },
    ]);
    expect(calls).toBe(1);
    expect((await store.devices.getState('', 's1'))?.lastError).toMatch(/^unavailable: /);
    expect((await store.devices.getState('', 's1'))?.lastSeen).toBeUndefined();
  });

  it('reports a write refused for its data (a 4xx thrown by the store) as a store rejection', async () => {
    const entities = new EntityService({ store });
    const failing = Object.create(entities) as EntityService;
    failing.recordObservations = async () => {
      throw new NgsiError('BadRequestData', 'a value cannot be stored');
    };
    const p = new IngestPipeline({
      entities: failing,
      devices: store.devices,
      resolver: storeResolver(store),
    });
    expect(await p.ingest([msg('s1', { pm25: 1 })])).toEqual([
      { ok: false, reason: 'store', detail: 'a value cannot be stored' },
    ]);
  });

  it('records a message redelivered after a restart once (same observedAt and value)', async () => {
    // This profile has no device clock: observedAt is the receive time, the same for the copy here as
    // a device clock's reading would be in the copy of a real message.
    expect(await pipeline.ingest([msg('s1', { pm25: 5 })])).toEqual([{ ok: true }]);
    // A new pipeline has no memory of message ids, as after a crash and restart.
    const restarted = new IngestPipeline({
      entities: new EntityService({ store }),
      devices: store.devices,
      resolver: storeResolver(store),
    });
    expect(await restarted.ingest([msg('s1', { pm25: 5 })])).toEqual([{ ok: true }]);
    expect((await history('urn:ngsi-ld:AirQualityObserved:s1', 'pm25')).map((i) => i.value)).toEqual([5]);
    // Another value at the same instant, or the same value later, is a new observation.
    expect(await restarted.ingest([msg('s1', { pm25: 6 }), msg('s1', { pm25: 6 }, 1000)])).toEqual([
      { ok: true },
      { ok: true },
    ]);
    expect((await history('urn:ngsi-ld:AirQualityObserved:s1', 'pm25')).map((i) => i.value)).toEqual([
      5, 6, 6,
    ]);
  });
});
