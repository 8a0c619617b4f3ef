/**
 * ThingsBoard devices on the embedded broker, unchanged: the access token as username, telemetry in
 * TB's three shapes, attributes, and server-side RPC (request → response → command result). And a TB
 * device's attributes never reach another TB device, though both subscribe to the same topic string.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startEmbeddedBroker,
  type EmbeddedBroker,
} from '../../../src/devices/transports/mqtt/embedded-broker.js';
import { deviceTestKit, TENANT, type DeviceTestKit, type ProvisionedDevice } from '../../support/devices.js';
import { command, recordedFeedback, type RecordedFeedback } from './feedback.js';
import { connectDevice, until } from './mqtt-driver.js';

describe('embedded MQTT broker: ThingsBoard dialect', () => {
  let kit: DeviceTestKit;
  let broker: EmbeddedBroker;
  let feedback: RecordedFeedback;
  let t1: ProvisionedDevice;
  let t2: ProvisionedDevice;
  const open: MqttClient[] = [];
  const tb = async (d: ProvisionedDevice) => {
    // As TB firmware connects: the token as username, no password.
    const c = await connectDevice(broker.port, { username: d.credential.secret ?? '' });
    open.push(c);
    return c;
  };
  const entity = async (id: string) =>
    (
      await kit.app.inject({
        url: `/ngsi-ld/v1/entities/${encodeURIComponent(id)}`,
        headers: { 'ngsild-tenant': TENANT },
      })
    ).json() as Record<string, { value?: unknown; observedAt?: string }>;
  const history = async (id: string) => {
    const res = await kit.app.inject({
      url: `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(id)}?attrs=pm25&options=temporalValues`,
      headers: { 'ngsild-tenant': TENANT },
    });
    return (res.json() as { pm25?: { values?: unknown[] } }).pm25?.values ?? [];
  };

  beforeAll(async () => {
    kit = await deviceTestKit({ transport: 'thingsboard' });
    [t1, t2] = (await kit.provision(['tb-1', 'tb-2'])) as [ProvisionedDevice, ProvisionedDevice];
    feedback = recordedFeedback();
    broker = await startEmbeddedBroker({
      ingress: kit.devices.ingress,
      commands: feedback,
      port: 0,
      host: '127.0.0.1',
    });
  });
  afterAll(async () => {
    await Promise.all(open.map((c) => c.endAsync(true)));
    await broker.close();
    await kit.app.close();
  });

  it('stores telemetry as an object, as {ts, values} with the device time, and as an array', async () => {
    const c = await tb(t1);
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ pm25: 5 }), { qos: 1 });
    expect((await entity(t1.entityId)).pm25?.value).toBe(5);

    const ts = Date.now() - 60_000;
    await c.publishAsync('v1/devices/me/telemetry', JSON.stringify({ ts, values: { pm25: 7 } }), { qos: 1 });
    expect((await entity(t1.entityId)).pm25).toMatchObject({
      value: 7,
      observedAt: new Date(ts).toISOString(),
    });

    const before = (await history(t1.entityId)).length;
    await c.publishAsync(
      'v1/devices/me/telemetry',
      JSON.stringify([
        { ts: ts + 1_000, values: { pm25: 8 } },
        { ts: ts + 2_000, values: { pm25: 9 } },
      ]),
      { qos: 1 },
    );
    expect((await history(t1.entityId)).length).toBe(before + 2);
    expect((await entity(t1.entityId)).pm25?.value).toBe(9);
  });

  it('stores client attributes', async () => {
    const c = await tb(t1);
    await c.publishAsync('v1/devices/me/attributes', JSON.stringify({ temperature: 3.5 }), { qos: 1 });
    expect((await entity(t1.entityId)).temperature?.value).toBe(3.5);
  });

  it('sends an RPC request and takes the response as the command result', async () => {
    const c = await tb(t2);
    const requests: Array<{ topic: string; body: unknown }> = [];
    c.on('message', (topic, payload) => {
      requests.push({ topic, body: JSON.parse(payload.toString()) });
      const id = topic.split('/').at(-1) ?? '';
      void c.publishAsync(`v1/devices/me/rpc/response/${id}`, JSON.stringify({ state: 'on' }), { qos: 1 });
    });
    const granted = await c.subscribeAsync(['v1/devices/me/rpc/request/+', 'v1/devices/me/attributes'], {
      qos: 1,
    });
    expect(granted.map((g) => g.qos)).toEqual([1, 1]);
    await until(() => feedback.connections.some((d) => d.deviceId === t2.id));

    const device = (await kit.store.devices.getDevice(TENANT, t2.id))!;
    expect(
      await broker.channel.deliver(device, command('cmd_tb1', 'setGpio', { pin: 1, on: true }, t2.id)),
    ).toBe('delivered');
    expect(requests).toHaveLength(1);
    expect(requests[0]?.topic).toMatch(/^v1\/devices\/me\/rpc\/request\/[0-9]+$/);
    expect(requests[0]?.body).toEqual({ method: 'setGpio', params: { pin: 1, on: true } });
    await until(() => feedback.results.length > 0);
    expect(feedback.results).toEqual([
      {
        tenant: TENANT,
        deviceId: t2.id,
        ref: { id: 'cmd_tb1' },
        outcome: { ok: true, payload: { state: 'on' } },
      },
    ]);
  });

  it('keeps one TB device’s attributes from another subscribed to the same topic', async () => {
    const listener = await tb(t2);
    const heard: string[] = [];
    listener.on('message', (topic) => heard.push(topic));
    await listener.subscribeAsync('v1/devices/me/attributes', { qos: 1 });
    const talker = await tb(t1);
    await talker.publishAsync('v1/devices/me/attributes', JSON.stringify({ temperature: 9 }), { qos: 1 });
    await new Promise((r) => setTimeout(r, 100));
    expect(heard).toEqual([]);
  });

  it('refuses a response to a request that was never made, without closing the device', async () => {
    const before = kit.devices.refusals.get('mqtt')?.malformed ?? 0;
    const c = await tb(t1);
    await c.publishAsync('v1/devices/me/rpc/response/999999', '{}', { qos: 1 });
    expect(kit.devices.refusals.get('mqtt')?.malformed).toBe(before + 1);
    expect(c.connected).toBe(true);
  });
});
