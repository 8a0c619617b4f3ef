/**
 * FIWARE IoT Agent JSON devices on the embedded broker: anonymous connections whose apikey, in each
 * topic, is checked by an IotaAuthority (a fake one here); multi- and single-attribute measures;
 * commands on `/{apikey}/{id}/cmd` and their results on `…/cmdexe`.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startEmbeddedBroker,
  type EmbeddedBroker,
} from '../../../src/devices/transports/mqtt/embedded-broker.js';
import type { IotaAuthority } from '../../../src/devices/transports/mqtt/iota.js';
import { deviceTestKit, TENANT, type DeviceTestKit, type ProvisionedDevice } from '../../support/devices.js';
import { command, recordedFeedback, type RecordedFeedback } from './feedback.js';
import { connectDevice, credentialOptions, publishAcked, until } from './mqtt-driver.js';

const APIKEY = 'k3y-of-group';

describe('embedded MQTT broker: IoT Agent JSON dialect', () => {
  let kit: DeviceTestKit;
  let broker: EmbeddedBroker;
  let feedback: RecordedFeedback;
  let other: ProvisionedDevice;
  const open: MqttClient[] = [];
  const anonymous = async () => {
    const c = await connectDevice(broker.port);
    open.push(c);
    return c;
  };
  const entity = async (id: string) =>
    (
      await kit.app.inject({
        url: `/ngsi-ld/v1/entities/${encodeURIComponent(id)}`,
        headers: { 'ngsild-tenant': TENANT },
      })
    ).json() as Record<string, { value?: unknown }>;
  const refusals = () => kit.devices.refusals.get('mqtt');

  beforeAll(async () => {
    kit = await deviceTestKit({ transport: 'iota-json' });
    await kit.provision(['io-1'], 'token');
    [other] = (await kit.provision(['io-2'], 'token')) as [ProvisionedDevice];
    // The group of APIKEY holds io-1 and io-2, in tenant city-a.
    const iota: IotaAuthority = {
      authenticate: async (apikey, deviceId) =>
        apikey === APIKEY && ['io-1', 'io-2'].includes(deviceId) ? { tenant: TENANT, deviceId } : undefined,
    };
    feedback = recordedFeedback();
    broker = await startEmbeddedBroker({
      ingress: kit.devices.ingress,
      commands: feedback,
      iota,
      port: 0,
      host: '127.0.0.1',
    });
  });
  afterAll(async () => {
    await Promise.all(open.map((c) => c.endAsync(true)));
    await broker.close();
    await kit.app.close();
  });

  it('stores multi-attribute and single-attribute measures', async () => {
    const c = await anonymous();
    await c.publishAsync(`/json/${APIKEY}/io-1/attrs`, JSON.stringify({ pm25: 4 }), { qos: 1 });
    expect((await entity('urn:ngsi-ld:AirQualityObserved:io-1')).pm25?.value).toBe(4);
    await c.publishAsync(`/json/${APIKEY}/io-1/attrs/temperature`, '12.5', { qos: 1 });
    expect((await entity('urn:ngsi-ld:AirQualityObserved:io-1')).temperature?.value).toBe(12.5);
  });

  it('refuses a wrong apikey, and counts it', async () => {
    const before = refusals()?.credential ?? 0;
    const c = await anonymous();
    expect(await publishAcked(c, '/json/not-the-key/io-1/attrs', JSON.stringify({ pm25: 99 }))).toMatchObject(
      {
        acked: false,
      },
    );
    expect(refusals()?.credential).toBe(before + 1);
    expect((await entity('urn:ngsi-ld:AirQualityObserved:io-1')).pm25?.value).toBe(4);
  });

  it('keeps an authenticated device to its own IoT Agent topics', async () => {
    const c = await connectDevice(broker.port, credentialOptions(other.credential));
    open.push(c);
    expect(await publishAcked(c, `/json/${APIKEY}/io-1/attrs`, JSON.stringify({ pm25: 77 }))).toMatchObject({
      acked: false,
    });
    expect((await entity('urn:ngsi-ld:AirQualityObserved:io-1')).pm25?.value).toBe(4);
  });

  it('delivers a command on the cmd topic and takes cmdexe as its result, by name', async () => {
    const c = await anonymous();
    const got: Array<{ topic: string; body: unknown }> = [];
    c.on('message', (topic, payload) => {
      got.push({ topic, body: JSON.parse(payload.toString()) });
      void c.publishAsync(`/json/${APIKEY}/io-2/cmdexe`, JSON.stringify({ setpoint: 'OK' }), { qos: 1 });
    });
    await c.subscribeAsync(`/${APIKEY}/io-2/cmd`, { qos: 1 });
    await until(() => feedback.connections.some((d) => d.deviceId === 'io-2'));
    const device = (await kit.store.devices.getDevice(TENANT, 'io-2'))!;
    expect(await broker.channel.deliver(device, command('cmd_io', 'setpoint', 21, 'io-2'))).toBe('delivered');
    expect(got).toEqual([{ topic: `/${APIKEY}/io-2/cmd`, body: { setpoint: 21 } }]);
    await until(() => feedback.results.length > 0);
    expect(feedback.results).toEqual([
      { tenant: TENANT, deviceId: 'io-2', ref: { name: 'setpoint' }, outcome: { ok: true, payload: 'OK' } },
    ]);
  });

  it('refuses a cmd subscription with a wrong apikey (0x80)', async () => {
    const c = await anonymous();
    const suback = await c.subscribeAsync('/wrong/io-2/cmd', { qos: 1 }).then(
      () => undefined,
      (e: { packet?: { granted?: number[] } }) => e.packet,
    );
    expect(suback?.granted).toEqual([128]);
  });
});
