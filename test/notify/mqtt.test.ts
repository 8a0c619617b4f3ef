// The notifier over MQTT, end to end: a real broker (aedes in-process on a free port, and Mosquitto
// when one answers on 127.0.0.1:1883), a real subscriber, the real MQTT sender behind the SSRF guard.
import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Aedes, type AedesPublishPacket } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAST, Harness, V, sensor, subscriptionTo, waitFor, write, type Received } from './kit.js';

const SUB = 'urn:ngsi-ld:Subscription:mqtt';

/** An aedes broker on a loopback port that can go down and come back on the same port. */
class Broker {
  aedes!: Aedes;
  port = 0;
  /** Every message clients published, as the broker saw it. */
  readonly published: AedesPublishPacket[] = [];
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  async start(): Promise<this> {
    this.aedes = await Aedes.createBroker();
    this.aedes.on('publish', (packet, client) => {
      if (client) this.published.push(packet);
    });
    await this.listen();
    return this;
  }

  async listen(): Promise<void> {
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      this.aedes.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  /** Stop accepting and cut every connection (the broker is "down"; its state stays). */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  async close(): Promise<void> {
    await this.down();
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
  }
}

/** A subscriber collecting the messages of `topic`. */
async function subscriber(url: string, topic: string) {
  const client: MqttClient = await connectAsync(url, { connectTimeout: 2_000, reconnectPeriod: 0 });
  const messages: Array<{
    topic: string;
    qos: number;
    json: { metadata: Record<string, string>; body: Received['body'] };
  }> = [];
  client.on('message', (t, payload, packet) => {
    messages.push({ topic: t, qos: packet.qos, json: JSON.parse(payload.toString('utf8')) });
  });
  await client.subscribeAsync(topic, { qos: 2 });
  return { client, messages };
}

let broker: Broker;
let h: Harness | undefined;
beforeEach(async () => {
  broker = await new Broker().start();
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  await broker.close();
});

describe('MQTT notifications (aedes)', () => {
  it('publishes {metadata, body} on the endpoint topic with the QoS of notifierInfo', async () => {
    const sub = await subscriber(`mqtt://127.0.0.1:${broker.port}`, 'city/notify/#');
    try {
      h = new Harness(FAST);
      for (const qos of [0, 1, 2]) {
        await h.subscribe(
          subscriptionTo(
            `urn:sub:qos${qos}`,
            `mqtt://127.0.0.1:${broker.port}/city/notify/qos${qos}`,
            {},
            {
              receiverInfo: [{ key: 'X-Token', value: 't' }],
              notifierInfo: [{ key: 'MQTT-QoS', value: String(qos) }],
            },
          ),
          'urn:city:a',
        );
      }
      await h.dispatcher.start();
      await write(h.store, [sensor('urn:x:1', 7)], 'urn:city:a');
      await waitFor(() => sub.messages.length === 3, 'three messages');
      for (const qos of [0, 1, 2]) {
        const m = sub.messages.find((x) => x.topic === `city/notify/qos${qos}`);
        expect(m?.qos).toBe(qos);
        expect(m?.json.metadata).toEqual({
          'Content-Type': 'application/json',
          'X-Token': 't',
          'NGSILD-Tenant': 'urn:city:a',
        });
        expect(m?.json.body).toMatchObject({ type: 'Notification', subscriptionId: `urn:sub:qos${qos}` });
        expect(m?.json.body.data.map((e) => e.id)).toEqual(['urn:x:1']);
      }
      const published = broker.published.filter((p) => p.topic.startsWith('city/notify/'));
      expect(published.map((p) => p.qos).sort()).toEqual([0, 1, 2]);
      await waitFor(
        async () => (await h!.status('urn:sub:qos2', 'urn:city:a')).timesSent === 1,
        'statistics',
      );
    } finally {
      await sub.client.endAsync();
    }
  });

  it('loses nothing while the broker is down: delivered in order per entity when it is back', async () => {
    h = new Harness({ ...FAST, maxAttempts: 100, batchSize: 3 });
    await h.subscribe(
      subscriptionTo(
        SUB,
        `mqtt://127.0.0.1:${broker.port}/down/test`,
        {},
        {
          notifierInfo: [{ key: 'MQTT-QoS', value: '1' }],
        },
      ),
    );
    await h.dispatcher.start();
    await write(h.store, [sensor('urn:x:0', 0)]);
    await waitFor(() => broker.published.length === 1, 'the first message');
    await broker.down();
    for (let v = 1; v <= 10; v++) await write(h.store, [sensor('urn:x:0', v), sensor('urn:x:1', v)]);
    await waitFor(async () => (await h!.status(SUB)).timesFailed > 0, 'a failed attempt');
    // Not connected, or connected to a broker that vanished before its acknowledgement.
    expect((await h.status(SUB)).lastError).toMatch(/MQTT broker 127\.0\.0\.1|no acknowledgement/);
    await broker.listen();
    await waitFor(async () => (await h!.store.outbox.size()) === 0, 'an empty outbox', 20_000);
    // A retry repeats its notification id (the broker may have taken a message whose acknowledgement
    // was lost when it went down): a receiver keeps the first of each id.
    const values = new Map<string, number[]>();
    const ids = new Set<string>();
    for (const p of broker.published) {
      const body = (JSON.parse(p.payload.toString()) as { body: Received['body'] }).body;
      if (ids.has(body.id)) continue;
      ids.add(body.id);
      for (const e of body.data) {
        if (!values.has(e.id)) values.set(e.id, []);
        values.get(e.id)!.push((e[V] as { value: number }).value);
      }
    }
    expect(values.get('urn:x:0')).toEqual([...Array(11).keys()]);
    expect(values.get('urn:x:1')).toEqual([...Array(11).keys()].slice(1));
  });

  it('refuses a broker on loopback without allowance, by name or by address', async () => {
    h = new Harness({ ...FAST, maxAttempts: 1 }, []);
    await h.subscribe(subscriptionTo('urn:sub:name', `mqtt://localhost:${broker.port}/t`));
    await h.subscribe(subscriptionTo('urn:sub:ip', `mqtt://127.0.0.1:${broker.port}/t`));
    await h.dispatcher.start();
    await write(h.store, [sensor('urn:x:1', 1)]);
    await waitFor(async () => (await h!.status('urn:sub:ip')).deadLetters === 1, 'the literal refused');
    await waitFor(async () => (await h!.status('urn:sub:name')).deadLetters === 1, 'the name refused');
    expect((await h.status('urn:sub:ip')).lastError).toMatch(/127\.0\.0\.1 is a loopback address/);
    expect((await h.status('urn:sub:name')).lastError).toMatch(/localhost resolves to .* loopback/);
    expect(broker.published).toHaveLength(0);
  });

  it('fails an endpoint without a topic', async () => {
    h = new Harness({ ...FAST, maxAttempts: 1 });
    await h.subscribe(subscriptionTo(SUB, `mqtt://127.0.0.1:${broker.port}`));
    await h.dispatcher.start();
    await write(h.store, [sensor('urn:x:1', 1)]);
    await waitFor(async () => (await h!.status(SUB)).deadLetters === 1, 'the dead letter');
    expect((await h.status(SUB)).lastError).toMatch(/has no topic/);
  });
});

describe('MQTT notifications (Mosquitto on 127.0.0.1:1883)', () => {
  it('publishes to Mosquitto when one is running, MQTT 3.1.1 and 5.0', async () => {
    let sub: Awaited<ReturnType<typeof subscriber>>;
    const topic = `urbis-test/${randomUUID()}`;
    try {
      sub = await subscriber('mqtt://127.0.0.1:1883', `${topic}/#`);
    } catch (e) {
      console.warn(
        `Mosquitto case not run: no MQTT broker answers on 127.0.0.1:1883 (${(e as Error).message}); the aedes cases cover the sender`,
      );
      return;
    }
    try {
      h = new Harness(FAST);
      await h.subscribe(
        subscriptionTo(
          'urn:sub:m3',
          `mqtt://127.0.0.1:1883/${topic}/v3`,
          {},
          {
            notifierInfo: [{ key: 'MQTT-QoS', value: '1' }],
          },
        ),
      );
      await h.subscribe(
        subscriptionTo(
          'urn:sub:m5',
          `mqtt://127.0.0.1:1883/${topic}/v5`,
          {},
          {
            notifierInfo: [
              { key: 'MQTT-QoS', value: '2' },
              { key: 'MQTT-Version', value: 'mqtt5.0' },
            ],
          },
        ),
      );
      await h.dispatcher.start();
      await write(h.store, [sensor('urn:x:1', 3)]);
      await waitFor(() => sub.messages.length === 2, 'two messages from Mosquitto');
      expect(sub.messages.map((m) => m.topic).sort()).toEqual([`${topic}/v3`, `${topic}/v5`]);
      for (const m of sub.messages) expect(m.json.body.data[0]?.id).toBe('urn:x:1');
    } finally {
      await sub.client.endAsync();
    }
  });
});
