/**
 * The `ngsi-ld` suite: the NGSI-LD core API of a real `urbis serve` process, each figure beside a
 * baseline measured in the same run (a bare node:http server; raw better-sqlite3 inserts).
 *
 *   create entity, c=32        req/s, p50/p99        vs node:http hello req/s   target ≥ 10,000 req/s
 *   retrieve by id, c=32       req/s                 vs node:http hello req/s
 *   batch upsert (1,000/req)   entities/s            vs bare SQLite rows/s      target ≥ 50,000 /s
 *   type+q over 100k           p95 ms (4 clients)    vs node:http hello p95     target ≤ 20 ms
 *   near over 100k             p95 ms (4 clients)    vs node:http hello p95     target ≤ 20 ms
 *   CPU per create / per upserted entity (server + load generator)  µs   vs the machine's CPU per unit at the target
 *
 * Figures are medians of the repetitions; each repetition of a figure runs right after one of its
 * baseline. See bench/README.md.
 */
import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { budgetMicrosPerUnit } from './lib/cpu-budget.js';
import { airQualityObserved, cityBox, seededRandom } from './lib/entities.js';
import { PhaseClock, formatHotSpots, hotSpots, profilesIn } from './lib/cpu-profile.js';
import { httpClient } from './lib/http.js';
import { startHello, startUrbis } from './lib/processes.js';
import { settle } from './lib/settle.js';
import { SqliteBaseline } from './lib/sqlite-baseline.js';
import { WriteFloor } from './lib/write-floor.js';
import { median } from './lib/stats.js';
import { bulkLoadPhase } from './ngsi-ld/bulk-load.js';
import { queryPhase } from './ngsi-ld/queries.js';
import { throughputPhase } from './ngsi-ld/throughput.js';

/** Settings of a full run (the figures) and of `--quick` (a smoke test of the harness). */
const SETTINGS = {
  full: {
    durationS: 5,
    warmupS: 1,
    connections: 32,
    entities: 100_000,
    segments: 5,
    batchSize: 1000,
    upsertConcurrency: 2,
    loadMaxMs: 240_000,
    latencyRequests: 400,
    latencyClients: 4,
    latencyMaxMsPerRep: 15_000,
  },
  quick: {
    durationS: 1,
    warmupS: 1,
    connections: 32,
    entities: 10_000,
    segments: 3,
    batchSize: 1000,
    upsertConcurrency: 2,
    loadMaxMs: 60_000,
    latencyRequests: 100,
    latencyClients: 4,
    latencyMaxMsPerRep: 5_000,
  },
};

/**
 * The durability the baseline runs with. It should match the store's (WAL with
 * synchronous=NORMAL: a commit is durable across a process crash, and across power loss up to the
 * last checkpoint — as src/store/sqlite/sqlite-store.ts sets it), or the ratio compares different
 * promises.
 */
const BASELINE_SYNCHRONOUS = 'NORMAL';

const TARGETS = { createReqPerSec: 10_000, upsertEntitiesPerSec: 50_000, queryP95Ms: 20 };

/** The suite, as bench/run.js expects it. */
export const suite = {
  name: 'ngsi-ld',
  describe: 'NGSI-LD core API: create, retrieve, batch upsert, type+q and near queries over 100k entities',
  budgetMs: 9.5 * 60_000,
  run,
};

/**
 * Run the suite.
 * @param {import('./run.js').SuiteContext} ctx
 */
async function run(ctx) {
  const { cleanup, log } = ctx;
  const s = ctx.quick ? SETTINGS.quick : SETTINGS.full;
  const reps = ctx.reps;
  const box = cityBox();

  const tmp = mkdtempSync(join(tmpdir(), 'urbis-bench-'));
  cleanup.removeDir(tmp);
  const cpuProfDir = ctx.cpuProf ? mkdtempSync(join(tmpdir(), 'urbis-bench-prof-')) : undefined;

  log(`temp dir ${tmp}; starting the servers`);
  const hello = await startHello({ cleanup });
  const urbis = await startUrbis({ dataDir: join(tmp, 'data'), cleanup, cpuProfDir });
  const urbisClient = httpClient(urbis.url, { maxSockets: 8, apiKey: urbis.apiKey });
  const helloClient = httpClient(hello.url, { maxSockets: 8 });
  cleanup.add('close http clients', async () => {
    urbisClient.close();
    helloClient.close();
  });
  log(`urbis pid ${urbis.pid} at ${urbis.url}; hello pid ${hello.pid} at ${hello.url}`);

  const clock = new PhaseClock();

  // 1. create and retrieve, interleaved with the HTTP baseline.
  const tp = await throughputPhase({
    urbisUrl: urbis.url,
    urbisPid: urbis.pid,
    apiKey: urbis.apiKey,
    helloUrl: hello.url,
    reps,
    durationS: s.durationS,
    warmupS: s.warmupS,
    connections: s.connections,
    rnd: seededRandom(2),
    box,
    clock,
    log,
  });
  const countRes = await urbisClient.get('/ngsi-ld/v1/entities?type=AirQualityObserved&count=true&limit=1');
  if (countRes.status !== 200)
    tp.problems.create.push(`count query answered ${countRes.status}: ${countRes.body}`);
  const stored = Number(countRes.headers['ngsild-results-count']);
  const answered201 = tp.created.length;
  // A load ends with up to `connections` requests in flight, which the server may still complete.
  const allowance = s.connections * (reps + 1);
  if (!(stored >= answered201 && stored <= answered201 + allowance)) {
    tp.problems.create.push(`store holds ${stored} AirQualityObserved after ${answered201} answers 201`);
  }
  log(`create check: ${answered201} answered 201, ${stored} stored`);

  // The create floor (not Urbis): the rows one AirQualityObserved must write, in transactions of
  // `connections` entities — the most creates ever in flight, so no group commit of Urbis is larger —
  // as many per repetition as Urbis created in it, so that both write into tables of the same size.
  const createFloor = new WriteFloor(join(tmp, 'create-floor.sqlite'), { synchronous: BASELINE_SYNCHRONOUS });
  cleanup.add('close create-floor db', async () => createFloor.close());
  const floorRnd = seededRandom(4);
  const createFloorReps = [];
  for (let rep = 1; rep <= reps; rep++) {
    const count = Math.max(1000, Math.round(tp.create[rep - 1].reqPerSec * s.durationS));
    const entities = Array.from({ length: count }, (_, n) =>
      airQualityObserved(`urn:ngsi-ld:AirQualityObserved:floor-${rep}-${n}`, floorRnd, box),
    );
    createFloorReps.push(createFloor.insertEntities(entities, s.connections).entitiesPerSec);
    createFloor.checkpoint();
  }
  createFloor.close();
  log(`create floor: ${Math.round(median(createFloorReps))} entities/s in ${s.connections}-entity commits`);

  // 2. batch upsert, interleaved with the SQLite baseline; loads the data set for the queries.
  const baseline = new SqliteBaseline(join(tmp, 'baseline.sqlite'), { synchronous: BASELINE_SYNCHRONOUS });
  cleanup.add('close baseline db', async () => baseline.close());
  const floor = new WriteFloor(join(tmp, 'floor.sqlite'), { synchronous: BASELINE_SYNCHRONOUS });
  cleanup.add('close write-floor db', async () => floor.close());
  const load = await bulkLoadPhase({
    client: urbisClient,
    serverPid: urbis.pid,
    baseline,
    floor,
    total: s.entities,
    segments: s.segments,
    batchSize: s.batchSize,
    concurrency: s.upsertConcurrency,
    rnd: seededRandom(1),
    box,
    maxMs: s.loadMaxMs,
    clock,
    log,
  });

  floor.close();

  // 3. query latency over the loaded containers, interleaved with the HTTP baseline — once the
  // server has finished the load's own aftermath (checkpoints, garbage collection).
  const quiet = await settle(urbis.pid);
  log(`server ${quiet.settled ? 'quiet' : 'still busy'} after ${(quiet.ms / 1000).toFixed(1)} s`);
  const q = await queryPhase({
    urbis: urbisClient,
    hello: helloClient,
    reps,
    requests: s.latencyRequests,
    clients: s.latencyClients,
    maxMsPerRep: s.latencyMaxMsPerRep,
    rnd: seededRandom(3),
    box,
    clock,
    log,
  });

  // Stop the server now, so that a CPU profile is written before we read it.
  await urbis.stop();
  const profile = cpuProfDir === undefined ? undefined : profileByPhase(cpuProfDir, clock, log);

  const rows = buildRows({ s, tp, load, q, createFloorReps });
  const details = {
    settings: s,
    reps,
    baselineSynchronous: BASELINE_SYNCHRONOUS,
    box,
    create: { answered201, stored, warmupAnswered201: tp.warmupCreated, reps: tp.create },
    createFloor: { perCommit: s.connections, reps: createFloorReps },
    retrieve: { reps: tp.retrieve },
    helloLoad: { reps: tp.hello },
    upsert: { loaded: load.loaded, reps: load.reps },
    settleBeforeQueries: quiet,
    queries: {
      matchesOfTypicalRequest: q.matches,
      hello: q.hello,
      ...Object.fromEntries(q.kinds.map((k) => [k.key, { what: k.what, reps: q[k.key] }])),
    },
    ...(profile === undefined ? {} : { cpuProfile: profile }),
  };
  return { rows, details };
}

/** The server's hot spots during each measured phase (its profile sliced by the phases' windows). */
function profileByPhase(dir, clock, log) {
  const [file] = profilesIn(dir);
  if (file === undefined) {
    log(`no CPU profile was written to ${dir}`);
    return undefined;
  }
  const phases = {};
  for (const [phase, windows] of clock.phases) {
    phases[phase] = hotSpots(file, { top: 12, windows });
    log(`server CPU during ${phase}:\n${formatHotSpots(phases[phase])}`);
  }
  log(`CPU profile of the server: ${file}`);
  return { file, phases };
}

/** The table rows: medians of repetitions, baselines, targets and whatever went wrong. */
function buildRows({ s, tp, load, q, createFloorReps }) {
  const c = s.connections;
  const helloRps = median(tp.hello.map((r) => r.reqPerSec));
  const http = 'node:http hello';
  const rows = [
    {
      what: `create entity, c=${c}`,
      figure: median(tp.create.map((r) => r.reqPerSec)),
      unit: 'req/s',
      baseline: helloRps,
      baselineWhat: http,
      better: 'higher',
      target: TARGETS.createReqPerSec,
      reps: tp.create.map((r) => r.reqPerSec),
      problems: tp.problems.create,
    },
    {
      // Not Urbis: the ceiling under any SQLite create path that indexes q, geo and history.
      what: `create floor: the same rows in ${c}-entity commits, raw SQLite`,
      figure: median(createFloorReps),
      unit: 'entities/s',
      better: 'higher',
      reps: createFloorReps,
      problems: [],
    },
    {
      what: `create entity, c=${c}, p50 latency`,
      figure: median(tp.create.map((r) => r.latencyMs.p50)),
      unit: 'ms',
      baseline: median(tp.hello.map((r) => r.latencyMs.p50)),
      baselineWhat: http,
      better: 'lower',
      reps: tp.create.map((r) => r.latencyMs.p50),
    },
    {
      what: `create entity, c=${c}, p99 latency`,
      figure: median(tp.create.map((r) => r.latencyMs.p99)),
      unit: 'ms',
      baseline: median(tp.hello.map((r) => r.latencyMs.p99)),
      baselineWhat: http,
      better: 'lower',
      reps: tp.create.map((r) => r.latencyMs.p99),
    },
    {
      what: `retrieve by id, c=${c}`,
      figure: median(tp.retrieve.map((r) => r.reqPerSec)),
      unit: 'req/s',
      baseline: helloRps,
      baselineWhat: http,
      better: 'higher',
      reps: tp.retrieve.map((r) => r.reqPerSec),
      problems: tp.problems.retrieve,
    },
    {
      what: `batch upsert, ${s.batchSize}/request`,
      figure: median(load.reps.map((r) => r.entitiesPerSec)),
      unit: 'entities/s',
      baseline: median(load.reps.map((r) => r.baselineRowsPerSec)),
      baselineWhat: 'bare SQLite inserts',
      baselineUnit: 'rows/s',
      better: 'higher',
      target: TARGETS.upsertEntitiesPerSec,
      reps: load.reps.map((r) => r.entitiesPerSec),
      problems: load.problems,
    },
    {
      // Not Urbis: the ceiling under any SQLite write path that indexes q, geo and history.
      what: 'write floor: doc + q index + R*Tree + history rows, raw SQLite',
      figure: median(load.reps.map((r) => r.floorEntitiesPerSec)),
      unit: 'entities/s',
      baseline: median(load.reps.map((r) => r.baselineRowsPerSec)),
      baselineWhat: 'bare SQLite inserts',
      baselineUnit: 'rows/s',
      better: 'higher',
      reps: load.reps.map((r) => r.floorEntitiesPerSec),
      problems: [],
    },
  ];
  // Server and load generator share the machine: at the target's rate this is all the CPU one
  // create (one upserted entity) may cost; above it, no spreading of the work over threads can meet it.
  const cores = availableParallelism();
  const createCpu = tp.create.map((r) => r.cpu.total);
  const upsertCpu = load.reps.map((r) => r.cpu.total);
  rows.push(
    {
      what: `CPU per create, c=${c}: server + load generator (µs, all cores)`,
      figure: median(createCpu),
      unit: 'µs/req',
      baseline: budgetMicrosPerUnit({ cores, unitsPerSec: TARGETS.createReqPerSec }),
      baselineWhat: `the machine's CPU per request at ${TARGETS.createReqPerSec.toLocaleString('en-US')} req/s`,
      better: 'lower',
      reps: createCpu,
      problems: [],
    },
    {
      what: `CPU per upserted entity, ${s.batchSize}/request: server + load generator (µs, all cores)`,
      figure: median(upsertCpu),
      unit: 'µs/entity',
      baseline: budgetMicrosPerUnit({ cores, unitsPerSec: TARGETS.upsertEntitiesPerSec }),
      baselineWhat: `the machine's CPU per entity at ${TARGETS.upsertEntitiesPerSec.toLocaleString('en-US')}/s`,
      better: 'lower',
      reps: upsertCpu,
      problems: [],
    },
  );
  const helloP95 = median(q.hello.map((r) => r.p95));
  const over = `${Math.round(load.loaded / 1000)}k`;
  for (const k of q.kinds) {
    const runs = q[k.key];
    rows.push({
      what: `${k.what}, ${over} (p95, ${s.latencyClients} clients)`,
      figure: median(runs.map((r) => r.p95)),
      unit: 'ms',
      baseline: helloP95,
      baselineWhat: http,
      better: 'lower',
      target: TARGETS.queryP95Ms,
      reps: runs.map((r) => r.p95),
      p50: median(runs.map((r) => r.p50)),
      p99: median(runs.map((r) => r.p99)),
      matches: q.matches[k.key],
      problems: q.problems[k.key],
    });
  }
  return rows;
}
