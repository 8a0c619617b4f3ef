/**
 * The IoT Agent dialect's pure logic: reading provisioning documents (strict, naming what it
 * refuses), groups and devices as Urbis profiles, measure bodies as pipeline payloads, ingest
 * outcomes as HTTP answers; and the apikey authority over a real (in-memory) store.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NgsiError } from '../../../src/core/errors.js';
import { ingestAnswer } from '../../../src/devices/dialects/ingest-answer.js';
import { StoreIotaAuthority } from '../../../src/devices/dialects/iota-authority.js';
import { iotaMeasures } from '../../../src/devices/dialects/iota-measures.js';
import {
  parseDevice,
  parseGroup,
  parseServicePath,
  parseServicesBody,
} from '../../../src/devices/dialects/iota-model.js';
import {
  deviceProfileId,
  effectiveMapping,
  entityIdOf,
  groupProfileId,
  hashApikey,
  profileDocument,
  usesGroupProfile,
} from '../../../src/devices/dialects/iota-profile.js';
import { openSqliteStore } from '../../../src/store/sqlite/index.js';
import type { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof NgsiError && e.status === 400) return e.detail;
    throw e;
  }
  throw new Error('expected a 400');
}

describe('IoT Agent documents', () => {
  it('reads a tutorial service group, keeping agent-only members and dropping the apikey', () => {
    const g = parseGroup({
      apikey: '4jggokgpepnvsb2uv4s40d59ov',
      cbroker: 'http://orion:1026',
      entity_type: 'Thing',
      resource: '/iot/json',
      attributes: [
        { object_id: 't', name: 'temperature', type: 'Number', metadata: { unitCode: { value: 'CEL' } } },
      ],
    });
    expect(g.apikey).toBe('4jggokgpepnvsb2uv4s40d59ov');
    expect(g.attributes).toEqual([{ objectId: 't', name: 'temperature', type: 'Number', unitCode: 'CEL' }]);
    expect(g.document).toEqual({
      cbroker: 'http://orion:1026',
      entity_type: 'Thing',
      resource: '/iot/json',
      attributes: [
        { object_id: 't', name: 'temperature', type: 'Number', metadata: { unitCode: { value: 'CEL' } } },
      ],
    });
  });

  it('defaults object_id to name, the resource and the entity type', () => {
    const g = parseGroup({ apikey: 'k', attributes: [{ name: 'count', type: 'Integer' }] });
    expect(g).toMatchObject({ resource: '/iot/json', entityType: 'Thing' });
    expect(g.attributes[0]?.objectId).toBe('count');
  });

  it('refuses what would change the data silently, naming the member', () => {
    expect(refusal(() => parseGroup({ apikey: 'k', entityNameExp: 'x' }))).toMatch(
      /entityNameExp.*not supported/,
    );
    expect(
      refusal(() => parseGroup({ apikey: 'k', attributes: [{ name: 'a', type: 'N', expression: 'a*2' }] })),
    ).toMatch(/attributes\[0\]\.expression/);
    expect(
      refusal(() => parseGroup({ apikey: 'k', attributes: [{ name: 'a', type: 'N', entity_name: 'e' }] })),
    ).toMatch(/multi-entity/);
    expect(refusal(() => parseGroup({ apikey: 'k', colour: 'red' }))).toMatch(/unknown member colour/);
    expect(refusal(() => parseGroup({ apikey: 'k', resource: '/iot/d' }))).toMatch(/resource/);
    expect(refusal(() => parseGroup({ resource: '/iot/json' }))).toMatch(/apikey is required/);
    expect(refusal(() => parseGroup({ apikey: 'a b' }))).toMatch(/apikey/);
    expect(
      refusal(() =>
        parseGroup({ apikey: 'k', attributes: [{ name: 'a', metadata: { unitCode: 'celsius' } }] }),
      ),
    ).toMatch(/unitCode/);
    expect(refusal(() => parseDevice({ device_id: 'has space' }))).toMatch(/device_id/);
    expect(refusal(() => parseServicesBody({ services: [] }))).toMatch(/non-empty/);
    expect(refusal(() => parseServicesBody([]))).toMatch(/JSON object/);
  });

  it('reads service paths as the IoT Agent does', () => {
    expect(parseServicePath(undefined, true)).toBe('/');
    expect(parseServicePath('/north/zone_1', true)).toBe('/north/zone_1');
    expect(parseServicePath('/*', false)).toBe('/*');
    expect(refusal(() => parseServicePath('/*', true))).toMatch(/every path/);
    expect(refusal(() => parseServicePath('north', true))).toMatch(/servicepath/);
    expect(refusal(() => parseServicePath('/a//b', true))).toMatch(/servicepath/);
  });
});

describe('IoT Agent groups and devices as Urbis profiles', () => {
  const group = {
    entityType: 'Thing',
    attributes: [
      { objectId: 't', name: 'temperature', type: 'Number', unitCode: 'CEL' },
      { objectId: 'h', name: 'humidity', type: 'Number' },
    ],
  };

  it('maps object_id → name with units, reads TimeInstant as the device time, drops id and type', () => {
    const doc = profileDocument(
      'p',
      { entityType: 'Thing', attributes: [...group.attributes, { objectId: 'x', name: 'id', type: 'Text' }] },
      'd',
    );
    expect(doc).toEqual({
      id: 'p',
      description: 'd',
      transport: 'iota-json',
      codec: { kind: 'json' },
      entityType: 'Thing',
      mapping: { t: { attribute: 'temperature', unitCode: 'CEL' }, h: { attribute: 'humidity' } },
      deviceTime: 'TimeInstant',
    });
    expect(profileDocument('p', { entityType: 'T', attributes: [] }, 'd')).toBeUndefined();
  });

  it('keeps a measure named __proto__ a measure', () => {
    const doc = profileDocument(
      'p',
      { entityType: 'T', attributes: [{ objectId: '__proto__', name: 'a', type: 'N' }] },
      'd',
    );
    expect(Object.keys(doc?.mapping as object)).toEqual(['__proto__']);
  });

  it('lets a device’s own attributes and type override its group’s', () => {
    const device = {
      entityType: 'Sensor',
      attributes: [{ objectId: 't', name: 'airTemperature', type: 'Number' }],
    };
    expect(usesGroupProfile(group, device)).toBe(false);
    expect(usesGroupProfile(group, { attributes: [] })).toBe(true);
    expect(usesGroupProfile(group, { entityType: 'Thing', attributes: [] })).toBe(true);
    expect(effectiveMapping(group, device)).toEqual({
      entityType: 'Sensor',
      attributes: [{ objectId: 'h', name: 'humidity', type: 'Number' }, device.attributes[0]],
    });
  });

  it('derives stable profile ids from the apikey hash, never the apikey', () => {
    const h = hashApikey('secret-key');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(groupProfileId(h)).toBe(`iota-${h.slice(0, 24)}`);
    expect(groupProfileId(h)).not.toContain('secret');
    expect(deviceProfileId(h, 'd1')).toMatch(new RegExp(`^iota-${h.slice(0, 24)}-[0-9a-f]{24}$`));
    expect(deviceProfileId(h, 'x'.repeat(128)).length).toBeLessThanOrEqual(128);
  });

  it('names entities as the IoT Agent does for NGSI-LD', () => {
    expect(entityIdOf('Motion', 'motion001', 'urn:ngsi-ld:Motion:001')).toBe('urn:ngsi-ld:Motion:001');
    expect(entityIdOf('Motion', 'motion001')).toBe('urn:ngsi-ld:Motion:motion001');
    expect(entityIdOf('https://example.org/T', 'd1', 'room 1')).toBe('urn:ngsi-ld:T:room%201');
  });
});

describe('IoT Agent measure bodies', () => {
  it('passes one object on as sent, and anything not JSON for the codec to refuse', () => {
    expect(iotaMeasures('{"c": 1 }')).toEqual({ ok: true, payloads: ['{"c": 1 }'] });
    expect(iotaMeasures('c|1')).toEqual({ ok: true, payloads: ['c|1'] });
    expect(iotaMeasures('42')).toEqual({ ok: true, payloads: ['42'] });
  });

  it('refuses what cannot be framed', () => {
    expect(iotaMeasures('[]').ok).toBe(false);
    expect(iotaMeasures('[{"a":1}, 2]').ok).toBe(false);
    expect(iotaMeasures(JSON.stringify(Array.from({ length: 101 }, () => ({ a: 1 })))).ok).toBe(false);
    expect(iotaMeasures('{"a":1}', '2026-12-03T08:00:00').ok).toBe(false);
  });

  it('writes t into every measure as TimeInstant and keeps every other member', () => {
    const t = '2026-12-03T08:00:00Z';
    fc.assert(
      fc.property(
        fc.array(
          fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string({ maxLength: 8 })), {
            maxKeys: 5,
          }),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        fc.boolean(),
        (measures, asArray) => {
          const body = JSON.stringify(asArray ? measures : measures[0]);
          const framed = iotaMeasures(body, t);
          if (!framed.ok) return false;
          const expected = asArray ? measures : [measures[0]];
          expect(framed.payloads.map((p) => JSON.parse(p) as unknown)).toEqual(
            expected.map((m) => ({ ...m, TimeInstant: t })),
          );
          return true;
        },
      ),
    );
  });
});

describe('ingest outcomes as HTTP answers', () => {
  it('is 200 only when every message was stored, else the first refusal’s status', () => {
    expect(ingestAnswer([{ ok: true }, { ok: true }])).toEqual({ ok: true });
    expect(ingestAnswer([{ ok: true }, { ok: false, reason: 'decode', detail: 'x' }])).toMatchObject({
      status: 400,
    });
    expect(ingestAnswer([{ ok: false, reason: 'rate-limited', detail: 'x' }])).toMatchObject({ status: 429 });
    expect(ingestAnswer([{ ok: false, reason: 'overloaded', detail: 'x' }])).toMatchObject({ status: 503 });
    expect(ingestAnswer([{ ok: false, reason: 'disabled', detail: 'x' }])).toMatchObject({ status: 403 });
  });
});

describe('the apikey authority', () => {
  let store: SqliteStore;
  const T = '2026-01-01T00:00:00.000Z';
  beforeAll(async () => {
    store = openSqliteStore({ path: ':memory:' });
    await store.migrate();
    const group = (apikey: string, tenant: string) => ({
      apikeyHash: hashApikey(apikey),
      apikeyPrefix: apikey.slice(0, 4),
      tenant,
      servicePath: '/',
      resource: '/iot/json',
      document: {},
      createdAt: T,
      updatedAt: T,
    });
    await store.iota.createGroups([group('key-a', 'city-a'), group('key-b', 'city-b')]);
    const device = (id: string, tenant: string, apikey: string) => ({
      tenant,
      deviceId: id,
      servicePath: '/',
      groupKey: hashApikey(apikey),
      profileId: 'p',
      document: {},
      createdAt: T,
      updatedAt: T,
    });
    await store.iota.putDevice(device('d1', 'city-a', 'key-a'));
    await store.iota.putDevice(device('d2', 'city-b', 'key-b'));
  });
  afterAll(async () => {
    await store.close();
  });

  it('finds the tenant by the apikey, and only the group’s own devices', async () => {
    const authority = new StoreIotaAuthority(store.iota);
    expect(await authority.authenticate('key-a', 'd1')).toEqual({ tenant: 'city-a', deviceId: 'd1' });
    expect(await authority.authenticate('key-b', 'd2')).toEqual({ tenant: 'city-b', deviceId: 'd2' });
    expect(await authority.authenticate('key-a', 'd2')).toBeUndefined();
    expect(await authority.authenticate('key-b', 'd1')).toBeUndefined();
    expect(await authority.resolve('key-x', 'd1')).toEqual({ ok: false, reason: 'apikey' });
    expect(await authority.resolve('key-a', 'nope')).toEqual({ ok: false, reason: 'device' });
    expect(await authority.resolve('x'.repeat(10_000), 'd1')).toEqual({ ok: false, reason: 'apikey' });
  });
});
