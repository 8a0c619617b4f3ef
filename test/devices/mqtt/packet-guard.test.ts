/**
 * The embedded broker refuses a giant packet at its header: a client that announces a 200 MB PUBLISH
 * (before even CONNECT) is disconnected at once, counted as oversized, and the broker serves the
 * next device as usual.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startEmbeddedBroker,
  type EmbeddedBroker,
} from '../../../src/devices/transports/mqtt/embedded-broker.js';
import { deviceTestKit, type DeviceTestKit, type ProvisionedDevice } from '../../support/devices.js';
import { connectDevice, credentialOptions } from './mqtt-driver.js';

describe('embedded MQTT broker: packet size', () => {
  let kit: DeviceTestKit;
  let broker: EmbeddedBroker;
  let d: ProvisionedDevice;

  beforeAll(async () => {
    kit = await deviceTestKit();
    [d] = (await kit.provision(['g-1'])) as [ProvisionedDevice];
    broker = await startEmbeddedBroker({ ingress: kit.devices.ingress, port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await broker.close();
    await kit.app.close();
  });

  it('disconnects a client announcing a packet over the limit, before its body', async () => {
    const socket = connect(broker.port, '127.0.0.1');
    await new Promise<void>((ok) => socket.once('connect', ok));
    const closed = new Promise<void>((ok) => socket.once('close', () => ok()));
    // PUBLISH, remaining length 200,000,000 (varint 0x80 0x84 0xAF 0x5F), then the first body bytes.
    socket.write(Buffer.from([0x30, 0x80, 0x84, 0xaf, 0x5f, 0, 1, 0x61]));
    await closed;
    expect(kit.devices.refusals.get('mqtt')?.oversized).toBe(1);
    const client = await connectDevice(broker.port, credentialOptions(d.credential));
    expect(client.connected).toBe(true);
    await client.endAsync();
  });
});
