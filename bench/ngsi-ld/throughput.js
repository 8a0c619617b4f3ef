/**
 * Throughput figures of the NGSI-LD suite: create entity and retrieve by id at concurrency 32,
 * each repetition run right after a repetition of the bare `node:http` baseline, so that every
 * ratio compares runs that saw the same machine at the same moment.
 */
import { airQualityObserved } from '../lib/entities.js';
import { cpuPerUnit, withCpu } from '../lib/cpu-budget.js';
import { runLoad } from '../lib/load.js';

const ENTITIES = '/ngsi-ld/v1/entities';

/**
 * A create-entity load: POST /ngsi-ld/v1/entities with a new AirQualityObserved id per request
 * (a counter, so ids are unique across connections and repetitions). The path of every entity
 * answered with 201 — its Location — is kept for the retrieve load.
 * @param {{ rnd: () => number, box: object, created: string[], baseUrl: string }} o
 */
function createRequests({ rnd, box, created, baseUrl }) {
  let seq = 0;
  return [
    {
      method: 'POST',
      path: ENTITIES,
      headers: { 'content-type': 'application/json' },
      setupRequest: (req) => {
        const id = `urn:ngsi-ld:AirQualityObserved:aq-${seq++}`;
        req.body = JSON.stringify(airQualityObserved(id, rnd, box));
        return req;
      },
      onResponse: (status, _body, _context, headers) => {
        if (status !== 201) return;
        const location = headers.location ?? headers.Location;
        if (typeof location === 'string') created.push(new URL(location, baseUrl).pathname);
      },
    },
  ];
}

/**
 * A retrieve-by-id load: GET /ngsi-ld/v1/entities/{id} of a random entity created before.
 * @param {{ rnd: () => number, created: string[] }} o
 */
function retrieveRequests({ rnd, created }) {
  return [
    {
      method: 'GET',
      path: ENTITIES,
      setupRequest: (req) => {
        req.path = created[Math.floor(rnd() * created.length)];
        return req;
      },
    },
  ];
}

/** Anything in a load summary that makes the figure suspect: non-2xx, errors, timeouts. */
function problemsOf(label, s, okStatus) {
  const out = [];
  const other = Object.entries(s.statusCounts).filter(([code]) => code !== String(okStatus));
  if (other.length > 0)
    out.push(`${label}: answers other than ${okStatus}: ${JSON.stringify(Object.fromEntries(other))}`);
  if (s.errors > 0) out.push(`${label}: ${s.errors} connection errors`);
  if (s.timeouts > 0) out.push(`${label}: ${s.timeouts} timeouts`);
  return out;
}

/**
 * Run the throughput repetitions.
 * @param {object} o
 * @param {string} o.urbisUrl
 * @param {number} o.urbisPid the server's process, whose CPU per create is measured
 * @param {string} o.apiKey Urbis's key, sent with every request to it (not to the baseline)
 * @param {string} o.helloUrl
 * @param {number} o.reps
 * @param {number} o.durationS seconds per load
 * @param {number} o.warmupS seconds of unmeasured warm-up per load (JIT, SQLite page cache)
 * @param {number} o.connections
 * @param {() => number} o.rnd
 * @param {object} o.box
 * @param {import('../lib/cpu-profile.js').PhaseClock} o.clock marks when each load ran
 * @param {(msg: string) => void} o.log
 * @returns {Promise<{ hello: object[], create: object[], retrieve: object[], created: string[], problems: { create: string[], retrieve: string[] } }>}
 */
export async function throughputPhase({
  urbisUrl,
  urbisPid,
  apiKey,
  helloUrl,
  reps,
  durationS,
  warmupS,
  connections,
  rnd,
  box,
  clock,
  log,
}) {
  const created = [];
  const create = createRequests({ rnd, box, created, baseUrl: urbisUrl });
  const retrieve = retrieveRequests({ rnd, created });
  const out = { hello: [], create: [], retrieve: [], created, problems: { create: [], retrieve: [] } };

  log(`warm-up: ${warmupS} s each of hello, create, retrieve`);
  await runLoad({ url: helloUrl, connections, durationS: warmupS });
  const wc = await runLoad({ url: urbisUrl, apiKey, connections, durationS: warmupS, requests: create });
  out.problems.create.push(...problemsOf('warm-up', wc, 201));
  if (created.length === 0)
    throw new Error(`create warm-up stored nothing: ${JSON.stringify(wc.statusCounts)}`);
  await runLoad({ url: urbisUrl, apiKey, connections, durationS: warmupS, requests: retrieve });
  out.warmupCreated = wc.statusCounts['201'] ?? 0;

  for (let rep = 1; rep <= reps; rep++) {
    const h = await runLoad({ url: helloUrl, connections, durationS });
    const measured = await withCpu(urbisPid, () =>
      clock.time('create', () =>
        runLoad({ url: urbisUrl, apiKey, connections, durationS, requests: create }),
      ),
    );
    const c = measured.result;
    c.cpu = cpuPerUnit(measured.serverCpuS, measured.generatorCpuS, Math.max(1, c.total));
    const r = await clock.time('retrieve', () =>
      runLoad({ url: urbisUrl, apiKey, connections, durationS, requests: retrieve }),
    );
    out.hello.push(h);
    out.create.push(c);
    out.retrieve.push(r);
    out.problems.create.push(...problemsOf(`rep ${rep}`, c, 201));
    out.problems.retrieve.push(...problemsOf(`rep ${rep}`, r, 200));
    log(
      `rep ${rep}/${reps}: hello ${h.reqPerSec.toFixed(0)} req/s, create ${c.reqPerSec.toFixed(0)} req/s ` +
        `(p50 ${c.latencyMs.p50} ms, p99 ${c.latencyMs.p99} ms), retrieve ${r.reqPerSec.toFixed(0)} req/s`,
    );
  }
  return out;
}
