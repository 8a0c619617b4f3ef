// HTTP ingest beyond the contract, over a real socket: the batch path (204 / per-item outcomes /
// 400), the 401 challenge, the failed-authentication throttle (429), idempotency keys, media types.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTestKit, TENANT, type DeviceTestKit, type ProvisionedDevice } from '../../support/devices.js';
import { authorization, listen } from './http-driver.js';

let kit: DeviceTestKit;
let base: string;
let dev: ProvisionedDevice;
let other: ProvisionedDevice;

beforeAll(async () => {
  kit = await deviceTestKit({ transport: 'http', profile: { maxMessagesPerMinute: 10_000 } });
  [dev, other] = (await kit.provision(['h-1', 'h-2'])) as [ProvisionedDevice, ProvisionedDevice];
  base = await listen(kit.app);
});
afterAll(async () => {
  await kit.app.close();
});

const post = (path: string, body: string, headers: Record<string, string>) =>
  fetch(`${base}${path}`, { method: 'POST', headers, body });
const asDevice = (d: ProvisionedDevice, type = 'application/json') => ({
  authorization: authorization(d.credential),
  'content-type': type,
});
const history = async (id: string) => {
  const res = await kit.app.inject({
    url: `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(id)}?attrs=pm25&options=temporalValues`,
    headers: { 'ngsild-tenant': TENANT },
  });
  return ((res.json() as { pm25?: { values?: unknown[] } }).pm25?.values ?? []).length;
};

describe('POST /ingest/batch', () => {
  it('stores every item and answers 204 when all are ok', async () => {
    const before = await history(dev.entityId);
    const items = Array.from({ length: 50 }, (_, i) => ({ payload: { pm25: i }, messageId: `b-${i}` }));
    const res = await post('/ingest/batch', JSON.stringify(items), asDevice(dev));
    expect(res.status, await res.text()).toBe(204);
    expect(await history(dev.entityId)).toBe(before + 50);
    // The same batch again: every item is a redelivery, stored once.
    const again = await post('/ingest/batch', JSON.stringify(items), asDevice(dev));
    expect(again.status).toBe(204);
    expect(await history(dev.entityId)).toBe(before + 50);
  });

  it('answers 200 with each item’s outcome in place when some fail', async () => {
    const items = [
      { payload: { pm25: 1 } },
      { payload: Buffer.from('{"pm25":').toString('base64'), encoding: 'base64' },
      { payload: 42 },
      { payload: { pm25: 2 }, extra: true },
      { payload: { pm25: 3 }, messageId: 'x'.repeat(200) },
      { payload: Buffer.from('{"pm25":4}').toString('base64') },
    ];
    const res = await post('/ingest/batch', JSON.stringify(items), asDevice(other));
    expect(res.status).toBe(200);
    const out = (await res.json()) as Array<{ ok: boolean; reason?: string }>;
    expect(out.map((o) => (o.ok ? 'ok' : o.reason))).toEqual([
      'ok',
      'decode',
      'malformed',
      'malformed',
      'malformed',
      'ok',
    ]);
  });

  it('refuses a body that is not an array of at most 1,000 items', async () => {
    for (const body of ['{}', '[]', JSON.stringify(Array.from({ length: 1001 }, () => ({ payload: {} })))]) {
      const res = await post('/ingest/batch', body, asDevice(dev));
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/json/);
    }
  });
});

describe('POST /ingest', () => {
  it('answers 401 with the device challenge without a credential, and counts it', async () => {
    const before = kit.devices.refusals.get('http')?.credential ?? 0;
    const res = await post('/ingest', '{"pm25":1}', { 'content-type': 'application/json' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="urbis-devices", Basic/);
    expect(kit.devices.refusals.get('http')?.credential).toBe(before + 1);
    // An Urbis API key is not a device credential.
    const admin = await post('/ingest', '{"pm25":1}', {
      'content-type': 'application/json',
      authorization: 'Bearer urbis_test-admin-key-0123456789abcdefghijklmnopqrstuvwxyz',
    });
    expect(admin.status).toBe(401);
  });

  it('stores a retried POST with the same Idempotency-Key once; refuses a bad key', async () => {
    const before = await history(dev.entityId);
    for (let i = 0; i < 2; i++) {
      const res = await post('/ingest', '{"pm25":77}', { ...asDevice(dev), 'idempotency-key': 'k-77' });
      expect(res.status).toBe(204);
    }
    expect(await history(dev.entityId)).toBe(before + 1);
    const bad = await post('/ingest', '{"pm25":78}', { ...asDevice(dev), 'idempotency-key': 'a b' });
    expect(bad.status).toBe(400);
  });

  it('looks a Basic username without a tenant up in the request’s tenant', async () => {
    const [pw] = (await kit.provision(['h-pw'], 'password')) as [ProvisionedDevice];
    const plain = `Basic ${Buffer.from(`${pw.credential.username ?? ''}:${pw.credential.password ?? ''}`).toString('base64')}`;
    const headers = { authorization: plain, 'content-type': 'application/json' };
    expect((await post('/ingest', '{"pm25":5}', { ...headers, 'ngsild-tenant': TENANT })).status).toBe(204);
    // In the default tenant there is no such username.
    expect((await post('/ingest', '{"pm25":5}', headers)).status).toBe(401);
  });

  it('answers 415 to a media type it does not take, 400 to an empty body', async () => {
    expect((await post('/ingest', 'x', asDevice(dev, 'application/xml'))).status).toBe(415);
    expect((await post('/ingest', '', asDevice(dev))).status).toBe(400);
  });

  it('slows down an address that keeps failing: 429 with Retry-After, even for a right credential', async () => {
    const forged = { authorization: `Bearer dev_${'Z'.repeat(43)}`, 'content-type': 'application/json' };
    let res: Response | undefined;
    for (let i = 0; i < 40; i++) {
      res = await post('/ingest', '{"pm25":1}', forged);
      if (res.status === 429) break;
      expect(res.status).toBe(401);
    }
    expect(res?.status).toBe(429);
    expect(Number(res?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await post('/ingest', '{"pm25":1}', asDevice(dev))).status).toBe(429);
  });
});
