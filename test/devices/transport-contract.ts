/**
 * The transport contract (issue #5, decision 0007): one suite every transport adapter passes, with a
 * real client of its protocol (mqtt.js, a CoAP client, HTTP POSTs). A transport's test file supplies a
 * driver that starts the adapter on the kit and sends one message as a device would; the suite checks
 * what a city relies on whatever the radio:
 * - an acknowledged message is already stored (acknowledge after the commit), with observedAt from
 *   the device clock and the profile's unitCode;
 * - a wrong credential, an unknown device, an oversized message store nothing and are counted;
 * - a malformed payload stores nothing and sets the device's last error;
 * - a redelivered message (same message id) is stored once;
 * - a device flooding beyond its profile's rate is cut off without stalling another device.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedCredential } from '../../src/devices/registry/registry-service.js';
import { deviceTestKit, TENANT, type DeviceTestKit, type ProvisionedDevice } from '../support/devices.js';

/** What the transport answered: acknowledged (PUBACK, 2xx, 2.04) or refused (with its code). */
export type SendResult = { acked: true } | { acked: false; code?: number | string };

export interface SendOptions {
  deviceId: string;
  credential: IssuedCredential;
  payload: string | Uint8Array;
  /** The transport's message id, for protocols that carry one (else the driver ignores it). */
  messageId?: string;
  /** The credential is deliberately wrong (for transports whose secret is not the device's own). */
  forged?: true;
}

export interface TransportDriver {
  /** Transport name as in profiles (`mqtt`, `http`, `coap`, `lorawan`, …). */
  transport: string;
  /** Which credential the transport's devices use. */
  credential: 'token' | 'password';
  /**
   * Whether the protocol can refuse a bad payload on the wire: MQTT 3.1.1 has no negative PUBACK, so
   * a malformed message is acknowledged (and dropped, counted) rather than redelivered forever.
   */
  refusesBadPayload: boolean;
  /** Whether the protocol carries a message id the device reuses on redelivery. */
  carriesMessageId: boolean;
  /**
   * The secret is a principal's API key checked by the HTTP security gate (LoRaWAN network-server
   * integrations), which counts refusals in its own metric, not as a device refusal.
   */
  gateAuthenticated?: boolean;
  /** Start the adapter on the kit. */
  start(kit: DeviceTestKit): Promise<void>;
  send(options: SendOptions): Promise<SendResult>;
  stop(): Promise<void>;
}

const json = (o: unknown) => JSON.stringify(o);

export function transportContract(driver: TransportDriver): void {
  describe(`transport contract: ${driver.transport}`, () => {
    let kit: DeviceTestKit;
    let d1: ProvisionedDevice;
    let d2: ProvisionedDevice;
    let flood: ProvisionedDevice;

    beforeAll(async () => {
      kit = await deviceTestKit({ transport: driver.transport });
      [d1, d2, flood] = (await kit.provision(['c-d1', 'c-d2', 'c-flood'], driver.credential)) as [
        ProvisionedDevice,
        ProvisionedDevice,
        ProvisionedDevice,
      ];
      await driver.start(kit);
    });

    afterAll(async () => {
      await driver.stop();
      await kit.app.close();
    });

    const entity = async (id: string) => {
      const res = await kit.app.inject({
        url: `/ngsi-ld/v1/entities/${encodeURIComponent(id)}`,
        headers: { 'ngsild-tenant': TENANT },
      });
      return res.json() as Record<string, { value?: unknown; observedAt?: string; unitCode?: string }>;
    };
    const pm25History = async (id: string) => {
      const res = await kit.app.inject({
        url: `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(id)}?attrs=pm25&options=temporalValues`,
        headers: { 'ngsild-tenant': TENANT },
      });
      const body = res.json() as { pm25?: { values?: unknown[] } };
      return body.pm25?.values ?? [];
    };
    const refusals = () => kit.devices.refusals.get(driver.transport);

    it('acknowledges only what is stored, with device time and unit', async () => {
      const ts = new Date(Date.now() - 60_000).toISOString();
      const sent = await driver.send({
        deviceId: d1.id,
        credential: d1.credential,
        payload: json({ pm25: 12.5, temperature: 4.5, bat: 87, ts }),
        messageId: '1',
      });
      expect(sent).toEqual({ acked: true });
      // No waiting: the acknowledgement came after the commit.
      const e = await entity(d1.entityId);
      expect(e.pm25).toMatchObject({ value: 12.5, unitCode: 'GQ', observedAt: ts });
      expect(e.temperature).toMatchObject({ value: 4.5, unitCode: 'CEL' });
      const state = await kit.store.devices.getState(TENANT, d1.id);
      expect(state).toMatchObject({ online: true, battery: 87 });
    });

    it('refuses a wrong credential and stores nothing', async () => {
      const before = refusals()?.credential ?? 0;
      const forged: IssuedCredential =
        driver.credential === 'token'
          ? { ...d2.credential, secret: `dev_${'A'.repeat(43)}` }
          : { ...d2.credential, password: 'not-the-password' };
      const sent = await driver.send({
        deviceId: d2.id,
        credential: forged,
        payload: json({ pm25: 99 }),
        forged: true,
      });
      expect(sent.acked).toBe(false);
      expect((await entity(d2.entityId)).pm25).toBeUndefined();
      if (driver.gateAuthenticated !== true) expect(refusals()?.credential ?? 0).toBeGreaterThan(before);
    });

    it('refuses an oversized message and counts it', async () => {
      const before = refusals()?.oversized ?? 0;
      const big = json({ pm25: 1, pad: 'x'.repeat(kit.devices.ingress.maxPayloadBytes) });
      const sent = await driver.send({ deviceId: d2.id, credential: d2.credential, payload: big });
      expect(sent.acked).toBe(false);
      expect((await entity(d2.entityId)).pm25).toBeUndefined();
      expect(refusals()?.oversized ?? 0).toBeGreaterThan(before);
    });

    it('stores nothing of a malformed payload and sets the device’s last error', async () => {
      const before = kit.devices.pipeline.stats.rejected.decode;
      const sent = await driver.send({ deviceId: d2.id, credential: d2.credential, payload: '{"pm25": 1,' });
      expect(sent.acked).toBe(!driver.refusesBadPayload);
      expect((await entity(d2.entityId)).pm25).toBeUndefined();
      expect(kit.devices.pipeline.stats.rejected.decode).toBe(before + 1);
      expect((await kit.store.devices.getState(TENANT, d2.id))?.lastError).toMatch(/^decode: /);
      // The device is not punished for it: its next good message is stored.
      expect(
        await driver.send({ deviceId: d2.id, credential: d2.credential, payload: json({ pm25: 3 }) }),
      ).toEqual({ acked: true });
      expect((await entity(d2.entityId)).pm25?.value).toBe(3);
    });

    // Only for protocols that carry a message id (ThingsBoard's HTTP API has none to recognise a copy by).
    if (driver.carriesMessageId)
      it('stores a redelivered message once', async () => {
        const before = (await pm25History(d1.entityId)).length;
        const msg = {
          deviceId: d1.id,
          credential: d1.credential,
          payload: json({ pm25: 20, ts: new Date(Date.now() - 30_000).toISOString() }),
          messageId: 'redelivered-7',
        };
        expect(await driver.send(msg)).toEqual({ acked: true });
        expect(await driver.send(msg)).toEqual({ acked: true });
        expect((await pm25History(d1.entityId)).length).toBe(before + 1);
        expect(kit.devices.pipeline.stats.duplicates).toBeGreaterThan(0);
      });

    it('cuts off a device flooding beyond its rate without stalling the others', async () => {
      // The profile allows 60 messages a minute (a burst of 60): the 61st onwards is refused.
      const results: SendResult[] = [];
      for (let i = 0; i < 65; i++)
        results.push(
          await driver.send({ deviceId: flood.id, credential: flood.credential, payload: json({ pm25: i }) }),
        );
      expect(kit.devices.pipeline.stats.rejected['rate-limited']).toBeGreaterThanOrEqual(5);
      expect((await kit.store.devices.getState(TENANT, flood.id))?.lastError).toMatch(/^rate-limited: /);
      // Another device is not affected.
      expect(
        await driver.send({ deviceId: d1.id, credential: d1.credential, payload: json({ pm25: 42 }) }),
      ).toEqual({ acked: true });
      expect((await entity(d1.entityId)).pm25?.value).toBe(42);
      expect(results.slice(0, 60).every((r) => r.acked)).toBe(true);
    });

    it('refuses an unknown device', async () => {
      const ghost: IssuedCredential =
        driver.credential === 'token'
          ? { id: 'dc_none', kind: 'token', secret: `dev_${'B'.repeat(43)}` }
          : { id: 'dc_none', kind: 'password', username: 'ghost', password: 'whatever-it-is' };
      const sent = await driver.send({
        deviceId: 'ghost',
        credential: ghost,
        payload: json({ pm25: 1 }),
        forged: true,
      });
      expect(sent.acked).toBe(false);
      const res = await kit.app.inject({
        url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AirQualityObserved:ghost',
        headers: { 'ngsild-tenant': TENANT },
      });
      expect(res.statusCode).toBe(404);
    });
  });
}
