// Commands to LoRaWAN devices: the downlink channel against a fake network server on 127.0.0.1 (it
// records what it is sent), and the network servers' downlink reports completing the command.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LorawanCommandChannel } from '../../../src/devices/transports/lorawan/downlink-channel.js';
import { LorawanLedger } from '../../../src/devices/transports/lorawan/ledger.js';
import type { DeviceRecord } from '../../../src/store/devices-port.js';
import { deviceTestKit, TENANT, type DeviceTestKit } from '../../support/devices.js';
import { listen } from '../http/http-driver.js';
import { chirpstackUp, integrationKey, ttsUplink } from './network-server-driver.js';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** A fake network server: answers `status` with `answer`, records every request. */
async function fakeNetworkServer(status: number, answer: unknown) {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(text),
      });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const EUI = '0004a30b001c0530';
const device: DeviceRecord = {
  tenant: TENANT,
  id: EUI,
  profileId: 'aq-lorawan',
  entityId: `urn:ngsi-ld:AirQualityObserved:${EUI}`,
  deviceEntityId: `urn:ngsi-ld:Device:${EUI}`,
  disabled: false,
  createdAt: '2026-01-01T00:00:00Z',
};
const command = {
  id: 'cmd_1',
  tenant: TENANT,
  deviceId: EUI,
  name: 'setDimLevel',
  value: 40,
  expiresAt: '2099-01-01T00:00:00Z',
};

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()?.();
});

describe('LorawanCommandChannel', () => {
  it('enqueues a confirmed downlink through the ChirpStack REST API and remembers the queue item', async () => {
    const ns = await fakeNetworkServer(200, { id: 'f9a4e4a6-1c3d-4b9e-8c0a-2f3f5e3c2d1b' });
    closers.push(ns.close);
    const ledger = new LorawanLedger();
    const channel = new LorawanCommandChannel(
      { chirpstack: { url: `${ns.url}/`, token: 'cs-token' } },
      ledger,
    );
    expect(await channel.deliver(device, command)).toBe('sent');
    expect(ns.requests).toHaveLength(1);
    const [r] = ns.requests as [Recorded];
    expect(r.method).toBe('POST');
    expect(r.url).toBe(`/api/devices/${EUI}/queue`);
    expect(r.headers.authorization).toBe('Bearer cs-token');
    expect(r.headers['grpc-metadata-authorization']).toBe('Bearer cs-token');
    const item = (r.body as { queueItem: { confirmed: boolean; fPort: number; data: string } }).queueItem;
    expect(item).toMatchObject({ confirmed: true, fPort: 10 });
    expect(JSON.parse(Buffer.from(item.data, 'base64').toString('utf8'))).toEqual({ setDimLevel: 40 });
    expect(ledger.queueItem('f9a4e4a6-1c3d-4b9e-8c0a-2f3f5e3c2d1b', false)).toEqual({
      tenant: TENANT,
      deviceId: EUI,
      commandId: 'cmd_1',
    });
  });

  it('pushes through The Things Stack with the device id learnt from its uplink and a correlation id', async () => {
    const ns = await fakeNetworkServer(200, {});
    closers.push(ns.close);
    const ledger = new LorawanLedger();
    ledger.heard(TENANT, EUI, { via: 'tts', tts: { deviceId: 'pole-7', applicationId: 'lights' } });
    const channel = new LorawanCommandChannel(
      { tts: { url: ns.url, key: 'NNSXS.KEY', app: 'default-app', webhook: 'urbis' }, fPort: 15 },
      ledger,
    );
    expect(await channel.deliver(device, command)).toBe('sent');
    const [r] = ns.requests as [Recorded];
    expect(r.url).toBe('/api/v3/as/applications/lights/webhooks/urbis/devices/pole-7/down/push');
    expect(r.headers.authorization).toBe('Bearer NNSXS.KEY');
    expect(r.body).toEqual({
      downlinks: [
        {
          f_port: 15,
          frm_payload: Buffer.from('{"setDimLevel":40}').toString('base64'),
          confirmed: true,
          priority: 'NORMAL',
          correlation_ids: ['urbis:cmd:cmd_1'],
        },
      ],
    });
  });

  it('is unreachable when the server is down or unknown, and throws on a refusal', async () => {
    const down = await fakeNetworkServer(200, {});
    await down.close();
    const ledger = new LorawanLedger();
    const cs = { url: down.url, token: 't' };
    expect(await new LorawanCommandChannel({ chirpstack: cs }, ledger).deliver(device, command)).toBe(
      'unreachable',
    );
    const tts = { url: down.url, key: 'k', app: 'a', webhook: 'w' };
    // Both configured and the device never heard: which server reaches it is unknown.
    expect(await new LorawanCommandChannel({ chirpstack: cs, tts }, ledger).deliver(device, command)).toBe(
      'unreachable',
    );
    const refusing = await fakeNetworkServer(404, { code: 5, message: 'object does not exist' });
    closers.push(refusing.close);
    await expect(
      new LorawanCommandChannel({ chirpstack: { url: refusing.url, token: 't' } }, ledger).deliver(
        device,
        command,
      ),
    ).rejects.toThrow(/404/);
    const busy = await fakeNetworkServer(503, {});
    closers.push(busy.close);
    expect(
      await new LorawanCommandChannel({ chirpstack: { url: busy.url, token: 't' } }, ledger).deliver(
        device,
        command,
      ),
    ).toBe('unreachable');
  });
});

describe('downlink reports on the integrations', () => {
  let kit: DeviceTestKit;
  let base: string;
  let key: string;
  beforeAll(async () => {
    kit = await deviceTestKit({ transport: 'lorawan' });
    await kit.provision([EUI]);
    key = await integrationKey(kit, 'ns');
    base = await listen(kit.app);
  });
  afterAll(async () => {
    await kit.app.close();
  });
  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'ngsild-tenant': TENANT,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });

  it('a ChirpStack ack of a remembered queue item marks its command delivered; a nack fails it', async () => {
    const delivered = vi.spyOn(kit.devices.commands, 'delivered').mockResolvedValue(undefined);
    const result = vi.spyOn(kit.devices.commands, 'result').mockResolvedValue(undefined);
    kit.app.lorawan.queued('q-1', { tenant: TENANT, deviceId: EUI, commandId: 'cmd_a' });
    kit.app.lorawan.queued('q-2', { tenant: TENANT, deviceId: EUI, commandId: 'cmd_b' });
    const deviceInfo = { devEui: EUI };
    expect(
      (await post('/integrations/chirpstack?event=txack', { deviceInfo, queueItemId: 'q-1' })).status,
    ).toBe(204);
    expect(delivered).not.toHaveBeenCalled();
    const ack = await post('/integrations/chirpstack?event=ack', {
      deviceInfo,
      queueItemId: 'q-1',
      acknowledged: true,
    });
    expect(ack.status).toBe(204);
    expect(delivered).toHaveBeenCalledWith(TENANT, EUI, 'cmd_a');
    await post('/integrations/chirpstack?event=ack', { deviceInfo, queueItemId: 'q-2' });
    expect(result).toHaveBeenCalledWith(TENANT, EUI, { id: 'cmd_b' }, expect.objectContaining({ ok: false }));
    delivered.mockRestore();
    result.mockRestore();
  });

  it('a TTS downlink_ack names the command in its correlation ids', async () => {
    const delivered = vi.spyOn(kit.devices.commands, 'delivered').mockResolvedValue(undefined);
    const res = await post('/integrations/tts', {
      end_device_ids: { device_id: 'pole-7', dev_eui: EUI.toUpperCase() },
      downlink_ack: { f_port: 10, confirmed: true, correlation_ids: ['as:downlink:1', 'urbis:cmd:cmd_c'] },
    });
    expect(res.status).toBe(204);
    expect(delivered).toHaveBeenCalledWith(TENANT, EUI, 'cmd_c');
    delivered.mockRestore();
  });

  it('an uplink teaches the route downlinks take, and a ChirpStack status records the battery', async () => {
    const up = await post('/integrations/tts', ttsUplink(EUI, Buffer.from('{"pm25":5}'), 901));
    expect(up.status).toBe(204);
    expect(kit.app.lorawan.routeOf(TENANT, EUI)).toEqual({
      via: 'tts',
      tts: { deviceId: `eui-${EUI}`, applicationId: 'city-aq' },
    });
    const status = await post('/integrations/chirpstack?event=status', {
      deviceInfo: { devEui: EUI },
      batteryLevel: 42,
    });
    expect(status.status).toBe(204);
    expect(await kit.store.devices.getState(TENANT, EUI)).toMatchObject({ battery: 42, online: true });
    // The radio of the best gateway came with the uplink.
    const cs = await post(
      '/integrations/chirpstack?event=up',
      chirpstackUp(EUI, Buffer.from('{"pm25":6}'), 902),
    );
    expect(cs.status).toBe(204);
    expect(await kit.store.devices.getState(TENANT, EUI)).toMatchObject({ rssi: -71, snr: 9.25 });
  });

  it('answers 400 to a body that is not the server’s format, 401 without a key, 403 for a viewer', async () => {
    expect((await post('/integrations/chirpstack?event=up', { deviceInfo: {} })).status).toBe(400);
    expect((await post('/integrations/chirpstack?event=nope', {})).status).toBe(400);
    expect((await post('/integrations/tts', [1, 2])).status).toBe(400);
    const anonymous = await fetch(`${base}/integrations/tts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'ngsild-tenant': TENANT },
      body: '{}',
    });
    expect(anonymous.status).toBe(401);
    const viewer = await integrationKey(kit, 'viewer-ns', ['viewer']);
    const refused = await fetch(`${base}/integrations/tts`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${viewer}`,
        'ngsild-tenant': TENANT,
        'content-type': 'application/json',
      },
      body: JSON.stringify(ttsUplink(EUI, Buffer.from('{"pm25":1}'), 903)),
    });
    expect(refused.status).toBe(403);
  });
});
