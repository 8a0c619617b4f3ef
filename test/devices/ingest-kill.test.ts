// Lossless ingest through the real `urbis serve` (issue #5): devices publish over MQTT QoS 1 to the
// embedded broker while Urbis is SIGKILLed mid-stream. Like real devices, each keeps what was not
// acknowledged and sends it again once Urbis is back. Afterwards every acknowledged message is
// stored, and every message is stored exactly once — including one committed just before the kill
// whose PUBACK never left (the device's clock makes its copy recognisable). Bounded: 12 devices,
// about 2 s of publishing, two restarts of the server.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { clockedAqProfile } from '../support/devices.js';
import { authHeader, freePort, serverEnv, waitReady } from '../support/serve-process.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TENANT = 'kill-city';
const DEVICES = 12;
const T0 = Date.now() - 3_600_000;
const dirs: string[] = [];
const children: Array<ReturnType<typeof spawn>> = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function start(port: number, mqttPort: number, dataDir: string) {
  const args = ['--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'];
  const child = spawn(process.execPath, ['bin/urbis.js', 'serve', ...args], {
    cwd: ROOT,
    env: serverEnv({ URBIS_MQTT_PORT: String(mqttPort) }),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited };
}

const call = async (port: number, method: string, path: string, body?: unknown) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'ngsild-tenant': TENANT, ...authHeader() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as unknown };
};

/** A device that keeps unacknowledged readings and sends them again after reconnecting. */
class Device {
  acked = new Set<number>();
  pending: number[] = [];
  next = 0;
  client: MqttClient | undefined;
  /** Rejects when the connection closes: a publish waiting for its PUBACK then fails. */
  closed: Promise<never> = new Promise<never>(() => undefined);
  constructor(
    readonly id: string,
    readonly token: string,
  ) {}

  async connect(mqttPort: number): Promise<void> {
    this.client = await connectAsync({
      host: '127.0.0.1',
      port: mqttPort,
      username: this.token,
      password: '',
      clientId: `kill-${this.id}`,
      reconnectPeriod: 0,
      connectTimeout: 3000,
    });
    this.client.on('error', () => undefined);
    const client = this.client;
    this.closed = new Promise<never>((_, reject) => client.once('close', () => reject(new Error('closed'))));
    this.closed.catch(() => undefined);
  }

  /** Publish reading `seq`; true when the PUBACK came (the broker's promise: it is stored). */
  async send(seq: number): Promise<boolean> {
    const client = this.client;
    if (client === undefined || !client.connected) return false;
    const payload = JSON.stringify({ pm25: seq, ts: new Date(T0 + seq * 1000).toISOString() });
    try {
      await Promise.race([
        client.publishAsync(`devices/${this.id}/telemetry`, payload, { qos: 1 }),
        this.closed,
      ]);
      this.acked.add(seq);
      return true;
    } catch {
      return false;
    }
  }

  /** Publish new readings until stopped; what is not acknowledged is kept for later. */
  async run(stop: () => boolean): Promise<void> {
    while (!stop()) {
      const seq = this.next++;
      if (!(await this.send(seq))) {
        this.pending.push(seq);
        return;
      }
    }
  }

  async flush(): Promise<void> {
    const retry = this.pending.splice(0);
    for (const seq of retry)
      if (!(await this.send(seq))) throw new Error(`${this.id}: ${seq} not acknowledged`);
  }

  async close(): Promise<void> {
    await this.client?.endAsync(true).catch(() => undefined);
  }
}

describe('ingest across a crash', () => {
  it('stores every acknowledged message, and every message once, after SIGKILL and restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'urbis-ingest-kill-'));
    dirs.push(dataDir);
    const [port, mqttPort] = [await freePort(), await freePort()];
    let server = start(port, mqttPort, dataDir);
    await waitReady(port);

    const profile = await call(port, 'PUT', '/device-profiles/aq', clockedAqProfile());
    expect(profile.status).toBe(201);
    const created = await call(
      port,
      'POST',
      '/devices',
      Array.from({ length: DEVICES }, (_, i) => ({ id: `k${i}`, profile: 'aq' })),
    );
    expect(created.status).toBe(201);
    const report = created.body as { created: Array<{ id: string; credential: { secret: string } }> };
    const devices = report.created.map((c) => new Device(c.id, c.credential.secret));
    await Promise.all(devices.map((d) => d.connect(mqttPort)));

    // Publish; SIGKILL Urbis while every device is mid-stream.
    let killed = false;
    const running = devices.map((d) => d.run(() => killed));
    await new Promise((r) => setTimeout(r, 1500));
    server.child.kill('SIGKILL');
    await server.exited;
    killed = true;
    await Promise.all(running);
    await Promise.all(devices.map((d) => d.close()));
    const ackedBefore = devices.reduce((n, d) => n + d.acked.size, 0);
    expect(ackedBefore).toBeGreaterThan(DEVICES * 5);

    // Back up: each device sends what it kept, then a few more.
    server = start(port, mqttPort, dataDir);
    await waitReady(port);
    await Promise.all(devices.map((d) => d.connect(mqttPort)));
    for (const d of devices) {
      await d.flush();
      for (let i = 0; i < 3; i++) expect(await d.send(d.next++)).toBe(true);
    }
    await Promise.all(devices.map((d) => d.close()));

    for (const d of devices) {
      const res = await call(
        port,
        'GET',
        `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(`urn:ngsi-ld:AirQualityObserved:${d.id}`)}?attrs=pm25&options=temporalValues&timerel=after&timeAt=${new Date(T0 - 1000).toISOString()}`,
      );
      expect(res.status).toBe(200);
      const values = ((res.body as { pm25?: { values?: Array<[number, string]> } }).pm25?.values ?? []).map(
        ([v]) => v,
      );
      const stored = values.slice().sort((a, b) => a - b);
      // Every reading the device made is stored exactly once: 0 … next-1, no gaps, no doubles.
      expect(stored, d.id).toEqual(Array.from({ length: d.next }, (_, i) => i));
      for (const seq of d.acked) expect(values).toContain(seq);
    }
    server.child.kill('SIGTERM');
    await server.exited;
  }, 60_000);
});
