/**
 * A fleet moving from a FIWARE IoT Agent JSON to Urbis, scripted as the FIWARE tutorials provision
 * one (tutorials.IoT-Agent-JSON / NGSI-LD IoT Agent): a service group with its apikey, devices with
 * `object_id → name` attributes, then measures posted with `?k=<apikey>&i=<device>` — over real HTTP
 * (the app listening on a free loopback port, fetch as the client) — and read back as NGSI-LD
 * entities. Also: wrong apikeys, unknown devices and junk bodies refused, another tenant isolated, and
 * group and device updates re-mapping what is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, testKit, type TestKit } from '../../support/app.js';
import { TENANT } from '../../support/devices.js';

const APIKEY = '4jggokgpepnvsb2uv4s40d59ov';
const OTHER_TENANT = 'city-b';
const OTHER_APIKEY = 'other-city-key-0001';

let kit: TestKit;
let base: string;

beforeAll(async () => {
  kit = await testKit();
  base = await kit.app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await kit.app.close();
});

/** A provisioning request as the tutorials send it (fiware-service and -servicepath headers). */
async function iot(
  method: string,
  path: string,
  body?: unknown,
  service = TENANT,
  servicePath = '/',
  auth: string | null = ADMIN_KEY,
): Promise<{ status: number; json: () => unknown }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      'fiware-service': service,
      'fiware-servicepath': servicePath,
      ...(auth !== null ? { authorization: `Bearer ${auth}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: () => JSON.parse(text) as unknown };
}

/** A device posting measures, as IoT Agent JSON firmware does (no Urbis credential, no tenant). */
async function measure(query: string, body: string, contentType = 'application/json'): Promise<number> {
  const res = await fetch(`${base}/iot/json?${query}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

type Attr = { value?: unknown; observedAt?: string; unitCode?: string; object?: unknown };

async function entity(id: string, tenant = TENANT): Promise<{ status: number; attrs: Record<string, Attr> }> {
  const res = await fetch(`${base}/ngsi-ld/v1/entities/${encodeURIComponent(id)}`, {
    headers: { 'ngsild-tenant': tenant, authorization: `Bearer ${ADMIN_KEY}` },
  });
  return { status: res.status, attrs: (await res.json()) as Record<string, Attr> };
}

async function history(id: string, attr: string): Promise<Array<[unknown, string]>> {
  const res = await fetch(
    `${base}/ngsi-ld/v1/temporal/entities/${encodeURIComponent(id)}?attrs=${attr}&options=temporalValues`,
    { headers: { 'ngsild-tenant': TENANT, authorization: `Bearer ${ADMIN_KEY}` } },
  );
  const body = (await res.json()) as Record<string, { values?: Array<[unknown, string]> }>;
  return body[attr]?.values ?? [];
}

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

describe('migrating an IoT Agent JSON fleet (FIWARE tutorial provisioning)', () => {
  it('provisions the service group (201, no body)', async () => {
    const res = await iot('POST', '/iot/services', {
      services: [
        {
          apikey: APIKEY,
          cbroker: 'http://orion:1026',
          entity_type: 'Thing',
          resource: '/iot/json',
        },
      ],
    });
    expect(res.status).toBe(201);
    const list = await iot('GET', '/iot/services');
    expect(list.status).toBe(200);
    const listed = list.json() as { count: number; services: Array<Record<string, unknown>> };
    expect(listed.count).toBe(1);
    expect(listed.services[0]).toMatchObject({
      entity_type: 'Thing',
      resource: '/iot/json',
      cbroker: 'http://orion:1026',
      apikey_prefix: '4jgg',
      service: TENANT,
      subservice: '/',
    });
    // The apikey is a secret: only its hash is kept, and it is never shown.
    expect(JSON.stringify(listed)).not.toContain(APIKEY);
    // Service paths: /* reads them all, another path holds none of them.
    expect((await iot('GET', '/iot/services', undefined, TENANT, '/*')).json()).toMatchObject({ count: 1 });
    expect((await iot('GET', '/iot/services', undefined, TENANT, '/north')).json()).toMatchObject({
      count: 0,
    });
    const byKey = (await iot('GET', `/iot/services?resource=/iot/json&apikey=${APIKEY}`)).json();
    expect(byKey).toMatchObject({ count: 1, services: [{ apikey_prefix: '4jgg' }] });
  });

  it('provisions the tutorial devices with their own attributes (201)', async () => {
    const res = await iot('POST', '/iot/devices', {
      devices: [
        {
          device_id: 'temperature001',
          entity_name: 'urn:ngsi-ld:TemperatureSensor:001',
          entity_type: 'TemperatureSensor',
          timezone: 'Europe/Berlin',
          protocol: 'PDI-IoTA-JSON',
          transport: 'HTTP',
          attributes: [
            {
              object_id: 't',
              name: 'temperature',
              type: 'Property',
              metadata: { unitCode: { type: 'Text', value: 'CEL' } },
            },
          ],
        },
        {
          device_id: 'motion001',
          entity_name: 'urn:ngsi-ld:Motion:001',
          entity_type: 'Motion',
          protocol: 'PDI-IoTA-JSON',
          transport: 'HTTP',
          attributes: [{ object_id: 'c', name: 'count', type: 'Integer' }],
          static_attributes: [{ name: 'refStore', type: 'Relationship', value: 'urn:ngsi-ld:Store:001' }],
        },
      ],
    });
    expect(res.status).toBe(201);
    const list = (await iot('GET', '/iot/devices')).json() as {
      count: number;
      devices: Array<Record<string, unknown>>;
    };
    expect(list.count).toBe(2);
    expect(list.devices.map((d) => d.device_id)).toEqual(['motion001', 'temperature001']);
    const one = await iot('GET', '/iot/devices/motion001');
    expect(one.status).toBe(200);
    expect(one.json()).toMatchObject({
      device_id: 'motion001',
      entity_name: 'urn:ngsi-ld:Motion:001',
      entity_type: 'Motion',
      service: TENANT,
      service_path: '/',
      attributes: [{ object_id: 'c', name: 'count', type: 'Integer' }],
    });
    // Each is an Urbis device too, without a credential of its own (the group's apikey is it).
    const device = await kit.store.devices.getDevice(TENANT, 'motion001');
    expect(device?.entityId).toBe('urn:ngsi-ld:Motion:001');
    expect(await kit.store.devices.listCredentials(TENANT, 'motion001')).toEqual([]);
    // A duplicate device is the IoT Agent's 409.
    expect((await iot('POST', '/iot/devices', { devices: [{ device_id: 'motion001' }] })).status).toBe(409);
  });

  it('stores measures posted with ?k&i and answers 200 only once they are readable', async () => {
    expect(await measure(`k=${APIKEY}&i=motion001`, '{"c": 1}')).toBe(200);
    const motion = await entity('urn:ngsi-ld:Motion:001');
    expect(motion.status).toBe(200);
    expect(motion.attrs.count?.value).toBe(1);
    // A measure the device's attributes do not declare is not stored (Urbis maps declared ones only).
    expect(await measure(`k=${APIKEY}&i=motion001`, '{"c": 2, "debug": "x"}')).toBe(200);
    expect((await entity('urn:ngsi-ld:Motion:001')).attrs.debug).toBeUndefined();
  });

  it('takes the t parameter as the time of the measures, with the attribute’s unit', async () => {
    const t = iso(60_000);
    expect(await measure(`k=${APIKEY}&i=temperature001&t=${encodeURIComponent(t)}`, '{"t": 21.5}')).toBe(200);
    const temp = await entity('urn:ngsi-ld:TemperatureSensor:001');
    expect(temp.attrs.temperature).toMatchObject({ value: 21.5, unitCode: 'CEL', observedAt: t });
    expect(await measure(`k=${APIKEY}&i=temperature001&t=yesterday`, '{"t": 1}')).toBe(400);
  });

  it('stores a multi-measure array as one reading each, at its TimeInstant', async () => {
    const [t1, t2] = [iso(120_000), iso(90_000)];
    const body = JSON.stringify([
      { t: 18, TimeInstant: t1 },
      { t: 19, TimeInstant: t2 },
    ]);
    expect(await measure(`k=${APIKEY}&i=temperature001`, body)).toBe(200);
    const values = await history('urn:ngsi-ld:TemperatureSensor:001', 'temperature');
    expect(values).toEqual(
      expect.arrayContaining([
        [18, t1],
        [19, t2],
      ]),
    );
  });

  it('refuses a wrong apikey (401), an unknown device (404) and missing parameters (400)', async () => {
    const before = kit.devices.refusals.get('iota-json')?.credential ?? 0;
    expect(await measure('k=not-the-apikey&i=motion001', '{"c": 99}')).toBe(401);
    expect(await measure(`k=${APIKEY}&i=motion999`, '{"c": 99}')).toBe(404);
    expect(await measure('i=motion001', '{"c": 99}')).toBe(400);
    expect(kit.devices.refusals.get('iota-json')?.credential).toBe(before + 2);
    expect((await entity('urn:ngsi-ld:Motion:001')).attrs.count?.value).toBe(2);
  });

  it('refuses junk bodies with 400 and records the device’s last error', async () => {
    expect(await measure(`k=${APIKEY}&i=motion001`, '{"c": 1,')).toBe(400);
    expect((await kit.store.devices.getState(TENANT, 'motion001'))?.lastError).toMatch(/^decode: /);
    expect(await measure(`k=${APIKEY}&i=motion001`, 'c|3', 'text/plain')).toBe(400);
    expect(await measure(`k=${APIKEY}&i=motion001`, '[]')).toBe(400);
    expect(await measure(`k=${APIKEY}&i=motion001`, '[1, 2]')).toBe(400);
    expect(await measure(`k=${APIKEY}&i=motion001`, '')).toBe(400);
    expect(await measure(`k=${APIKEY}&i=motion001`, JSON.stringify({ c: 'x'.repeat(70_000) }))).toBe(413);
    expect((await entity('urn:ngsi-ld:Motion:001')).attrs.count?.value).toBe(2);
  });

  it('keeps another tenant apart: its groups, devices, apikeys and entities', async () => {
    // Another city provisions a device with the same id under its own group.
    expect(
      (
        await iot(
          'POST',
          '/iot/services',
          {
            services: [
              {
                apikey: OTHER_APIKEY,
                entity_type: 'Motion',
                attributes: [{ object_id: 'c', name: 'count', type: 'Integer' }],
              },
            ],
          },
          OTHER_TENANT,
        )
      ).status,
    ).toBe(201);
    expect(
      (await iot('POST', '/iot/devices', { devices: [{ device_id: 'motion001' }] }, OTHER_TENANT)).status,
    ).toBe(201);
    // An apikey is unique across the platform (a device names no tenant): the same one is refused.
    expect(
      (await iot('POST', '/iot/services', { services: [{ apikey: APIKEY }] }, OTHER_TENANT)).status,
    ).toBe(409);

    expect(await measure(`k=${OTHER_APIKEY}&i=motion001`, '{"c": 7}')).toBe(200);
    expect((await entity('urn:ngsi-ld:Motion:motion001', OTHER_TENANT)).attrs.count?.value).toBe(7);
    expect((await entity('urn:ngsi-ld:Motion:001')).attrs.count?.value).toBe(2);
    expect((await entity('urn:ngsi-ld:Motion:motion001')).status).toBe(404);

    const theirs = (await iot('GET', '/iot/devices', undefined, OTHER_TENANT)).json() as { count: number };
    expect(theirs.count).toBe(1);
    expect((await iot('GET', '/iot/devices/temperature001', undefined, OTHER_TENANT)).status).toBe(404);
    const groups = (await iot('GET', '/iot/services', undefined, OTHER_TENANT)).json() as { count: number };
    expect(groups.count).toBe(1);
    // city-a's apikey does not reach city-b's devices, nor the other way round.
    expect(await measure(`k=${OTHER_APIKEY}&i=temperature001`, '{"t": 1}')).toBe(404);
  });

  it('re-maps devices when their group changes, and follows a device update', async () => {
    // A device without attributes of its own feeds through its group's attributes.
    expect(
      (
        await iot('PUT', `/iot/services?resource=/iot/json&apikey=${APIKEY}`, {
          attributes: [{ object_id: 'h', name: 'humidity', type: 'Number', metadata: { unitCode: 'P1' } }],
        })
      ).status,
    ).toBe(204);
    expect((await iot('POST', '/iot/devices', { devices: [{ device_id: 'thing001' }] })).status).toBe(201);
    expect(await measure(`k=${APIKEY}&i=thing001`, '{"h": 40}')).toBe(200);
    expect((await entity('urn:ngsi-ld:Thing:thing001')).attrs.humidity).toMatchObject({
      value: 40,
      unitCode: 'P1',
    });
    // The devices with attributes of their own inherit the group's too.
    expect(await measure(`k=${APIKEY}&i=motion001`, '{"c": 3, "h": 55}')).toBe(200);
    expect((await entity('urn:ngsi-ld:Motion:001')).attrs.humidity?.value).toBe(55);

    // The group's attribute renamed: what its devices send next is stored under the new name.
    expect(
      (
        await iot('PUT', `/iot/services?resource=/iot/json&apikey=${APIKEY}`, {
          attributes: [{ object_id: 'h', name: 'relativeHumidity', type: 'Number' }],
        })
      ).status,
    ).toBe(204);
    expect(await measure(`k=${APIKEY}&i=thing001`, '{"h": 41}')).toBe(200);
    expect((await entity('urn:ngsi-ld:Thing:thing001')).attrs.relativeHumidity?.value).toBe(41);

    // A group left without attributes would leave thing001 with nothing to store: refused.
    const emptied = await iot('PUT', `/iot/services?resource=/iot/json&apikey=${APIKEY}`, { attributes: [] });
    expect(emptied.status).toBe(400);
    expect(JSON.stringify(emptied.json())).toContain('thing001');

    // A device update: thing001 gains an attribute of its own.
    expect(
      (
        await iot('PUT', '/iot/devices/thing001', {
          attributes: [{ object_id: 'l', name: 'illuminance', type: 'Number' }],
        })
      ).status,
    ).toBe(204);
    expect(await measure(`k=${APIKEY}&i=thing001`, '{"l": 300, "h": 42}')).toBe(200);
    const thing = await entity('urn:ngsi-ld:Thing:thing001');
    expect(thing.attrs.illuminance?.value).toBe(300);
    expect(thing.attrs.relativeHumidity?.value).toBe(42);
    expect(
      (await iot('PUT', '/iot/devices/thing001', { entity_name: 'urn:ngsi-ld:Thing:other' })).status,
    ).toBe(400);
    // Now every device has attributes of its own, the group may drop its own.
    expect(
      (await iot('PUT', `/iot/services?resource=/iot/json&apikey=${APIKEY}`, { attributes: [] })).status,
    ).toBe(204);
    expect(await measure(`k=${APIKEY}&i=thing001`, '{"l": 301, "h": 43}')).toBe(200);
    const after = await entity('urn:ngsi-ld:Thing:thing001');
    expect(after.attrs.illuminance?.value).toBe(301);
    expect(after.attrs.relativeHumidity?.value).toBe(42);
  });

  it('refuses what it cannot honour, naming it', async () => {
    const expr = await iot('POST', '/iot/services', {
      services: [{ apikey: 'k-expr', attributes: [{ name: 'x', type: 'Number', expression: 'x * 2' }] }],
    });
    expect(expr.status).toBe(400);
    expect(JSON.stringify(expr.json())).toContain('expression');
    const ul = await iot('POST', '/iot/services', { services: [{ apikey: 'k-ul', resource: '/iot/d' }] });
    expect(ul.status).toBe(400);
    const bare = await iot('POST', '/iot/devices', { devices: [{ device_id: 'bare', apikey: 'nope' }] });
    expect(bare.status).toBe(400);
    expect((await iot('POST', '/iot/devices', { devices: [{ device_id: 'x' }] }, TENANT, '/*')).status).toBe(
      400,
    );
    expect((await iot('GET', '/iot/devices?limit=0')).status).toBe(400);
  });

  it('requires a credential to provision, and audits every change', async () => {
    const anonymous = await iot(
      'POST',
      '/iot/services',
      { services: [{ apikey: 'k-anon' }] },
      TENANT,
      '/',
      null,
    );
    expect(anonymous.status).toBe(401);
    await kit.governance.audit.flush();
    const entries = await kit.store.governance.audit.read({ tenant: TENANT, limit: 1000 });
    const actions = entries.map((e) => `${e.action}:${e.outcome}`);
    expect(actions).toContain('iota.services.create:success');
    expect(actions).toContain('iota.devices.create:success');
    expect(actions).toContain('iota.devices.create:failure');
    expect(actions).toContain('iota.services.update:success');
  });

  it('removes devices and groups: a removed device is refused at once', async () => {
    expect((await iot('DELETE', '/iot/devices/motion001')).status).toBe(204);
    expect((await iot('DELETE', '/iot/devices/motion001')).status).toBe(404);
    expect(await measure(`k=${APIKEY}&i=motion001`, '{"c": 4}')).toBe(404);
    expect(await kit.store.devices.getDevice(TENANT, 'motion001')).toBeUndefined();
    // A group with devices is kept unless its devices go with it.
    expect((await iot('DELETE', `/iot/services?resource=/iot/json&apikey=${APIKEY}`)).status).toBe(400);
    expect(
      (await iot('DELETE', `/iot/services?resource=/iot/json&apikey=${APIKEY}&device=true`)).status,
    ).toBe(204);
    expect(await measure(`k=${APIKEY}&i=temperature001`, '{"t": 20}')).toBe(401);
    expect((await iot('GET', '/iot/devices')).json()).toMatchObject({ count: 0 });
    expect(await kit.store.devices.listProfiles(TENANT)).toEqual([]);
  });

  it('slows down an apikey guesser: past 30 failures from one address, 429 without a check', async () => {
    const codes: number[] = [];
    for (let n = 0; n < 40; n++) codes.push(await measure(`k=guess-${n}&i=temperature001`, '{"t": 20}'));
    expect(codes.slice(0, 20).every((c) => c === 401)).toBe(true);
    expect(codes.slice(-5)).toEqual([429, 429, 429, 429, 429]);
  });
});
