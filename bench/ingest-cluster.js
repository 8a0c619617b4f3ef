/**
 * The `ingest-cluster` suite (issue #6): device data points per second through an external MQTT
 * broker into one Urbis replica, then into two, on PostgreSQL and NATS — the scale-out path —
 * beside the same load drained by a bare subscriber (no processing) in the same run:
 *
 *   N devices → Mosquitto (QoS 1) → 1 replica ($share group) → PostgreSQL   points/s   vs bare $share subscriber
 *   N devices → Mosquitto (QoS 1) → 2 replicas                               points/s   vs the same baseline
 *
 * Every phase gets its own Mosquitto (spawned with a temp config on a free loopback port: an
 * unbounded session queue, no persistence) so that no other run's sessions interfere and the
 * broker never drops what the replicas have not taken yet. A phase publishes a fixed number of
 * messages (the devices keep a window in flight) and ends when the replicas have accepted them all
 * (their `urbis_device_messages_total{outcome="accepted"}`); its figure is points over that time.
 * Then a sample device's history is read back: what was accepted is queryable.
 * Needs PostgreSQL (URBIS_BENCH_POSTGRES) with PostGIS, NATS (URBIS_BENCH_NATS, default
 * nats://127.0.0.1:4222) and the `mosquitto` binary.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectAsync } from 'mqtt';
import { benchProfile, reading } from './ingest.js';
import { authHeaders } from './lib/http.js';
import { benchDatabase } from './lib/postgres-db.js';
import { freePort, startUrbis } from './lib/processes.js';
import { median } from './lib/stats.js';

const SETTINGS = {
  full: { devices: 200, messages: 100, window: 8 },
  quick: { devices: 20, messages: 20, window: 4 },
};
const POINTS_PER_MESSAGE = 4;
const TENANT = 'bench';
const NATS = process.env.URBIS_BENCH_NATS ?? 'nats://127.0.0.1:4222';

export const suite = {
  name: 'ingest-cluster',
  describe: 'device ingest through Mosquitto into one and two replicas on PostgreSQL and NATS',
  budgetMs: 15 * 60_000,
  /** Always on PostgreSQL (replicas need a shared store), whatever --store says. */
  store: 'postgres',
  run,
};

/** A Mosquitto of our own for one phase. */
async function startMosquitto(cleanup, dir) {
  const port = await freePort();
  const conf = join(dir, `mosquitto-${port}.conf`);
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      // Unbounded: a replica's session must never lose what it has not taken yet (QoS 1).
      'max_queued_messages 0',
      'max_inflight_messages 0',
      // Nothing is read from its output: a log line per connection would fill the pipe and stall it.
      'log_dest none',
      '',
    ].join('\n'),
  );
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanup.add(
    `stop mosquitto :${port}`,
    async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    () => child.exitCode === null && child.kill('SIGKILL'),
  );
  for (let i = 0; i < 100; i++) {
    const ok = await connectAsync({ host: '127.0.0.1', port, reconnectPeriod: 0, connectTimeout: 500 }).then(
      (c) => c.endAsync().then(() => true),
      () => false,
    );
    if (ok) return { url: `mqtt://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') && exited };
    await sleep(50);
  }
  throw new Error('mosquitto did not start');
}

/** Accepted device messages of a replica (its Prometheus counter). */
async function accepted(urbis) {
  const res = await fetch(`${urbis.url}/metrics`, { headers: authHeaders(urbis.apiKey) });
  const m = /urbis_device_messages_total\{outcome="accepted"\} (\d+)/.exec(await res.text());
  return m ? Number(m[1]) : 0;
}

async function api(urbis, method, path, body) {
  const res = await fetch(`${urbis.url}${path}`, {
    method,
    headers: { ...authHeaders(urbis.apiKey), 'content-type': 'application/json', 'ngsild-tenant': TENANT },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

/** Publish `messages` per device (QoS 1, `window` in flight per device); resolves when all were acked by the broker. */
async function publishAll(brokerUrl, ids, messages, window, from) {
  const clients = await Promise.all(
    ids.map((id) => connectAsync(brokerUrl, { clientId: `dev-${id}-${from}`, reconnectPeriod: 0 })),
  );
  await Promise.all(
    clients.map(async (client, d) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: window }, async () => {
          while (next < messages) {
            const seq = from + next++;
            await client.publishAsync(`devices/${ids[d]}/telemetry`, JSON.stringify(reading(seq)), {
              qos: 1,
            });
          }
        }),
      );
    }),
  );
  await Promise.all(clients.map((c) => c.endAsync()));
}

/** One phase with `replicas` Urbis replicas: points/s until all are accepted. */
async function clusterPhase({ ctx, tmp, store, replicas, s, ids, from, rep }) {
  const broker = await startMosquitto(ctx.cleanup, tmp);
  const group = `bench${rep}r${replicas}`;
  const servers = [];
  for (let i = 0; i < replicas; i++) {
    servers.push(
      await startUrbis({
        dataDir: join(tmp, `data-${group}-${i}`),
        cleanup: ctx.cleanup,
        env: {
          URBIS_STORE: store,
          URBIS_BUS: NATS,
          URBIS_MQTT_BROKER: broker.url,
          URBIS_MQTT_GROUP: group,
          URBIS_MQTT_TENANT: TENANT,
        },
      }),
    );
  }
  const before = (await Promise.all(servers.map(accepted))).reduce((a, b) => a + b, 0);
  const total = ids.length * s.messages;
  const t0 = performance.now();
  await publishAll(broker.url, ids, s.messages, s.window, from);
  let done = 0;
  const deadline = Date.now() + 300_000;
  while (done < total) {
    if (Date.now() > deadline) throw new Error(`only ${done} of ${total} messages accepted in time`);
    await sleep(50);
    done = (await Promise.all(servers.map(accepted))).reduce((a, b) => a + b, 0) - before;
  }
  const seconds = (performance.now() - t0) / 1000;
  const shares = await Promise.all(servers.map(accepted));
  for (const u of servers) await u.stop();
  await broker.stop();
  return { pointsPerSec: (total * POINTS_PER_MESSAGE) / seconds, seconds, total, shares };
}

/** The baseline: the same publish load drained by bare `$share` subscribers acking at once. */
async function baselinePhase({ ctx, tmp, s, ids, from, consumers }) {
  const broker = await startMosquitto(ctx.cleanup, tmp);
  let got = 0;
  const subs = await Promise.all(
    Array.from({ length: consumers }, (_, i) =>
      connectAsync(broker.url, { clientId: `bare-${from}-${i}`, clean: true, reconnectPeriod: 0 }),
    ),
  );
  for (const c of subs) {
    c.on('message', () => got++);
    await c.subscribeAsync('$share/bare/devices/+/telemetry', { qos: 1 });
  }
  const total = ids.length * s.messages;
  const t0 = performance.now();
  await publishAll(broker.url, ids, s.messages, s.window, from);
  while (got < total) await sleep(10);
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(subs.map((c) => c.endAsync()));
  await broker.stop();
  return { pointsPerSec: (total * POINTS_PER_MESSAGE) / seconds, seconds };
}

async function run(ctx) {
  const s = ctx.quick ? SETTINGS.quick : SETTINGS.full;
  const tmp = mkdtempSync(join(tmpdir(), 'urbis-bench-cluster-'));
  ctx.cleanup.removeDir(tmp);
  // The runner made a fresh database for this suite (suite.store); run alone, make one.
  const store = process.env.URBIS_STORE ?? (await benchDatabase(ctx.cleanup));
  const ids = Array.from({ length: s.devices }, (_, i) => `c${i}`);
  // Provision once, through a replica of its own (the registry lives in the shared store).
  ctx.log(`provisioning ${ids.length} devices`);
  const admin = await startUrbis({
    dataDir: join(tmp, 'data-admin'),
    cleanup: ctx.cleanup,
    env: { URBIS_STORE: store },
  });
  await api(admin, 'PUT', `/device-profiles/${benchProfile().id}`, benchProfile());
  await api(
    admin,
    'POST',
    '/devices',
    ids.map((id) => ({ id, profile: benchProfile().id })),
  );
  await admin.stop();

  const runs = { baseline: [], one: [], two: [] };
  let from = 0;
  for (let rep = 0; rep < ctx.reps; rep++) {
    runs.baseline.push(await baselinePhase({ ctx, tmp, s, ids, from, consumers: 4 }));
    from += s.messages;
    for (const [key, replicas] of [
      ['one', 1],
      ['two', 2],
    ]) {
      const r = await clusterPhase({ ctx, tmp, store, replicas, s, ids, from, rep });
      from += s.messages;
      runs[key].push(r);
      ctx.log(
        `rep ${rep + 1}, ${replicas} replica(s): ${Math.round(r.pointsPerSec)} points/s in ${r.seconds.toFixed(1)} s (accepted per replica: ${r.shares.join(', ')})`,
      );
    }
  }
  const base = median(runs.baseline.map((r) => r.pointsPerSec));
  const row = (what, key) => ({
    what,
    figure: median(runs[key].map((r) => r.pointsPerSec)),
    unit: 'points/s',
    baseline: base,
    baselineWhat: 'bare $share subscribers',
    better: 'higher',
    reps: runs[key].map((r) => r.pointsPerSec),
  });
  const one = row(`1 replica, ${s.devices} devices via Mosquitto, PostgreSQL`, 'one');
  const two = row(`2 replicas, ${s.devices} devices via Mosquitto, PostgreSQL`, 'two');
  const gain = {
    what: '2 replicas ÷ 1 replica',
    figure: two.figure / one.figure,
    unit: '×',
    baseline: 1,
    baselineWhat: 'one replica',
    better: 'higher',
    reps: runs.two.map((r, i) => r.pointsPerSec / runs.one[i].pointsPerSec),
  };
  return { rows: [one, two, gain], details: { settings: s, runs } };
}
