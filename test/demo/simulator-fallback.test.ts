// The simulator when MQTT is not there: without a broker URL, or with one that does not answer, the
// devices that would speak MQTT send over HTTP with their own tokens, and the city starts all the same.
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo } from '../../src/demo/sim/index.js';
import { ADMIN_KEY } from '../support/app.js';
import { startUrbis, type UrbisUnderTest } from './urbis-under-test.js';

describe('demo simulator without a reachable MQTT broker', () => {
  let urbis: UrbisUnderTest;
  beforeAll(async () => {
    urbis = await startUrbis();
  });
  afterAll(async () => {
    await urbis.close();
  });

  /** A loopback port nobody listens on (taken, then released). */
  const closedPort = async (): Promise<number> => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    await new Promise((r) => srv.close(r));
    return port;
  };

  for (const [name, mqttUrl] of [
    ['no broker URL', undefined],
    ['a broker URL where nothing listens', 'closed'],
  ] as const) {
    it(`with ${name}, MQTT devices report over HTTP`, async () => {
      const warnings: string[] = [];
      const tenant = mqttUrl === undefined ? 'demo-a' : 'demo-b';
      const demo = await startDemo({
        baseUrl: urbis.baseUrl,
        apiKey: ADMIN_KEY,
        tenant,
        ...(mqttUrl === undefined ? {} : { mqttUrl: `mqtt://127.0.0.1:${await closedPort()}` }),
        size: 'small',
        speed: 600,
        backfillHours: 0,
        logger: { info: () => {}, error: () => {}, warn: (_o, msg) => warnings.push(msg ?? '') },
      });
      try {
        const mqttDevices = demo.city.devices.filter((d) => d.transport === 'mqtt').length;
        const httpDevices = demo.city.devices.filter((d) => d.transport === 'http').length;
        // Every MQTT and HTTP device has reported at least once, all of them over HTTP.
        await until(() => demo.stats().sent.http >= mqttDevices + httpDevices, 15_000);
        expect(demo.stats().sent.mqtt).toBe(0);
        // And an MQTT device's entity has its reading: it came by HTTP.
        const light = demo.city.devices.find((d) => d.kind === 'streetlight')!;
        const res = await fetch(
          `${urbis.baseUrl}/ngsi-ld/v1/entities/${encodeURIComponent(light.entityId)}`,
          {
            headers: { authorization: `Bearer ${ADMIN_KEY}`, 'ngsild-tenant': tenant },
          },
        );
        const body = JSON.stringify(await res.json());
        expect(body).toContain('observedAt');
        expect(demo.stats().errors).toBe(0);
        if (mqttUrl !== undefined) expect(warnings).toContain('demo: MQTT device problem');
      } finally {
        await demo.stop();
      }
    });
  }
});

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
