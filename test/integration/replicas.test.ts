/**
 * Integration (issue #6): two `urbis serve` replicas on different ports, sharing one PostgreSQL
 * (a fresh database), one NATS JetStream and the machine's Mosquitto (external-broker mode, one
 * shared-subscription group). What one replica writes the other reads; a subscription created on A
 * notifies once when B changes an entity; devices publishing to Mosquitto are ingested by both
 * replicas, each message stored once; and a replica killed mid-stream loses nothing that the
 * broker acknowledged to the devices (its in-flight messages come back with its session).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockedAqProfile } from '../support/devices.js';
import { authHeader, freePort, serverEnv, waitReady } from '../support/serve-process.js';
import { freshDatabase } from './postgres-database.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const STORE = freshDatabase('urbis_it_replicas');
const NATS = process.env.URBIS_TEST_NATS ?? 'nats://127.0.0.1:4222';
const MQTT = process.env.URBIS_TEST_MQTT ?? 'mqtt://127.0.0.1:1883';
/** A group of this run only, so that no other run's replicas take our messages. */
const GROUP = `it-${randomBytes(4).toString('hex')}`;
const TENANT = 'city-r';
/** Broker sessions per replica (each is a client id the broker keeps). */
const CONNECTIONS = 4;
const dataDir = mkdtempSync(join(tmpdir(), 'urbis-replicas-'));

interface Replica {
  name: string;
  port: number;
  child: ChildProcess;
  exited: Promise<void>;
  log: string[];
}

function start(name: string, port: number): Replica {
  const args = ['serve', '--port', String(port), '--data-dir', join(dataDir, name)];
  const child = spawn(process.execPath, ['bin/urbis.js', ...args], {
    cwd: ROOT,
    env: serverEnv({
      URBIS_STORE: STORE,
      URBIS_BUS: NATS,
      URBIS_MQTT_BROKER: MQTT,
      URBIS_MQTT_GROUP: GROUP,
      URBIS_MQTT_CONNECTIONS: String(CONNECTIONS),
      URBIS_MQTT_TENANT: TENANT,
      URBIS_ALLOW_PRIVATE_ENDPOINTS: '127.0.0.1',
      URBIS_LOG_LEVEL: 'warn',
    }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log: string[] = [];
  child.stderr?.on('data', (b: Buffer) => log.push(b.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { name, port, child, exited, log };
}

async function stop(r: Replica, signal: NodeJS.Signals): Promise<void> {
  if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill(signal);
  await r.exited;
}

const call = async (r: Replica, method: string, path: string, body?: unknown) => {
  const res = await fetch(`http://127.0.0.1:${r.port}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'ngsild-tenant': TENANT, ...authHeader() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed as Record<string, unknown> };
};

async function until(what: string, f: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `urbis_device_messages_total{outcome="accepted"}` of a replica. */
async function accepted(r: Replica): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${r.port}/metrics`, { headers: authHeader() })).text();
  const m = /urbis_device_messages_total\{outcome="accepted"\} (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

let a: Replica;
let b: Replica;
const receivers: Server[] = [];

beforeAll(async () => {
  a = start('a', await freePort());
  b = start('b', await freePort());
  await Promise.all([ready(a), ready(b)]);
}, 60_000);

/** Wait for a replica; its log is in the error when it never gets ready. */
async function ready(r: Replica): Promise<void> {
  await waitReady(r.port).catch((e: unknown) => {
    throw new Error(`replica ${r.name}: ${(e as Error).message}\n${r.log.join('')}`);
  });
}

afterAll(async () => {
  for (const r of [a, b]) if (r) await stop(r, 'SIGTERM');
  for (const s of receivers) s.close();
  // The replicas' broker sessions are persistent: end them, so that the broker keeps nothing of this run.
  for (const r of [a, b]) {
    if (!r) continue;
    for (let i = 0; i < CONNECTIONS; i++) {
      const c = await connectAsync(MQTT, {
        clientId: `urbis-${GROUP}-${hostname()}-${r.port}-${i}`,
        clean: true,
      });
      await c.endAsync();
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('two replicas, one truth', () => {
  it('reads through B an entity written through A', async () => {
    const id = 'urn:ngsi-ld:Building:replicas-1';
    const created = await call(a, 'POST', '/ngsi-ld/v1/entities', {
      id,
      type: 'Building',
      height: { type: 'Property', value: 12 },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [2.35, 48.85] } },
    });
    expect(created.status).toBe(201);
    const read = await call(b, 'GET', `/ngsi-ld/v1/entities/${encodeURIComponent(id)}?options=keyValues`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id, type: 'Building', height: 12 });
    const near = await call(
      b,
      'GET',
      '/ngsi-ld/v1/entities?type=Building&georel=near;maxDistance==100&geometry=Point&coordinates=[2.3501,48.8501]',
    );
    expect(near.status).toBe(200);
    expect((near.body as unknown as Array<{ id: string }>).map((e) => e.id)).toEqual([id]);
  });

  it('notifies once, from one replica, when B changes an entity that a subscription made on A watches', async () => {
    const got: Array<{ id: string; data: Array<Record<string, unknown>> }> = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push(JSON.parse(body) as (typeof got)[number]);
        res.writeHead(204).end();
      });
    });
    receivers.push(receiver);
    const rport = await freePort();
    await new Promise<void>((r) => receiver.listen(rport, '127.0.0.1', r));
    const id = 'urn:ngsi-ld:Building:replicas-2';
    expect(
      (
        await call(a, 'POST', '/ngsi-ld/v1/entities', {
          id,
          type: 'Building',
          height: { type: 'Property', value: 1 },
        })
      ).status,
    ).toBe(201);
    const sub = await call(a, 'POST', '/ngsi-ld/v1/subscriptions', {
      id: 'urn:ngsi-ld:Subscription:replicas',
      type: 'Subscription',
      entities: [{ type: 'Building', id }],
      watchedAttributes: ['height'],
      notification: { endpoint: { uri: `http://127.0.0.1:${rport}/notify` }, format: 'keyValues' },
    });
    expect(sub.status).toBe(201);
    // B hears of the subscription over the bus (milliseconds); give it a generous moment.
    await new Promise((r) => setTimeout(r, 1_000));
    const patched = await call(b, 'PATCH', `/ngsi-ld/v1/entities/${encodeURIComponent(id)}/attrs`, {
      height: { type: 'Property', value: 42 },
    });
    expect(patched.status).toBe(204);
    await until('the notification', () => got.some((n) => n.data.some((e) => e.height === 42)));
    // Both replicas run a dispatcher: wait past their outbox scans to be sure no second copy comes.
    await new Promise((r) => setTimeout(r, 6_000));
    const about42 = got.filter((n) => n.data.some((e) => e.height === 42));
    expect(about42).toHaveLength(1);
    expect(new Set(got.map((n) => n.id)).size).toBe(got.length);
  }, 30_000);
});

/** A device on Mosquitto that publishes numbered readings and remembers which the broker acknowledged. */
class Device {
  readonly acked = new Set<number>();
  private client: MqttClient | undefined;
  constructor(readonly id: string) {}

  async connect(): Promise<void> {
    this.client = await connectAsync(MQTT, { clientId: `it-dev-${GROUP}-${this.id}`, clean: true });
  }

  async publish(seq: number): Promise<void> {
    const payload = JSON.stringify({
      pm25: seq,
      ts: new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString(),
    });
    await this.client!.publishAsync(`devices/${this.id}/telemetry`, payload, { qos: 1 });
    this.acked.add(seq);
  }

  async close(): Promise<void> {
    await this.client?.endAsync();
  }
}

/** The pm25 values stored in a device entity's history, read through `r`. */
async function stored(r: Replica, deviceId: string): Promise<number[]> {
  const id = `urn:ngsi-ld:AirQualityObserved:${deviceId}`;
  const res = await call(
    r,
    'GET',
    `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(id)}?attrs=pm25&timerel=after&timeAt=2000-01-01T00:00:00Z&options=temporalValues`,
  );
  if (res.status !== 200) return [];
  const values = (res.body as { pm25?: { values?: Array<[number, string]> } }).pm25?.values ?? [];
  return values.map((v) => v[0]);
}

describe('devices on the shared broker', () => {
  const DEVICES = 6;
  const devices = Array.from({ length: DEVICES }, (_, i) => new Device(`r${i}`));

  beforeAll(async () => {
    const profile = await call(a, 'PUT', '/device-profiles/aq', clockedAqProfile());
    expect(profile.status).toBe(201);
    const created = await call(
      a,
      'POST',
      '/devices',
      devices.map((d) => ({ id: d.id, profile: 'aq' })),
    );
    expect(created.status).toBe(201);
    for (const d of devices) await d.connect();
  }, 30_000);

  afterAll(async () => {
    for (const d of devices) await d.close();
  });

  it('splits the devices’ messages between the replicas and stores each once', async () => {
    const [a0, b0] = [await accepted(a), await accepted(b)];
    const PER_DEVICE = 50;
    await Promise.all(
      devices.map(async (d) => {
        for (let seq = 0; seq < PER_DEVICE; seq++) await d.publish(seq);
      }),
    );
    for (const d of devices)
      await until(`${d.id}'s readings`, async () => (await stored(b, d.id)).length >= PER_DEVICE);
    for (const d of devices) {
      const values = await stored(a, d.id);
      expect(values.sort((x, y) => x - y)).toEqual([...d.acked].sort((x, y) => x - y));
    }
    const [da, db] = [(await accepted(a)) - a0, (await accepted(b)) - b0];
    expect(da + db).toBe(DEVICES * PER_DEVICE);
    expect(da).toBeGreaterThan(0);
    expect(db).toBeGreaterThan(0);
  }, 60_000);

  it('loses nothing the broker acknowledged when a replica is killed mid-stream', async () => {
    let doubled = 0;
    let running = true;
    const FROM = 1_000;
    const streams = devices.map(async (d) => {
      for (let seq = FROM; running; seq++) {
        await d.publish(seq);
        await new Promise((r) => setTimeout(r, 5));
      }
    });
    await new Promise((r) => setTimeout(r, 1_500));
    await stop(a, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 1_500));
    // A comes back (same port, so the same broker session): what the broker had handed to the dead
    // process and not seen acknowledged is delivered again, to A or to B.
    a = start('a', a.port);
    await ready(a);
    await new Promise((r) => setTimeout(r, 1_000));
    running = false;
    await Promise.all(streams);
    for (const d of devices) {
      const expected = [...d.acked].sort((x, y) => x - y);
      // Wait until every acknowledged reading is there (a duplicate must not count for a missing one).
      await until(
        `${d.id}'s readings after the kill`,
        async () => {
          const have = new Set(await stored(b, d.id));
          return expected.every((x) => have.has(x));
        },
        30_000,
      ).catch(async (e: unknown) => {
        const have = new Set(await stored(b, d.id));
        const missing = expected.filter((x) => !have.has(x));
        throw new Error(
          `${(e as Error).message}: ${have.size} stored of ${expected.length}; missing ${missing.slice(0, 20).join(',')}`,
        );
      });
      const values = (await stored(b, d.id)).sort((x, y) => x - y);
      // Nothing acknowledged is lost. A reading committed by A but not yet acknowledged to the broker
      // when A died comes again after the restart; if newer readings of the device were stored
      // meanwhile (by B), it is not recognised as a redelivery and is stored a second time
      // (at least once across a kill: docs/scale-out.md, known limits). No other reading is doubled.
      expect([...new Set(values)]).toEqual(expected);
      doubled += values.length - expected.length;
    }
    // At most one message is in flight per broker connection of A: only those can come twice.
    expect(doubled).toBeLessThanOrEqual(CONNECTIONS);
  }, 90_000);
});

describe('commands across replicas', () => {
  it('sends through the shared broker a command made on B, and A records the device’s result on it', async () => {
    const profile = await call(a, 'PUT', '/device-profiles/lamp', {
      id: 'lamp',
      transport: 'mqtt',
      codec: { kind: 'json' },
      entityType: 'Streetlight',
      mapping: { level: { attribute: 'dimmingLevel' } },
      commands: { dim: { type: 'integer', min: 0, max: 100 } },
    });
    expect(profile.status).toBe(201);
    expect((await call(a, 'POST', '/devices', [{ id: 'lamp1', profile: 'lamp' }])).status).toBe(201);
    // The lamp: answers each command on its result topic.
    const lamp = await connectAsync(MQTT, { clientId: `it-lamp-${GROUP}`, clean: true });
    try {
      await lamp.subscribeAsync('devices/lamp1/commands', { qos: 1 });
      lamp.on('message', (_topic, payload) => {
        const cmd = JSON.parse(payload.toString()) as { id: string; value: number };
        void lamp.publishAsync(
          'devices/lamp1/commands/result',
          JSON.stringify({ id: cmd.id, ok: true, result: { level: cmd.value } }),
          { qos: 1 },
        );
      });
      // The lamp has been seen (online) before: its first reading.
      await lamp.publishAsync('devices/lamp1/telemetry', JSON.stringify({ level: 100 }), { qos: 1 });
      await until('the lamp online', async () => {
        const state = await call(a, 'GET', '/devices/lamp1');
        return (state.body as { state?: { online?: boolean } }).state?.online === true;
      });
      const sent = await call(b, 'POST', '/devices/lamp1/commands', { name: 'dim', value: 40 });
      expect(sent.status).toBe(201);
      const id = (sent.body as { id: string }).id;
      await until('SUCCEEDED', async () => {
        const c = await call(a, 'GET', `/commands/${id}`);
        return (c.body as { status?: string }).status === 'SUCCEEDED';
      });
      const done = await call(a, 'GET', `/commands/${id}`);
      expect(done.body).toMatchObject({ status: 'SUCCEEDED', result: { level: 40 } });
    } finally {
      await lamp.endAsync();
    }
  }, 30_000);
});
