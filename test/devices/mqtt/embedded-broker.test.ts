/**
 * The embedded broker beyond the transport contract, native dialect: CONNECT refusals, the ACL,
 * acknowledgement after the commit, no forwarding between devices, and the command channel
 * (delivered on PUBACK, unreachable when not listening, connected when the device subscribes).
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startEmbeddedBroker,
  type EmbeddedBroker,
} from '../../../src/devices/transports/mqtt/embedded-broker.js';
import { deviceTestKit, TENANT, type DeviceTestKit, type ProvisionedDevice } from '../../support/devices.js';
import { command, recordedFeedback, type RecordedFeedback } from './feedback.js';
import { connackOf, connectDevice, credentialOptions, publishAcked, until } from './mqtt-driver.js';

describe('embedded MQTT broker (native dialect)', () => {
  let kit: DeviceTestKit;
  let broker: EmbeddedBroker;
  let feedback: RecordedFeedback;
  let a: ProvisionedDevice;
  let b: ProvisionedDevice;
  let p: ProvisionedDevice;
  const open: MqttClient[] = [];
  const device = async (d: ProvisionedDevice, clientId = `t-${d.id}`) => {
    const c = await connectDevice(broker.port, { ...credentialOptions(d.credential), clientId });
    open.push(c);
    return c;
  };
  const refusals = () => kit.devices.refusals.get('mqtt');
  const record = async (id: string) => (await kit.store.devices.getDevice(TENANT, id))!;

  beforeAll(async () => {
    kit = await deviceTestKit();
    [a, b] = (await kit.provision(['n-a', 'n-b'])) as [ProvisionedDevice, ProvisionedDevice];
    [p] = (await kit.provision(['n-p'], 'password')) as [ProvisionedDevice];
    feedback = recordedFeedback();
    broker = await startEmbeddedBroker({
      ingress: kit.devices.ingress,
      commands: feedback,
      port: 0,
      host: '127.0.0.1',
      commandAckTimeoutMs: 1_000,
    });
  });
  afterAll(async () => {
    await Promise.all(open.map((c) => c.endAsync(true)));
    await broker.close();
    await kit.app.close();
  });

  it('refuses a wrong password, an unknown token and an anonymous client at CONNECT, and counts them', async () => {
    const before = refusals()?.credential ?? 0;
    // 4: bad user name or password; 5: not authorized.
    expect(
      await connackOf(broker.port, { username: `${TENANT}/${p.credential.username}`, password: 'wrong' }),
    ).toBe(4);
    expect(await connackOf(broker.port, { username: `dev_${'C'.repeat(43)}` })).toBe(4);
    expect(await connackOf(broker.port, {})).toBe(5);
    expect(refusals()?.credential).toBe(before + 3);
    // The right ones connect: a password (tenant/username), a token as username or as password.
    expect(await connackOf(broker.port, credentialOptions(p.credential))).toBe('connected');
    expect(await connackOf(broker.port, { username: 'any', password: a.credential.secret ?? '' })).toBe(
      'connected',
    );
  });

  it('acknowledges a QoS 1 telemetry message only once it is queryable', async () => {
    const c = await device(a);
    await c.publishAsync(`devices/${a.id}/telemetry`, JSON.stringify({ pm25: 33 }), { qos: 1 });
    const res = await kit.app.inject({
      url: `/ngsi-ld/v1/entities/${encodeURIComponent(a.entityId)}`,
      headers: { 'ngsild-tenant': TENANT },
    });
    expect((res.json() as { pm25?: { value: number } }).pm25?.value).toBe(33);
  });

  it('closes a device that publishes to another device’s topic and stores nothing', async () => {
    const before = refusals()?.['forbidden-topic'] ?? 0;
    const c = await device(a, 'acl-pub');
    expect(await publishAcked(c, `devices/${b.id}/telemetry`, JSON.stringify({ pm25: 66 }))).toEqual({
      acked: false,
      code: 'closed',
    });
    expect(refusals()?.['forbidden-topic']).toBe(before + 1);
    expect(await kit.store.devices.getState(TENANT, b.id)).toMatchObject({ online: false });
  });

  it('refuses a subscription to another device’s commands or to anything else (0x80)', async () => {
    const c = await device(a, 'acl-sub');
    // mqtt.js rejects a SUBACK with a refusal in it, and carries the SUBACK.
    const suback = await c
      .subscribeAsync([`devices/${b.id}/commands`, '#', `devices/${a.id}/commands`], { qos: 1 })
      .then(
        () => undefined,
        (e: { packet?: { granted?: number[] } }) => e.packet,
      );
    expect(suback?.granted).toEqual([128, 128, 1]);
    await c.endAsync();
  });

  it('refuses a client id held by another device (no session takeover)', async () => {
    await device(b, 'held-id');
    expect(await connackOf(broker.port, { ...credentialOptions(a.credential), clientId: 'held-id' })).toBe(2);
  });

  it('forwards nothing between clients', async () => {
    const listener = await device(b, 'listener');
    await listener.subscribeAsync(`devices/${b.id}/commands`, { qos: 1 });
    const heard: string[] = [];
    listener.on('message', (t) => heard.push(t));
    // Another connection of b itself cannot publish to its command topic either.
    const talker = await device(b, 'talker');
    expect(await publishAcked(talker, `devices/${b.id}/commands`, '{}')).toMatchObject({ acked: false });
    await new Promise((r) => setTimeout(r, 100));
    expect(heard).toEqual([]);
  });

  it('delivers a command on PUBACK, reports the result, and is unreachable when the device does not listen', async () => {
    expect(await broker.channel.deliver(await record(a.id), command('cmd_0', 'setDimLevel', 10, a.id))).toBe(
      'unreachable',
    );
    const c = await device(a, 'cmd-a');
    const got: unknown[] = [];
    c.on('message', (topic, payload) => {
      const body = JSON.parse(payload.toString()) as { id: string };
      got.push({ topic, body });
      void c.publishAsync(
        `devices/${a.id}/commands/result`,
        JSON.stringify({ id: body.id, ok: true, result: 'done' }),
        {
          qos: 1,
        },
      );
    });
    const seen = feedback.connections.length;
    await c.subscribeAsync(`devices/${a.id}/commands`, { qos: 1 });
    await until(() => feedback.connections.length > seen);
    expect(feedback.connections.at(-1)).toEqual({ tenant: TENANT, deviceId: a.id });

    const cmd = command('cmd_1', 'setDimLevel', 40, a.id);
    expect(await broker.channel.deliver(await record(a.id), cmd)).toBe('delivered');
    expect(got).toEqual([
      {
        topic: `devices/${a.id}/commands`,
        body: { id: 'cmd_1', name: 'setDimLevel', value: 40, expiresAt: cmd.expiresAt },
      },
    ]);
    await until(() => feedback.results.length > 0);
    expect(feedback.results).toEqual([
      { tenant: TENANT, deviceId: a.id, ref: { id: 'cmd_1' }, outcome: { ok: true, payload: 'done' } },
    ]);

    await c.endAsync();
    expect(await broker.channel.deliver(await record(a.id), command('cmd_2', 'setDimLevel', 1, a.id))).toBe(
      'unreachable',
    );
  });

  it('reports a command only sent when the device subscribed at QoS 0 (it never acknowledges)', async () => {
    const c = await device(b, 'cmd-b0');
    await c.subscribeAsync(`devices/${b.id}/commands`, { qos: 0 });
    expect(await broker.channel.deliver(await record(b.id), command('cmd_3', 'setDimLevel', 5, b.id))).toBe(
      'sent',
    );
  });
});
