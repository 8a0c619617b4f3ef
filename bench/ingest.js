/**
 * The `ingest` suite (issue #5): device data points per second, end to end — published by simulated
 * devices, acknowledged by Urbis after the commit, and checked queryable — beside baselines measured
 * in the same run:
 *
 *   N devices over MQTT QoS 1 to the embedded broker, 4 points/msg     points/s   vs the same loop against a bare aedes broker
 *   N devices over HTTP POST /ingest/batch, 100 msgs/request           points/s   vs raw batched SQLite inserts of the points
 *   ingest floor: raw SQLite writing what each message must (document, q index, history)  points/s  (not Urbis: a ceiling)
 *   CPU per message over MQTT and HTTP (server + load generator)   µs     vs the whole machine's CPU per message at the target
 *   (details) the server's CPU share and RSS in each phase; with URBIS_BENCH_SOAK_S, RSS sampled over a soak
 *
 * Urbis runs as `urbis serve` in its own process on a temp data dir, the devices are provisioned
 * through its API, and every device publishes with a window of messages in flight. After each
 * phase the suite reads the history of sample devices and checks that it holds every acknowledged
 * message (so "acknowledged" meant "stored"). Target: 100,000 points/s. See bench/README.md.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { connectAsync } from 'mqtt';
import { Pool } from 'undici';
import { authHeaders } from './lib/http.js';
import { REPO_ROOT, freePort, startUrbis } from './lib/processes.js';
import { median } from './lib/stats.js';
import { ingestFloorPointsPerSec } from './lib/write-floor.js';
import { usage } from './lib/proc-usage.js';
import { budgetMicrosPerUnit, cpuPerUnit, withCpu } from './lib/cpu-budget.js';
import { PhaseClock, formatHotSpots, hotSpots, profilesIn } from './lib/cpu-profile.js';

const SETTINGS = {
  full: { devices: 200, window: 8, mqttS: 10, httpS: 10, httpBatch: 100, httpConcurrency: 16, rows: 400_000 },
  quick: { devices: 20, window: 4, mqttS: 2, httpS: 2, httpBatch: 50, httpConcurrency: 4, rows: 40_000 },
};
const TARGET = 100_000;
const POINTS_PER_MESSAGE = 4;
const TENANT = 'bench';

export const suite = {
  name: 'ingest',
  describe: 'device ingest: data points/s over MQTT QoS 1 and the HTTP batch path, end to end',
  budgetMs: 20 * 60_000,
  run,
};

/** The profile every simulated device has: four air-quality readings per message. */
export function benchProfile() {
  return {
    id: 'bench-aq',
    transport: 'mqtt',
    codec: { kind: 'json' },
    entityType: 'AirQualityObserved',
    mapping: {
      pm25: { attribute: 'pm25', unitCode: 'GQ' },
      pm10: { attribute: 'pm10', unitCode: 'GQ' },
      no2: { attribute: 'no2', unitCode: 'GQ' },
      o3: { attribute: 'o3', unitCode: 'GQ' },
    },
    maxMessagesPerMinute: 100_000,
  };
}

/** Message `seq` of a device: four readings (a JSON payload of ~50 bytes). */
export function reading(seq) {
  return { pm25: seq % 500, pm10: (seq * 3) % 700, no2: (seq * 7) % 400, o3: (seq * 11) % 300 };
}

/**
 * Run `workers` async loops until `seconds` have passed; each loop calls `step()` (one acknowledged
 * unit of work) and counts what it returns.
 */
export async function timedLoops(workers, seconds, step) {
  let stop = false;
  let done = 0;
  const t0 = performance.now();
  const timer = setTimeout(() => (stop = true), seconds * 1000);
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (!stop) {
        // Not `done += await step(w)`: that reads `done` before the await and loses the other loops' counts.
        const n = await step(w);
        done += n;
      }
    }),
  );
  clearTimeout(timer);
  return { done, seconds: (performance.now() - t0) / 1000 };
}

async function startBareBroker(cleanup) {
  const port = await freePort();
  const script = fileURLToPath(new URL('./ingest/bare-broker.js', import.meta.url));
  const child = spawn(process.execPath, [script, String(port)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanup.add(
    'stop the bare broker',
    async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    () => child.exitCode === null && child.kill('SIGKILL'),
  );
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (b) => String(b).includes('ready') && resolve(undefined));
    child.once('exit', (code) => reject(new Error(`bare broker exited (${code})`)));
  });
  return { port, pid: child.pid };
}

/** Connect one mqtt.js client per device. */
async function connectAll(port, devices, tokenOf) {
  return Promise.all(
    devices.map((d) =>
      connectAsync({
        host: '127.0.0.1',
        port,
        clientId: `bench-${d.id}`,
        username: tokenOf(d),
        password: '',
        reconnectPeriod: 0,
        connectTimeout: 10_000,
      }),
    ),
  );
}

/** Publish over MQTT QoS 1 for `seconds`; returns acknowledged messages per device and the rate. */
async function mqttPhase(port, devices, s, tokenOf) {
  const clients = await connectAll(port, devices, tokenOf);
  const seq = devices.map(() => 0);
  const acked = devices.map(() => 0);
  try {
    const r = await timedLoops(devices.length * s.window, s.mqttS, async (w) => {
      const i = w % devices.length;
      const n = seq[i]++;
      await clients[i].publishAsync(`devices/${devices[i].id}/telemetry`, JSON.stringify(reading(n)), {
        qos: 1,
      });
      acked[i]++;
      return 1;
    });
    return {
      acked,
      messages: r.done,
      seconds: r.seconds,
      pointsPerSec: (r.done * POINTS_PER_MESSAGE) / r.seconds,
    };
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  }
}

/** POST /ingest/batch for `seconds`, `httpConcurrency` requests in flight, devices in turn. */
async function httpPhase(url, devices, s) {
  const pool = new Pool(url, { connections: s.httpConcurrency, pipelining: 1 });
  const acked = devices.map(() => 0);
  let next = 0;
  const problems = [];
  try {
    const r = await timedLoops(s.httpConcurrency, s.httpS, async () => {
      const i = next++ % devices.length;
      const items = Array.from({ length: s.httpBatch }, (_, k) => ({ payload: reading(acked[i] + k) }));
      const res = await pool.request({
        method: 'POST',
        path: '/ingest/batch',
        headers: { authorization: `Bearer ${devices[i].token}`, 'content-type': 'application/json' },
        body: JSON.stringify(items),
      });
      const text = await res.body.text();
      if (res.statusCode !== 204) {
        if (problems.length < 5) problems.push(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
        return 0;
      }
      acked[i] += s.httpBatch;
      return s.httpBatch;
    });
    return {
      acked,
      messages: r.done,
      seconds: r.seconds,
      pointsPerSec: (r.done * POINTS_PER_MESSAGE) / r.seconds,
      problems,
    };
  } finally {
    await pool.close();
  }
}

/** Raw better-sqlite3 inserts of data-point rows (series, time, value), 1,000 per transaction, WAL, synchronous=NORMAL. */
export function sqliteRowsPerSec(file, rows) {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE point (sid INTEGER NOT NULL, t INTEGER NOT NULL, v REAL)');
    const insert = db.prepare('INSERT INTO point (sid, t, v) VALUES (?, ?, ?)');
    const batch = db.transaction((from, to) => {
      for (let i = from; i < to; i++) insert.run(i % 800, 1_780_000_000_000 + i, i % 500);
    });
    const t0 = performance.now();
    for (let i = 0; i < rows; i += 1000) batch(i, Math.min(rows, i + 1000));
    return rows / ((performance.now() - t0) / 1000);
  } finally {
    db.close();
  }
}

/** How many pm25 instances the history holds for a device's entity. */
async function historyCount(url, apiKey, deviceId) {
  const id = encodeURIComponent(`urn:ngsi-ld:AirQualityObserved:${deviceId}`);
  const res = await fetch(
    `${url}/ngsi-ld/v1/temporal/entities/${id}?attrs=pm25&options=temporalValues&lastN=10000`,
    { headers: { ...authHeaders(apiKey), 'ngsild-tenant': TENANT } },
  );
  if (res.status !== 200) throw new Error(`temporal read of ${deviceId}: HTTP ${res.status}`);
  const body = await res.json();
  return body.pm25?.values?.length ?? 0;
}

async function provision(url, apiKey, count) {
  const headers = { ...authHeaders(apiKey), 'content-type': 'application/json', 'ngsild-tenant': TENANT };
  const put = await fetch(`${url}/device-profiles/bench-aq`, {
    method: 'PUT',
    headers,
    body: JSON.stringify(benchProfile()),
  });
  if (put.status !== 201) throw new Error(`profile: HTTP ${put.status} ${await put.text()}`);
  const rows = Array.from({ length: count }, (_, i) => ({
    id: `b${String(i).padStart(5, '0')}`,
    profile: 'bench-aq',
  }));
  const res = await fetch(`${url}/devices`, { method: 'POST', headers, body: JSON.stringify(rows) });
  if (res.status !== 201) throw new Error(`devices: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  const report = await res.json();
  return report.created.map((c) => ({ id: c.id, token: c.credential.secret }));
}

/** Check that the history of a few devices holds what they had acknowledged (beyond `before`). */
async function checkStored(url, apiKey, devices, acked, before) {
  const problems = [];
  for (const i of [0, Math.floor(devices.length / 2), devices.length - 1]) {
    const stored = await historyCount(url, apiKey, devices[i].id);
    const expected = Math.min(10_000, before[i] + acked[i]);
    if (stored < expected) problems.push(`${devices[i].id}: ${stored} stored < ${expected} acknowledged`);
  }
  return problems;
}

async function run({ quick, reps, cpuProf, cleanup, log }) {
  const s = quick ? SETTINGS.quick : SETTINGS.full;
  const soakS = Number(process.env.URBIS_BENCH_SOAK_S ?? 0);
  const rows = [];
  const details = { settings: s, reps: [] };
  const figures = { mqtt: [], bare: [], http: [], sqlite: [], floor: [], mqttCpu: [], httpCpu: [] };
  const problems = { mqtt: [], http: [] };

  const dir = mkdtempSync(join(tmpdir(), 'urbis-bench-ingest-'));
  cleanup.removeDir(dir);
  const mqttPort = await freePort();
  const cpuProfDir = cpuProf ? mkdtempSync(join(tmpdir(), 'urbis-bench-prof-')) : undefined;
  /** The measured phases' time windows, to slice the server's profile by. */
  const clock = new PhaseClock();
  const urbis = await startUrbis({
    dataDir: join(dir, 'urbis'),
    cleanup,
    cpuProfDir,
    env: { URBIS_MQTT_PORT: String(mqttPort) },
  });
  const bare = await startBareBroker(cleanup);
  const devices = await provision(urbis.url, urbis.apiKey, s.devices);
  log(`provisioned ${devices.length} devices`);
  const stored = devices.map(() => 0);

  for (let rep = 0; rep < reps; rep++) {
    const b = await withCpu(bare.pid, () => mqttPhase(bare.port, devices, s, (d) => d.token));
    const base = b.result;
    const bareCpu = cpuPerUnit(b.serverCpuS, b.generatorCpuS, base.messages);
    figures.bare.push(base.pointsPerSec);
    log(`bare broker: ${Math.round(base.pointsPerSec)} points/s`);

    const mc = await withCpu(urbis.pid, () =>
      clock.time('mqtt', () => mqttPhase(mqttPort, devices, s, (d) => d.token)),
    );
    const m = mc.result;
    const mqttRssMiB = usage(urbis.pid).rssMiB;
    const mqttCpu = cpuPerUnit(mc.serverCpuS, mc.generatorCpuS, m.messages);
    figures.mqttCpu.push(mqttCpu.total);
    figures.mqtt.push(m.pointsPerSec);
    problems.mqtt.push(...(await checkStored(urbis.url, urbis.apiKey, devices, m.acked, stored)));
    m.acked.forEach((n, i) => (stored[i] += n));
    log(
      `urbis MQTT: ${Math.round(m.pointsPerSec)} points/s, cpu ${Math.round((mc.serverCpuS / m.seconds) * 100)}%, rss ${Math.round(mqttRssMiB)} MiB; per message ${Math.round(mqttCpu.server)} µs server + ${Math.round(mqttCpu.generator)} µs generator`,
    );

    const sqlite = sqliteRowsPerSec(join(dir, `baseline-${rep}.sqlite`), s.rows);
    figures.sqlite.push(sqlite);
    log(`raw SQLite: ${Math.round(sqlite)} rows/s`);
    const floor = ingestFloorPointsPerSec(join(dir, `floor-${rep}.sqlite`), {
      devices: s.devices,
      attrs: POINTS_PER_MESSAGE,
      messages: s.rows / POINTS_PER_MESSAGE,
      // The most messages ever in flight at once: no group commit of Urbis can be larger.
      perCommit: s.devices * s.window,
    });
    figures.floor.push(floor);
    log(`ingest floor: ${Math.round(floor)} points/s`);

    const hc = await withCpu(urbis.pid, () => clock.time('http', () => httpPhase(urbis.url, devices, s)));
    const h = hc.result;
    const httpRssMiB = usage(urbis.pid).rssMiB;
    const httpCpu = cpuPerUnit(hc.serverCpuS, hc.generatorCpuS, h.messages);
    figures.httpCpu.push(httpCpu.total);
    figures.http.push(h.pointsPerSec);
    problems.http.push(
      ...h.problems,
      ...(await checkStored(urbis.url, urbis.apiKey, devices, h.acked, stored)),
    );
    h.acked.forEach((n, i) => (stored[i] += n));
    log(
      `urbis HTTP batch: ${Math.round(h.pointsPerSec)} points/s, cpu ${Math.round((hc.serverCpuS / h.seconds) * 100)}%; per message ${Math.round(httpCpu.server)} µs server + ${Math.round(httpCpu.generator)} µs generator`,
    );
    details.reps.push({
      bare: base.pointsPerSec,
      bareCpuMicrosPerMessage: bareCpu,
      mqtt: {
        pointsPerSec: m.pointsPerSec,
        messages: m.messages,
        cpuPct: (mc.serverCpuS / m.seconds) * 100,
        cpuMicrosPerMessage: mqttCpu,
        rssMiB: mqttRssMiB,
      },
      http: {
        pointsPerSec: h.pointsPerSec,
        messages: h.messages,
        cpuPct: (hc.serverCpuS / h.seconds) * 100,
        cpuMicrosPerMessage: httpCpu,
        rssMiB: httpRssMiB,
      },
      sqliteRowsPerSec: sqlite,
    });
  }

  if (soakS > 0) details.soak = await soak(mqttPort, urbis, devices, s, soakS, log);
  if (cpuProfDir !== undefined) {
    await urbis.stop(); // the profile is written when the server exits
    const [file] = profilesIn(cpuProfDir);
    if (file !== undefined) {
      // The windows (profile µs) go with the profile, for a closer look at it afterwards.
      details.cpuProfile = { file, spots: hotSpots(file, { top: 25 }), phases: {}, windows: {} };
      log(`server CPU over the whole run:\n${formatHotSpots(details.cpuProfile.spots)}\nprofile: ${file}`);
      for (const [phase, windows] of clock.phases) {
        details.cpuProfile.phases[phase] = hotSpots(file, { top: 15, windows });
        details.cpuProfile.windows[phase] = windows;
        log(`server CPU during the ${phase} phases:\n${formatHotSpots(details.cpuProfile.phases[phase])}`);
      }
    }
  }

  rows.push({
    what: `MQTT QoS 1, ${s.devices} devices, ${POINTS_PER_MESSAGE} points/msg, end to end`,
    figure: median(figures.mqtt),
    unit: 'points/s',
    baseline: median(figures.bare),
    baselineWhat: 'same loop, bare aedes',
    better: 'higher',
    target: TARGET,
    reps: figures.mqtt,
    problems: problems.mqtt,
  });
  rows.push({
    what: `HTTP /ingest/batch, ${s.httpBatch} msgs/request, c=${s.httpConcurrency}`,
    figure: median(figures.http),
    unit: 'points/s',
    baseline: median(figures.sqlite),
    baselineWhat: 'raw batched SQLite inserts',
    baselineUnit: 'rows/s',
    better: 'higher',
    target: TARGET,
    reps: figures.http,
    problems: problems.http,
  });
  rows.push({
    // Not Urbis: the ceiling under any SQLite ingest path that keeps the current state queryable.
    what: `ingest floor: document + q index + history per message, raw SQLite, ${s.devices * s.window} msgs/commit`,
    figure: median(figures.floor),
    unit: 'points/s',
    baseline: median(figures.sqlite),
    baselineWhat: 'raw batched SQLite inserts',
    baselineUnit: 'rows/s',
    better: 'higher',
    reps: figures.floor,
    problems: [],
  });
  // Both on one machine: the target's rate leaves this much CPU per message for server and
  // generator together; above it, no spreading of today's work over threads can meet the target.
  const budget = budgetMicrosPerUnit({
    cores: availableParallelism(),
    unitsPerSec: TARGET / POINTS_PER_MESSAGE,
  });
  for (const [phase, list] of [
    ['MQTT', figures.mqttCpu],
    ['HTTP batch', figures.httpCpu],
  ])
    rows.push({
      what: `CPU per message, ${phase}: server + load generator (µs, all cores)`,
      figure: median(list),
      unit: 'µs/msg',
      baseline: budget,
      baselineWhat: `the machine's CPU per message at ${TARGET.toLocaleString('en-US')} points/s`,
      better: 'lower',
      reps: list,
      problems: [],
    });
  return { rows, details };
}

/** Publish steadily for `seconds`, sampling the server's RSS every 10 s (memory must stay flat). */
async function soak(mqttPort, urbis, devices, s, seconds, log) {
  const samples = [];
  const sampler = setInterval(
    () => samples.push({ t: samples.length * 10, rssMiB: usage(urbis.pid).rssMiB }),
    10_000,
  );
  try {
    const m = await mqttPhase(mqttPort, devices, { ...s, mqttS: seconds }, (d) => d.token);
    await sleep(100);
    const first = samples.slice(0, 6).map((x) => x.rssMiB);
    const last = samples.slice(-6).map((x) => x.rssMiB);
    const out = {
      seconds,
      pointsPerSec: m.pointsPerSec,
      samples,
      firstMinuteRssMiB: median(first),
      lastMinuteRssMiB: median(last),
    };
    log(
      `soak: ${Math.round(m.pointsPerSec)} points/s over ${seconds} s; RSS ${Math.round(out.firstMinuteRssMiB)} → ${Math.round(out.lastMinuteRssMiB)} MiB`,
    );
    return out;
  } finally {
    clearInterval(sampler);
  }
}
