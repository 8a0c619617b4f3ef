/**
 * External-broker mode against a real Mosquitto 2 (URBIS_TEST_MQTT_URL, default
 * mqtt://127.0.0.1:1883; CI starts one): two Urbis consumers in one shared-subscription group split
 * the devices' messages — each gets some, together all, none twice — and an acknowledged message is
 * stored. The group and device ids are fresh per run, so runs sharing the broker do not collide.
 */
import { randomBytes } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../../src/devices/ingest/pipeline.js';
import type { DeviceIngress } from '../../../src/devices/transports/contract.js';
import {
  startExternalBroker,
  type ExternalBroker,
} from '../../../src/devices/transports/mqtt/external-broker.js';
import { deviceTestKit, TENANT, type DeviceTestKit } from '../../support/devices.js';
import { until } from './mqtt-driver.js';

const URL = process.env.URBIS_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const run = randomBytes(4).toString('hex');

/** The kit's ingress, recording which messages went through this consumer. */
function counting(ingress: DeviceIngress, seen: InboundMessage[]): DeviceIngress {
  return {
    authenticateToken: (s) => ingress.authenticateToken(s),
    authenticatePassword: (t, u, p) => ingress.authenticatePassword(t, u, p),
    refuse: (t, r, d) => ingress.refuse(t, r, d),
    maxPayloadBytes: ingress.maxPayloadBytes,
    submit: (m) => {
      seen.push(m);
      return ingress.submit(m);
    },
  };
}

describe('external MQTT broker with shared subscriptions', () => {
  let kit: DeviceTestKit;
  const consumers: ExternalBroker[] = [];
  const seen: InboundMessage[][] = [[], []];
  let publisher: MqttClient;
  const ids = [0, 1, 2, 3].map((i) => `x${run}-${i}`);

  beforeAll(async () => {
    kit = await deviceTestKit();
    await kit.provision(ids);
    for (const [i, s] of seen.entries())
      consumers.push(
        await startExternalBroker({
          ingress: counting(kit.devices.ingress, s),
          url: URL,
          group: `urbis-test-${run}`,
          clientId: `urbis-test-${run}-${i}`,
          tenant: TENANT,
          connections: 2,
          cleanSession: true,
        }),
      );
    publisher = await connectAsync(URL, { clientId: `dev-${run}`, reconnectPeriod: 0 });
  });
  afterAll(async () => {
    await publisher?.endAsync();
    await Promise.all(consumers.map((c) => c.close()));
    await kit.app.close();
  });

  it('splits the messages between the consumers of a group: each some, together all, none twice', async () => {
    const sent: string[] = [];
    for (let n = 0; n < 40; n++) {
      const id = ids[n % ids.length] as string;
      const payload = JSON.stringify({ pm25: n });
      sent.push(`${id}:${payload}`);
      await publisher.publishAsync(`devices/${id}/telemetry`, payload, { qos: 1 });
    }
    await until(() => seen[0]!.length + seen[1]!.length >= 40, 10_000);
    await new Promise((r) => setTimeout(r, 200));
    const got = seen.flat().map((m) => `${m.deviceId}:${String(m.payload)}`);
    expect(seen[0]!.length).toBeGreaterThan(0);
    expect(seen[1]!.length).toBeGreaterThan(0);
    expect(got.sort()).toEqual([...sent].sort());
    expect(seen.flat().every((m) => m.tenant === TENANT)).toBe(true);
    // And they are stored: the last value of each device.
    await until(async () => {
      const res = await kit.app.inject({
        url: `/ngsi-ld/v1/entities/${encodeURIComponent(`urn:ngsi-ld:AirQualityObserved:${ids[3]}`)}`,
        headers: { 'ngsild-tenant': TENANT },
      });
      return (res.json() as { pm25?: { value?: number } }).pm25?.value === 39;
    });
  });
});

describe('external MQTT broker: a replica that comes back', () => {
  it('ingests what the broker kept for its session while it was down (sent right after CONNACK)', async () => {
    const kit = await deviceTestKit();
    const id = `back${run}`;
    await kit.provision([id]);
    const seen: InboundMessage[] = [];
    const settings = {
      ingress: counting(kit.devices.ingress, seen),
      url: URL,
      group: `urbis-back-${run}`,
      clientId: `urbis-back-${run}`,
      tenant: TENANT,
      connections: 1,
      cleanSession: false,
    };
    const publisher = await connectAsync(URL, { clientId: `dev-back-${run}`, reconnectPeriod: 0 });
    try {
      // Join the group once (the broker now keeps a session for it), then go away.
      await (await startExternalBroker(settings)).close();
      for (let n = 0; n < 10; n++)
        await publisher.publishAsync(`devices/${id}/telemetry`, JSON.stringify({ pm25: n }), { qos: 1 });
      const again = await startExternalBroker(settings);
      try {
        await until(() => seen.length >= 10, 10_000);
        expect(seen.map((m) => JSON.parse(String(m.payload)).pm25)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      } finally {
        await again.close();
      }
    } finally {
      await publisher.endAsync();
      // End the persistent session, so the broker keeps nothing of this test.
      await (await connectAsync(URL, { clientId: `urbis-back-${run}-0`, clean: true })).endAsync();
      await kit.app.close();
    }
  });
});
