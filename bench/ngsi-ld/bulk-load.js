/**
 * Batch upsert figure of the NGSI-LD suite, and the data load for the query figures: N
 * WasteContainers sent as POST /ngsi-ld/v1/entityOperations/upsert in 1,000-entity batches. The
 * load is cut into segments; each segment is one repetition, run right after the bare-SQLite
 * baseline inserts the very same JSON documents into its own table and the write floor writes the
 * rows those entities must index (bench/lib/write-floor.js), so the figures of a segment saw the
 * same machine at the same moment and the same table size.
 */
import { performance } from 'node:perf_hooks';
import { cpuPerUnit, withCpu } from '../lib/cpu-budget.js';
import { wasteContainer } from '../lib/entities.js';
import { latencySummary } from '../lib/stats.js';

const UPSERT = '/ngsi-ld/v1/entityOperations/upsert';

/**
 * Send pre-serialised batches with `concurrency` in flight (2 keeps the server busy while the
 * client reads an answer and writes the next request).
 * @returns {Promise<{ seconds: number, accepted: number, batchMs: number[], problems: string[] }>}
 */
async function sendBatches(client, batches, concurrency) {
  let next = 0;
  let accepted = 0;
  const batchMs = [];
  const problems = [];
  const t0 = performance.now();
  async function worker() {
    while (next < batches.length) {
      const { json, size } = batches[next++];
      const b0 = performance.now();
      const res = await client.postJson(UPSERT, json);
      batchMs.push(performance.now() - b0);
      if (res.status === 201 || res.status === 204) {
        accepted += size;
      } else if (res.status === 207) {
        const r = JSON.parse(res.body);
        accepted += r.success.length;
        if (problems.length < 3)
          problems.push(`207 with ${r.errors.length} errors, first: ${JSON.stringify(r.errors[0])}`);
      } else if (problems.length < 3) {
        problems.push(`status ${res.status}: ${res.body.slice(0, 300)}`);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { seconds: (performance.now() - t0) / 1000, accepted, batchMs, problems };
}

/**
 * Load `total` WasteContainers in `segments` repetitions, each preceded by its SQLite baseline.
 * Stops after the segment during which `maxMs` ran out (the queries then run over fewer entities,
 * and the report says so).
 * @param {object} o
 * @param {ReturnType<import('../lib/http.js').httpClient>} o.client
 * @param {number} o.serverPid the server's process, whose CPU per entity is measured
 * @param {import('../lib/sqlite-baseline.js').SqliteBaseline} o.baseline
 * @param {import('../lib/write-floor.js').WriteFloor} o.floor
 * @param {number} o.total entities to load
 * @param {number} o.segments repetitions
 * @param {number} o.batchSize entities per upsert request (1,000)
 * @param {number} o.concurrency upsert requests in flight
 * @param {() => number} o.rnd the data set's generator
 * @param {object} o.box where the containers stand
 * @param {number} o.maxMs cap on the whole load
 * @param {import('../lib/cpu-profile.js').PhaseClock} o.clock marks when each segment was sent
 * @param {(msg: string) => void} o.log
 */
export async function bulkLoadPhase({
  client,
  serverPid,
  baseline,
  floor,
  total,
  segments,
  batchSize,
  concurrency,
  rnd,
  box,
  maxMs,
  clock,
  log,
}) {
  const perSegment = Math.ceil(total / segments);
  const start = performance.now();
  const reps = [];
  const problems = [];
  let loaded = 0;
  for (let s = 0; s < segments && loaded < total; s++) {
    const from = s * perSegment;
    const to = Math.min(total, from + perSegment);
    // Build everything before any clock starts: the client's JSON work is not the server's.
    const entities = [];
    for (let n = from; n < to; n++) entities.push(wasteContainer(n, rnd, box));
    const rows = entities.map((e) => ({ id: e.id, type: e.type, doc: JSON.stringify(e) }));
    const batches = [];
    for (let i = 0; i < entities.length; i += batchSize) {
      const chunk = entities.slice(i, i + batchSize);
      batches.push({ json: JSON.stringify(chunk), size: chunk.length });
    }

    const base = baseline.insertRows(rows, batchSize);
    const least = floor.insertEntities(entities, batchSize);
    floor.checkpoint();
    const measured = await withCpu(serverPid, () =>
      clock.time('upsert', () => sendBatches(client, batches, concurrency)),
    );
    const up = measured.result;
    loaded += up.accepted;
    problems.push(...up.problems);
    if (up.accepted !== entities.length)
      problems.push(`segment ${s + 1}: ${up.accepted} of ${entities.length} accepted`);
    const batchLatency = latencySummary(up.batchMs);
    reps.push({
      entities: entities.length,
      seconds: up.seconds,
      entitiesPerSec: up.accepted / up.seconds,
      batchMs: { p50: batchLatency.p50, max: batchLatency.max },
      baselineRowsPerSec: base.rowsPerSec,
      floorEntitiesPerSec: least.entitiesPerSec,
      cpu: cpuPerUnit(measured.serverCpuS, measured.generatorCpuS, Math.max(1, up.accepted)),
    });
    log(
      `upsert segment ${s + 1}/${segments}: ${(up.accepted / up.seconds).toFixed(0)} entities/s ` +
        `(batch p50 ${batchLatency.p50.toFixed(0)} ms); bare SQLite ${base.rowsPerSec.toFixed(0)} rows/s; ` +
        `write floor ${least.entitiesPerSec.toFixed(0)} entities/s; ${loaded} loaded`,
    );
    if (performance.now() - start > maxMs && to < total) {
      problems.push(`load stopped at ${loaded} entities: over its ${Math.round(maxMs / 1000)} s cap`);
      break;
    }
  }
  return { reps, loaded, problems };
}
