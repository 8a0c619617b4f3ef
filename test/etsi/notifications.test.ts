/**
 * End to end through a real `urbis serve` (clause 5.8 subscriptions, 5.3.1 notification behaviour):
 * a subscription made over HTTP, a change made over HTTP, and the notification received by a real
 * HTTP receiver and by a real MQTT broker (aedes, in this process, on a free loopback port).
 * The broker runs with `--allow-private-endpoints 127.0.0.1` (harness), as the issue asks of tests.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { Aedes } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, expectStatus, tenant, uid, useBroker, type Body } from './harness.js';

const broker = useBroker();

/** Polls until `check` returns a value (not undefined), or fails after `ms`. */
async function waitFor<T>(what: string, check: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/** An HTTP receiver on 127.0.0.1 recording every notification. */
const received: Array<{ headers: Record<string, unknown>; body: Body }> = [];
let receiver: Server;
let receiverUrl = '';
/** An MQTT broker recording what is published on `urbis/#`. */
let aedes: Aedes;
let mqttServer: TcpServer;
let mqttPort = 0;
const published: Array<{ topic: string; payload: Body; qos: number }> = [];

beforeAll(async () => {
  receiver = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString()) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notify`;

  aedes = await Aedes.createBroker();
  aedes.on('publish', (packet) => {
    if (packet.topic.startsWith('urbis/'))
      published.push({
        topic: packet.topic,
        payload: JSON.parse(packet.payload.toString()),
        qos: packet.qos,
      });
  });
  mqttServer = createTcpServer((socket) => aedes.handle(socket));
  await new Promise<void>((ok) => mqttServer.listen(0, '127.0.0.1', ok));
  mqttPort = (mqttServer.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((ok) => receiver.close(() => ok()));
  await new Promise<void>((ok) => aedes.close(() => ok()));
  await new Promise<void>((ok) => mqttServer.close(() => ok()));
});

const building = (id: string, temperature: number) => ({
  id,
  type: 'Building',
  temperature: { type: 'Property', value: temperature, unitCode: 'CEL' },
  name: { type: 'Property', value: 'Town hall' },
});

describe('notifications end to end', () => {
  it('an HTTP receiver gets an NGSI-LD Notification for a matching change, and the status counts it', async () => {
    const t = tenant();
    const id = uid('Building');
    const sub = await broker.call('POST', 'subscriptions', {
      tenant: t,
      body: {
        type: 'Subscription',
        entities: [{ type: 'Building' }],
        watchedAttributes: ['temperature'],
        q: 'temperature>25',
        notification: {
          attributes: ['temperature'],
          format: 'keyValues',
          endpoint: {
            uri: receiverUrl,
            accept: 'application/json',
            receiverInfo: [{ key: 'X-City', value: 'demo' }],
          },
        },
      },
    });
    expectStatus(sub, 201);
    const subId = decodeURIComponent(sub.headers.get('location')!.split('/').pop()!);

    expectStatus(await broker.call('POST', 'entities', { tenant: t, body: building(id, 20) }), 201);
    expectStatus(
      await broker.call('PATCH', `entities/${id}/attrs`, {
        tenant: t,
        body: { temperature: { type: 'Property', value: 30 } },
      }),
      204,
    );
    const n = await waitFor('the notification', () => received.find((r) => r.body.subscriptionId === subId));
    expect(n.body.type).toBe('Notification');
    expect(n.body.id).toMatch(/^urn:/);
    expect(Number.isNaN(Date.parse(n.body.notifiedAt))).toBe(false);
    // Only the change that matched q (30 > 25), reduced to the notified attributes, in keyValues.
    expect(n.body.data).toEqual([{ id, type: 'Building', temperature: 30 }]);
    expect(n.headers['x-city']).toBe('demo');
    expect(n.headers['ngsild-tenant']).toBe(t);
    expect(received.filter((r) => r.body.subscriptionId === subId)).toHaveLength(1);
  });

  it('MQTT endpoints receive the notification with the NGSI-LD MQTT binding (metadata + body)', async () => {
    const t = tenant();
    const id = uid('Building');
    const sub = await broker.call('POST', 'subscriptions', {
      tenant: t,
      body: {
        type: 'Subscription',
        entities: [{ type: 'Building', id }],
        notification: {
          endpoint: {
            uri: `mqtt://127.0.0.1:${mqttPort}/urbis/${t}`,
            accept: 'application/json',
            notifierInfo: [{ key: 'MQTT-QoS', value: '1' }],
          },
        },
      },
    });
    expectStatus(sub, 201);
    expectStatus(await broker.call('POST', 'entities', { tenant: t, body: building(id, 21) }), 201);
    const m = await waitFor('the MQTT message', () => published.find((p) => p.topic === `urbis/${t}`));
    expect(m.qos).toBe(1);
    expect(m.payload.body.type).toBe('Notification');
    expect(m.payload.body.data[0].id).toBe(id);
    expect(m.payload.body.data[0].temperature.value).toBe(21);
    expect(m.payload.metadata['Content-Type'] ?? m.payload.metadata['content-type']).toMatch(/json/);
  });

  it('the subscription shows what was delivered (timesSent, lastSuccess)', async () => {
    const t = tenant();
    const id = uid('Building');
    const sub = await broker.call('POST', 'subscriptions', {
      tenant: t,
      body: {
        type: 'Subscription',
        entities: [{ type: 'Building' }],
        notification: { endpoint: { uri: receiverUrl, accept: 'application/json' } },
      },
    });
    const subId = decodeURIComponent(sub.headers.get('location')!.split('/').pop()!);
    expectStatus(await broker.call('POST', 'entities', { tenant: t, body: building(id, 19) }), 201);
    await waitFor('the notification', () => received.find((r) => r.body.subscriptionId === subId));
    let body: Body;
    const deadline = Date.now() + 5000;
    do {
      body = (await broker.call('GET', `subscriptions/${encodeURIComponent(subId)}`, { tenant: t })).body;
      if (body.notification?.timesSent === 1) break;
      await new Promise((ok) => setTimeout(ok, 50));
    } while (Date.now() < deadline);
    expect(body.notification.timesSent).toBe(1);
    expect(body.notification.status).toBe('ok');
    expect(Number.isNaN(Date.parse(body.notification.lastSuccess))).toBe(false);
    expect(body.status).toBe('active');
    // Operators see deliveries and the outbox's backlog in /metrics.
    const metrics = (await broker.call('GET', '/metrics')).text;
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(value('urbis_notifications_delivered_total')).toBeGreaterThanOrEqual(1);
    expect(value('urbis_notification_entries_delivered_total')).toBeGreaterThanOrEqual(1);
    expect(value('urbis_outbox_pending')).toBeGreaterThanOrEqual(0);
    expect(value('urbis_notifications_in_flight')).toBeGreaterThanOrEqual(0);
  });

  it('refuses endpoints on private addresses that the operator did not allow (SSRF guard)', async () => {
    for (const uri of [
      'http://10.0.0.8/notify',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]:9/x',
    ]) {
      const res = await broker.call('POST', 'subscriptions', {
        body: {
          type: 'Subscription',
          entities: [{ type: 'Building' }],
          notification: { endpoint: { uri, accept: 'application/json' } },
        },
      });
      expectProblem(res, 400, 'BadRequestData');
    }
  });
});
