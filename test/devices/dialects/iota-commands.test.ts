/**
 * A FIWARE IoT Agent device moves over with its commands (the tutorial's bell): provisioned with
 * `commands: [{name: "ring", type: "command"}]` through /iot/devices, a command sent through Urbis's
 * API waits while the device is away, reaches it on `/<apikey>/<id>/cmd` when it subscribes on the
 * embedded broker, and its `cmdexe` answer makes the command SUCCEEDED, with the result on the
 * Device entity (`ring_status`, `ring_info`).
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreIotaAuthority } from '../../../src/devices/dialects/iota-authority.js';
import {
  startEmbeddedBroker,
  type EmbeddedBroker,
} from '../../../src/devices/transports/mqtt/embedded-broker.js';
import { testKit, type TestKit } from '../../support/app.js';

const SERVICE = 'smartgondor';
const APIKEY = '4jggokgpepnvsb2uv4s40d59ov';
const iot = (kit: TestKit, method: 'POST' | 'GET', url: string, body?: unknown) =>
  kit.app.inject({
    method,
    url,
    headers: { 'fiware-service': SERVICE, 'fiware-servicepath': '/' },
    ...(body !== undefined ? { payload: body as object } : {}),
  });

async function until<T>(f: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('IoT Agent devices: commands', () => {
  let kit: TestKit;
  let broker: EmbeddedBroker;
  let device: MqttClient | undefined;

  beforeAll(async () => {
    kit = await testKit();
    broker = await startEmbeddedBroker({
      ingress: kit.devices.ingress,
      commands: kit.devices.commands,
      iota: new StoreIotaAuthority(kit.store.iota),
      port: 0,
      host: '127.0.0.1',
    });
    kit.devices.commands.attach(broker.channel);
    const group = await iot(kit, 'POST', '/iot/services', {
      services: [{ apikey: APIKEY, entity_type: 'Thing', resource: '/iot/json' }],
    });
    expect(group.statusCode, group.body).toBe(201);
    const bell = await iot(kit, 'POST', '/iot/devices', {
      devices: [
        {
          device_id: 'bell001',
          entity_name: 'urn:ngsi-ld:Bell:001',
          entity_type: 'Bell',
          protocol: 'PDI-IoTA-UltraLight',
          transport: 'MQTT',
          commands: [{ name: 'ring', type: 'command' }],
        },
      ],
    });
    expect(bell.statusCode, bell.body).toBe(201);
  });
  afterAll(async () => {
    await device?.endAsync(true);
    await broker.close();
    await kit.app.close();
  });

  it('queues a command for the absent bell, delivers it when it subscribes, and records its answer', async () => {
    const sent = await kit.app.inject({
      method: 'POST',
      url: '/devices/bell001/commands',
      headers: { 'ngsild-tenant': SERVICE },
      payload: { name: 'ring', value: '' },
    });
    expect(sent.statusCode, sent.body).toBe(201);
    const id = (sent.json() as { id: string; status: string }).id;
    expect((sent.json() as { status: string }).status).toBe('QUEUED');

    device = await connectAsync({ host: '127.0.0.1', port: broker.port, reconnectPeriod: 0 });
    const received = new Promise<{ topic: string; payload: string }>((resolve) =>
      device!.once('message', (topic, payload) => resolve({ topic, payload: payload.toString() })),
    );
    await device.subscribeAsync(`/${APIKEY}/bell001/cmd`, { qos: 1 });
    const cmd = await received;
    expect(cmd.topic).toBe(`/${APIKEY}/bell001/cmd`);
    expect(JSON.parse(cmd.payload)).toEqual({ ring: '' });

    await device.publishAsync(`/json/${APIKEY}/bell001/cmdexe`, JSON.stringify({ ring: 'rung 3 times' }), {
      qos: 1,
    });
    const done = await until(async () => {
      const c = (
        await kit.app.inject({ url: `/commands/${id}`, headers: { 'ngsild-tenant': SERVICE } })
      ).json() as { status: string; result?: unknown };
      return c.status === 'SUCCEEDED' ? c : undefined;
    });
    expect(done.result).toBe('rung 3 times');
    const entity = (
      await kit.app.inject({
        url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Device:bell001?options=keyValues',
        headers: { 'ngsild-tenant': SERVICE },
      })
    ).json() as Record<string, unknown>;
    expect(entity).toMatchObject({ ring_status: 'SUCCEEDED', ring_info: 'rung 3 times' });
  });

  it('refuses a command the device did not declare', async () => {
    const res = await kit.app.inject({
      method: 'POST',
      url: '/devices/bell001/commands',
      headers: { 'ngsild-tenant': SERVICE },
      payload: { name: 'explode', value: true },
    });
    expect(res.statusCode).toBe(400);
  });
});
