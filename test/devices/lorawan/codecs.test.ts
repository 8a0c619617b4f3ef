// Which payload a LoRaWAN uplink is decoded from: the network server's decoded object when the
// profile reads JSON, the frame's bytes with the profile's codec otherwise (Cayenne LPP here) — and
// the same Cayenne bytes posted to HTTP ingest as application/octet-stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemScope } from '../../../src/context/scope.js';
import {
  aqProfile,
  deviceTestKit,
  TENANT,
  type DeviceTestKit,
  type ProvisionedDevice,
} from '../../support/devices.js';
import { authorization, listen } from '../http/http-driver.js';
import { chirpstackUp, integrationKey, ttsUplink } from './network-server-driver.js';

let kit: DeviceTestKit;
let base: string;
let key: string;
let lpp: ProvisionedDevice;
let json: ProvisionedDevice;

// Cayenne LPP: channel 1, temperature (103 = 0x67), 0x0110 = 272 → 27.2 °C.
const LPP = Uint8Array.from([0x01, 0x67, 0x01, 0x10]);

beforeAll(async () => {
  kit = await deviceTestKit({
    transport: 'lorawan',
    profile: {
      id: 'lpp',
      codec: { kind: 'cayenne-lpp' },
      mapping: { temperature_1: { attribute: 'temperature', unitCode: 'CEL' } },
    },
  });
  await kit.devices.registry.putProfile(systemScope(TENANT), aqProfile('lorawan', { id: 'aq-json' }));
  [lpp] = (await kit.provision(['70b3d57ed0000001'], 'token', 'lpp')) as [ProvisionedDevice];
  [json] = (await kit.provision(['70b3d57ed0000002'], 'token', 'aq-json')) as [ProvisionedDevice];
  key = await integrationKey(kit, 'ns');
  base = await listen(kit.app);
});
afterAll(async () => {
  await kit.app.close();
});

const post = (path: string, body: unknown) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'ngsild-tenant': TENANT, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const attr = async (id: string, name: string) => {
  const res = await kit.app.inject({
    url: `/ngsi-ld/v1/entities/${encodeURIComponent(id)}`,
    headers: { 'ngsild-tenant': TENANT },
  });
  return (res.json() as Record<string, { value?: unknown; unitCode?: string }>)[name];
};

describe('LoRaWAN payloads', () => {
  it('decodes the frame bytes with a binary codec, whatever the server decoded', async () => {
    const body = chirpstackUp(lpp.id.toUpperCase(), LPP, 1, { object: { temperature_1: 99 } });
    expect((await post('/integrations/chirpstack?event=up', body)).status).toBe(204);
    expect(await attr(lpp.entityId, 'temperature')).toMatchObject({ value: 27.2, unitCode: 'CEL' });
  });

  it('uses the server’s decoded object for a JSON profile', async () => {
    const body = ttsUplink(json.id, Uint8Array.of(0x01), 1);
    const withDecoded = { ...body, uplink_message: { ...body.uplink_message, decoded_payload: { pm25: 8 } } };
    expect((await post('/integrations/tts', withDecoded)).status).toBe(204);
    expect(await attr(json.entityId, 'pm25')).toMatchObject({ value: 8, unitCode: 'GQ' });
  });

  it('refuses undecodable bytes with a 400 naming the reason, and an unknown DevEUI with a 404', async () => {
    const bad = await post(
      '/integrations/chirpstack?event=up',
      chirpstackUp(lpp.id, Uint8Array.of(0x01, 0x67), 2),
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/^decode: /);
    const ghost = await post('/integrations/chirpstack?event=up', chirpstackUp('ffffffffffffffff', LPP, 3));
    expect(ghost.status).toBe(404);
  });
});

describe('HTTP ingest of bytes', () => {
  it('passes an application/octet-stream body to the codec as it came', async () => {
    const res = await fetch(`${base}/ingest`, {
      method: 'POST',
      headers: { authorization: authorization(lpp.credential), 'content-type': 'application/octet-stream' },
      body: Uint8Array.from([0x01, 0x67, 0x00, 0xd2]),
    });
    expect(res.status).toBe(204);
    expect(await attr(lpp.entityId, 'temperature')).toMatchObject({ value: 21 });
  });
});
