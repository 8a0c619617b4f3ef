/**
 * The `temporal` suite: the NGSI-LD temporal API of a real `urbis serve` process, each figure beside
 * the bare node:http round trip measured in the same run.
 *
 *   hourly avg over 1 month of minutes (43,200 instances)     p95 ms (2 clients)   target ≤ 20 ms
 *   hourly avg, 1,000 entities × 1 day of minutes (1.44M)     p95 ms (2 clients)
 *   raw instances, 100 entities × 1 day of minutes per page   p95 ms (2 clients)
 *   history load through POST /temporal/entities              instances/s
 *
 * Every answer is checked: the first bucket's average against the value computed here from the
 * same generator, the number of buckets and of instances. See bench/README.md.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { URLSearchParams } from 'node:url';
import { seededRandom } from './lib/entities.js';
import { httpClient } from './lib/http.js';
import { measureLatency } from './lib/latency.js';
import { startHello, startUrbis } from './lib/processes.js';
import { SqliteBaseline } from './lib/sqlite-baseline.js';
import { median } from './lib/stats.js';

const SETTINGS = {
  full: { monthMinutes: 43_200, sensors: 1000, dayMinutes: 1440, requests: 200, wideRequests: 20 },
  quick: { monthMinutes: 4_320, sensors: 50, dayMinutes: 240, requests: 40, wideRequests: 5 },
};
const TARGET_P95_MS = 20;
const CLIENTS = 2;
const MAX_MS_PER_REP = 60_000;
/** Instances per POST while loading (the body stays well under the 8 MiB default limit). */
const CHUNK = 5000;
const T0 = Date.parse('2026-11-01T00:00:00Z');
const MINUTE = 60_000;
const TEMPORAL = '/ngsi-ld/v1/temporal/entities';
const HOUR = 3_600_000;

export const suite = {
  name: 'temporal',
  describe: 'NGSI-LD temporal API: hourly aggregates over a month of minute data and over 1,000 sensors',
  budgetMs: 9.5 * 60_000,
  run,
};

/** The value of sensor `s` at minute `m`: a daily wave plus seeded noise (reproducible here and there). */
function series(seed, minutes) {
  const rnd = seededRandom(seed);
  const out = new Float64Array(minutes);
  for (let m = 0; m < minutes; m++)
    out[m] = Math.round((20 + 10 * Math.sin((2 * Math.PI * m) / 1440) + 5 * rnd()) * 100) / 100;
  return out;
}

/** POST the history of one entity in chunks: the first creates the temporal entity, the rest add to it. */
async function loadHistory(client, id, type, values) {
  for (let from = 0; from < values.length; from += CHUNK) {
    const instances = [];
    for (let m = from; m < Math.min(values.length, from + CHUNK); m++)
      instances.push({
        type: 'Property',
        value: values[m],
        observedAt: new Date(T0 + m * MINUTE).toISOString(),
      });
    const [path, body] =
      from === 0
        ? [TEMPORAL, { id, type, pm25: instances }]
        : [`${TEMPORAL}/${encodeURIComponent(id)}/attrs`, { pm25: instances }];
    const res = await client.postJson(path, JSON.stringify(body));
    if (res.status !== 201 && res.status !== 204)
      throw new Error(`loading ${id}: ${path} answered ${res.status}: ${res.body.slice(0, 300)}`);
  }
}

const avgOfHour = (values, hour) => {
  let sum = 0;
  for (let m = hour * 60; m < hour * 60 + 60; m++) sum += values[m];
  return sum / 60;
};

/**
 * Run the suite.
 * @param {import('./run.js').SuiteContext} ctx
 */
async function run(ctx) {
  const { cleanup, log } = ctx;
  const s = ctx.quick ? SETTINGS.quick : SETTINGS.full;
  const tmp = mkdtempSync(join(tmpdir(), 'urbis-bench-temporal-'));
  cleanup.removeDir(tmp);
  const hello = await startHello({ cleanup });
  const urbis = await startUrbis({ dataDir: join(tmp, 'data'), cleanup });
  const client = httpClient(urbis.url, { maxSockets: 4, apiKey: urbis.apiKey });
  const helloClient = httpClient(hello.url, { maxSockets: 4 });
  cleanup.add('close http clients', async () => {
    client.close();
    helloClient.close();
  });
  const problems = { month: [], wide: [], raw: [], load: [] };

  // 1. Load: one sensor with a month of minutes, then `sensors` sensors with a day of minutes.
  const month = series(1, s.monthMinutes);
  const monthId = 'urn:ngsi-ld:AirQualityObserved:bench-month';
  let t = performance.now();
  await loadHistory(client, monthId, 'AirQualityObserved', month);
  const monthLoadS = (performance.now() - t) / 1000;
  log(`loaded ${s.monthMinutes} instances of one attribute in ${monthLoadS.toFixed(1)} s`);
  const days = [];
  t = performance.now();
  for (let i = 0; i < s.sensors; i++) {
    const values = series(100 + i, s.dayMinutes);
    days.push(values);
    await loadHistory(client, `urn:ngsi-ld:BenchSensor:${String(i).padStart(4, '0')}`, 'BenchSensor', values);
  }
  const dayLoadS = (performance.now() - t) / 1000;
  const loadRate = (s.sensors * s.dayMinutes) / dayLoadS;
  log(
    `loaded ${s.sensors} × ${s.dayMinutes} instances in ${dayLoadS.toFixed(1)} s (${Math.round(loadRate)}/s)`,
  );
  // Baseline of the load: the same number of small rows inserted raw into SQLite (WAL, NORMAL).
  const baseline = new SqliteBaseline(join(tmp, 'baseline.sqlite'));
  const rawRows = Array.from({ length: s.sensors * s.dayMinutes }, (_, n) => ({
    id: `s${n % s.sensors}:${n}`,
    type: 'pm25',
    doc: String(days[n % s.sensors][Math.floor(n / s.sensors)]),
  }));
  const raw = baseline.insertRows(rawRows, CHUNK);
  baseline.close();

  // 2. The queries, each checked once before it is timed.
  const rnd = seededRandom(7);
  const monthHours = Math.floor(s.monthMinutes / 60);
  const kinds = [
    {
      key: 'month',
      what: `hourly avg over ${s.monthMinutes.toLocaleString('en')} minute instances`,
      requests: s.requests,
      target: TARGET_P95_MS,
      // Start on a random hour of the first day: no two requests are alike, the month stays whole.
      make: () => {
        const h = Math.floor(rnd() * 24);
        return {
          h,
          path: aggregatePath(
            `${TEMPORAL}/${encodeURIComponent(monthId)}`,
            T0 + h * HOUR,
            T0 + s.monthMinutes * MINUTE,
          ),
        };
      },
      check: (body, { h }) => {
        const avg = JSON.parse(body).pm25?.avg;
        if (!Array.isArray(avg) || avg.length !== monthHours - h)
          return `expected ${monthHours - h} buckets, got ${avg?.length}`;
        return (
          near(avg[0][0], avgOfHour(month, h)) || `first bucket avg ${avg[0][0]} ≠ ${avgOfHour(month, h)}`
        );
      },
    },
    {
      key: 'wide',
      what: `hourly avg, ${s.sensors} entities × ${s.dayMinutes} minutes`,
      requests: s.wideRequests,
      make: () => ({
        path: `${aggregatePath(TEMPORAL, T0, T0 + s.dayMinutes * MINUTE)}&type=BenchSensor&limit=${Math.min(1000, s.sensors)}`,
      }),
      check: (body) => {
        const list = JSON.parse(body);
        if (!Array.isArray(list) || list.length !== Math.min(1000, s.sensors))
          return `expected ${s.sensors} entities, got ${list.length}`;
        const e = list[0];
        return (
          near(e.pm25?.avg?.[0]?.[0], avgOfHour(days[0], 0)) || `entity 0 hour 0 avg ${e.pm25?.avg?.[0]?.[0]}`
        );
      },
    },
    {
      key: 'raw',
      what: `raw instances, 100 entities × ${s.dayMinutes} minutes per page`,
      requests: s.wideRequests,
      make: () => {
        const offset = Math.floor(rnd() * Math.max(1, s.sensors - 100));
        const q = new URLSearchParams({
          type: 'BenchSensor',
          timerel: 'between',
          timeAt: new Date(T0).toISOString(),
          endTimeAt: new Date(T0 + s.dayMinutes * MINUTE).toISOString(),
          limit: '100',
          offset: String(offset),
        });
        return { path: `${TEMPORAL}?${q}`, offset };
      },
      check: (body, { offset }) => {
        const list = JSON.parse(body);
        const e = list[0];
        const values = e?.pm25;
        if (!Array.isArray(values) || values.length !== s.dayMinutes)
          return `expected ${s.dayMinutes} instances, got ${values?.length}`;
        return (
          near(values[0].value, days[offset][0]) || `first instance ${values[0].value} ≠ ${days[offset][0]}`
        );
      },
    },
  ];
  for (const k of kinds) {
    const m = k.make();
    const res = await client.get(m.path);
    const verdict =
      res.status === 200 ? k.check(res.body, m) : `status ${res.status}: ${res.body.slice(0, 300)}`;
    if (verdict !== true) problems[k.key].push(`check: ${verdict}`);
  }

  const out = { hello: [] };
  for (const k of kinds) out[k.key] = [];
  for (let rep = 1; rep <= ctx.reps; rep++) {
    const h = await measureLatency({
      client: helloClient,
      clients: CLIENTS,
      requests: s.requests,
      nextPath: () => '/',
      maxMs: MAX_MS_PER_REP,
    });
    out.hello.push(h);
    const line = [`rep ${rep}/${ctx.reps}: hello p95 ${h.p95.toFixed(2)} ms`];
    for (const k of kinds) {
      const r = await measureLatency({
        client,
        clients: CLIENTS,
        requests: k.requests,
        nextPath: () => k.make().path,
        maxMs: MAX_MS_PER_REP,
      });
      out[k.key].push(r);
      if (r.failed > 0) problems[k.key].push(`rep ${rep}: non-200 answers ${JSON.stringify(r.statusCounts)}`);
      if (r.capped)
        problems[k.key].push(`rep ${rep}: only ${r.n} of ${k.requests} requests within ${MAX_MS_PER_REP} ms`);
      line.push(`${k.key} p95 ${r.p95.toFixed(1)} ms`);
    }
    log(line.join(', '));
  }
  await urbis.stop();

  const helloP95 = median(out.hello.map((r) => r.p95));
  const rows = kinds.map((k) => ({
    what: `${k.what} (p95, ${CLIENTS} clients)`,
    figure: median(out[k.key].map((r) => r.p95)),
    unit: 'ms',
    baseline: helloP95,
    baselineWhat: 'node:http hello',
    better: 'lower',
    ...(k.target === undefined ? {} : { target: k.target }),
    reps: out[k.key].map((r) => r.p95),
    p50: median(out[k.key].map((r) => r.p50)),
    problems: problems[k.key],
  }));
  rows.push({
    what: `history load, POST ${CHUNK} instances/request`,
    figure: loadRate,
    unit: 'instances/s',
    baseline: raw.rowsPerSec,
    baselineWhat: 'bare SQLite inserts',
    baselineUnit: 'rows/s',
    better: 'higher',
    reps: [loadRate],
    problems: problems.load,
  });
  return {
    rows,
    details: {
      settings: s,
      monthLoadS,
      dayLoadS,
      hello: out.hello,
      ...Object.fromEntries(kinds.map((k) => [k.key, out[k.key]])),
    },
  };
}

/** GET path of an hourly average between two instants. */
function aggregatePath(base, from, to) {
  const q = new URLSearchParams({
    options: 'aggregatedValues',
    aggrMethods: 'avg',
    aggrPeriodDuration: 'PT1H',
    timerel: 'between',
    timeAt: new Date(from).toISOString(),
    endTimeAt: new Date(to).toISOString(),
    attrs: 'pm25',
  });
  return `${base}${base.includes('?') ? '&' : '?'}${q}`;
}

const near = (a, b) => typeof a === 'number' && Math.abs(a - b) < 1e-6;
