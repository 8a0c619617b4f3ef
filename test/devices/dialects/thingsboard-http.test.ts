/**
 * The ThingsBoard device HTTP API over real HTTP (the app on a free loopback port, fetch as the
 * device): the transport contract with the device token as the ThingsBoard access token, then what
 * is ThingsBoard's own — `{ts, values}` entries and arrays of them stored as history at their own
 * times, client attributes, bad tokens, and bodies that cannot be framed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTestKit, TENANT, type DeviceTestKit, type ProvisionedDevice } from '../../support/devices.js';
import { transportContract, type SendResult } from '../transport-contract.js';

/** POST a body to a device's ThingsBoard endpoint. */
async function post(base: string, token: string, kind: string, body: string | Uint8Array): Promise<number> {
  const res = await fetch(`${base}/api/v1/${encodeURIComponent(token)}/${kind}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

let contractBase = '';
transportContract({
  transport: 'thingsboard',
  credential: 'token',
  refusesBadPayload: true,
  carriesMessageId: false,
  start: async (kit) => {
    contractBase = await kit.app.listen({ port: 0, host: '127.0.0.1' });
  },
  send: async ({ credential, payload }): Promise<SendResult> => {
    const status = await post(contractBase, credential.secret ?? '', 'telemetry', payload);
    return status === 200 ? { acked: true } : { acked: false, code: status };
  },
  // The kit's app.close() (after this) closes the listener.
  stop: async () => undefined,
});

describe('ThingsBoard HTTP device API', () => {
  let kit: DeviceTestKit;
  let base: string;
  let dev: ProvisionedDevice;
  let other: ProvisionedDevice;

  beforeAll(async () => {
    kit = await deviceTestKit({ transport: 'thingsboard' });
    [dev, other] = (await kit.provision(['tb-1', 'tb-2'])) as [ProvisionedDevice, ProvisionedDevice];
    base = await kit.app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await kit.app.close();
  });

  const token = (d: ProvisionedDevice) => d.credential.secret ?? '';
  const history = async (id: string): Promise<Array<[unknown, string]>> => {
    const res = await kit.app.inject({
      url: `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(id)}?attrs=pm25&options=temporalValues`,
      headers: { 'ngsild-tenant': TENANT },
    });
    return (res.json() as { pm25?: { values?: Array<[unknown, string]> } }).pm25?.values ?? [];
  };
  const pm25 = async (id: string) => {
    const res = await kit.app.inject({
      url: `/ngsi-ld/v1/entities/${encodeURIComponent(id)}`,
      headers: { 'ngsild-tenant': TENANT },
    });
    return (res.json() as { pm25?: { value?: unknown; observedAt?: string } }).pm25;
  };

  it('stores an array of {ts, values} entries as history at the entries’ own times', async () => {
    const now = Date.now();
    const times = [now - 180_000, now - 120_000, now - 60_000];
    const body = JSON.stringify(times.map((ts, i) => ({ ts, values: { pm25: 10 + i, temperature: 3 } })));
    expect(await post(base, token(dev), 'telemetry', body)).toBe(200);
    const values = await history(dev.entityId);
    expect(values).toEqual(times.map((ts, i) => [10 + i, new Date(ts).toISOString()]));
    // One {ts, values} object alone, and a plain object of values (time: when received).
    const ts = now - 30_000;
    expect(await post(base, token(dev), 'telemetry', JSON.stringify({ ts, values: { pm25: 20 } }))).toBe(200);
    expect(await pm25(dev.entityId)).toMatchObject({ value: 20, observedAt: new Date(ts).toISOString() });
    const before = Date.now();
    expect(await post(base, token(dev), 'telemetry', '{"pm25": 21}')).toBe(200);
    const latest = await pm25(dev.entityId);
    expect(latest?.value).toBe(21);
    expect(Date.parse(latest?.observedAt ?? '')).toBeGreaterThanOrEqual(before - 1000);
  });

  it('stores client attributes through the profile’s mapping', async () => {
    expect(await post(base, token(other), 'attributes', '{"temperature": 7.5, "firmware": "1.2"}')).toBe(200);
    const res = await kit.app.inject({
      url: `/ngsi-ld/v1/entities/${encodeURIComponent(other.entityId)}`,
      headers: { 'ngsild-tenant': TENANT },
    });
    const e = res.json() as Record<string, { value?: unknown; unitCode?: string }>;
    expect(e.temperature).toMatchObject({ value: 7.5, unitCode: 'CEL' });
    expect(e.firmware).toBeUndefined();
  });

  it('answers 401 to a bad, unknown or revoked token', async () => {
    const before = kit.devices.refusals.get('thingsboard')?.credential ?? 0;
    expect(await post(base, 'not-a-token', 'telemetry', '{"pm25": 1}')).toBe(401);
    expect(await post(base, `dev_${'Z'.repeat(43)}`, 'attributes', '{"pm25": 1}')).toBe(401);
    const [extra] = await kit.provision(['tb-revoked']);
    if (extra === undefined) throw new Error('not provisioned');
    await kit.devices.registry.revokeCredential(TENANT, extra.id, extra.credential.id);
    expect(await post(base, token(extra), 'telemetry', '{"pm25": 1}')).toBe(401);
    expect(kit.devices.refusals.get('thingsboard')?.credential).toBe(before + 3);
    expect(await pm25(extra.entityId)).toBeUndefined();
  });

  it('answers 400 to bodies that are not telemetry, storing nothing of them', async () => {
    const before = (await history(other.entityId)).length;
    const malformed = kit.devices.refusals.get('thingsboard')?.malformed ?? 0;
    for (const body of [
      '[]',
      '[{"pm25": 1}, 2]',
      '{"ts": "yesterday", "values": {"pm25": 1}}',
      '{"ts": 1733212800000, "values": [1]}',
    ])
      expect(await post(base, token(other), 'telemetry', body)).toBe(400);
    expect(await post(base, token(other), 'attributes', '[{"pm25": 1}]')).toBe(400);
    expect(kit.devices.refusals.get('thingsboard')?.malformed).toBe(malformed + 5);
    // Not JSON, or not an object: refused by the codec, counted, and the device's last error.
    for (const body of ['pm25=1', '42', 'null', new Uint8Array([0xff, 0xfe])])
      expect(await post(base, token(other), 'telemetry', body)).toBe(400);
    expect((await kit.store.devices.getState(TENANT, other.id))?.lastError).toMatch(/^decode: /);
    expect((await history(other.entityId)).length).toBe(before);
  });

  it('refuses an entry of an array over the payload limit (413), and a body beyond any limit', async () => {
    const big = 'x'.repeat(kit.devices.ingress.maxPayloadBytes);
    expect(await post(base, token(other), 'telemetry', JSON.stringify([{ pm25: 1, pad: big }]))).toBe(413);
    const huge = JSON.stringify([{ pm25: 1, pad: big.repeat(20) }]);
    expect(await post(base, token(other), 'telemetry', huge)).toBe(413);
  });
});
