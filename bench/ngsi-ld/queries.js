/**
 * Query latency figures of the NGSI-LD suite over the loaded WasteContainers: type + q (a broad
 * and a selective filter) and a geo `near` query, each as p50/p95/p99 of a few clients in closed
 * loops. The baseline is the same loop against the bare `node:http` server: the floor of a round
 * trip on this machine. Answers are checked for correctness during warm-up, so a fast wrong
 * answer cannot pass.
 */
import { URLSearchParams } from 'node:url';
import { randomPoint } from '../lib/entities.js';
import { measureLatency } from '../lib/latency.js';

const ENTITIES = '/ngsi-ld/v1/entities';

/** Great-circle distance in metres (haversine; plenty for a 500 m check). */
function metres([lon1, lat1], [lon2, lat2]) {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(a));
}

const path = (params) => `${ENTITIES}?${new URLSearchParams(params).toString()}`;
const d3 = (x) => Math.round(x * 1000) / 1000;

/**
 * The measured queries. Each makes the path of its i-th request (random parameters, so that no
 * answer cache can help) and checks an answer against its parameters.
 * @param {() => number} rnd
 * @param {object} box
 */
export function queryKinds(rnd, box) {
  return [
    {
      key: 'qBroad',
      what: 'type+q fillingLevel>~0.9',
      make: () => {
        const t = d3(0.85 + rnd() * 0.1);
        return { params: { type: 'WasteContainer', q: `fillingLevel>${t}`, limit: '100' }, t };
      },
      check: (entities, { t }) =>
        entities.every((e) => e.type === 'WasteContainer' && e.fillingLevel?.value > t) ||
        `a fillingLevel is not > ${t}`,
    },
    {
      key: 'qSelective',
      what: 'type+q fillingLevel>~0.99;status=="lidOpen"',
      make: () => {
        const t = d3(0.985 + rnd() * 0.01);
        return {
          params: { type: 'WasteContainer', q: `fillingLevel>${t};status=="lidOpen"`, limit: '100' },
          t,
        };
      },
      check: (entities, { t }) =>
        entities.every((e) => e.fillingLevel?.value > t && e.status?.value === 'lidOpen') ||
        `an entity does not match fillingLevel>${t};status=="lidOpen"`,
    },
    {
      key: 'near',
      what: 'near;maxDistance==500 at a random point',
      make: () => {
        const p = randomPoint(rnd, box);
        const params = {
          type: 'WasteContainer',
          georel: 'near;maxDistance==500',
          geometry: 'Point',
          coordinates: JSON.stringify(p),
          limit: '100',
        };
        return { params, p };
      },
      // 1 m of slack for the difference between the store's distance and the haversine here.
      check: (entities, { p }) =>
        entities.every((e) => metres(e.location.value.coordinates, p) <= 501) ||
        `an entity lies over 500 m from ${p}`,
    },
  ];
}

/**
 * Warm up each query, verify answers and count matches (`count=true`), then run the latency
 * repetitions interleaved with the baseline.
 * @param {object} o
 * @param {ReturnType<import('../lib/http.js').httpClient>} o.urbis
 * @param {ReturnType<import('../lib/http.js').httpClient>} o.hello
 * @param {number} o.reps
 * @param {number} o.requests requests per repetition (≥ 300 for the figures)
 * @param {number} o.clients concurrent closed loops
 * @param {number} o.maxMsPerRep cap on one repetition
 * @param {() => number} o.rnd
 * @param {object} o.box
 * @param {import('../lib/cpu-profile.js').PhaseClock} o.clock marks when each query kind ran
 * @param {(msg: string) => void} o.log
 */
export async function queryPhase({
  urbis,
  hello,
  reps,
  requests,
  clients,
  maxMsPerRep,
  rnd,
  box,
  clock,
  log,
}) {
  const kinds = queryKinds(rnd, box);
  const out = { hello: [], matches: {}, problems: {} };
  for (const k of kinds) {
    out[k.key] = [];
    out.problems[k.key] = [];
    // Warm-up doubles as the correctness check.
    for (let i = 0; i < 30; i++) {
      const m = k.make();
      const res = await urbis.get(path(i === 0 ? { ...m.params, count: 'true' } : m.params));
      if (res.status !== 200) {
        out.problems[k.key].push(`warm-up: status ${res.status}: ${res.body.slice(0, 300)}`);
        break;
      }
      const verdict = k.check(JSON.parse(res.body), m);
      if (verdict !== true) {
        out.problems[k.key].push(`wrong answer: ${verdict}`);
        break;
      }
      if (i === 0) out.matches[k.key] = Number(res.headers['ngsild-results-count']);
    }
    log(`${k.what}: ${out.matches[k.key]} matches for a typical request`);
  }
  const resultCount = (res) => JSON.parse(res.body).length;

  for (let rep = 1; rep <= reps; rep++) {
    const h = await measureLatency({
      client: hello,
      clients,
      requests,
      nextPath: () => '/',
      maxMs: maxMsPerRep,
    });
    out.hello.push(h);
    const line = [`rep ${rep}/${reps}: hello p95 ${h.p95.toFixed(2)} ms`];
    for (const k of kinds) {
      const r = await clock.time(k.key, () =>
        measureLatency({
          client: urbis,
          clients,
          requests,
          nextPath: () => path(k.make().params),
          maxMs: maxMsPerRep,
          resultCount,
        }),
      );
      out[k.key].push(r);
      if (r.failed > 0)
        out.problems[k.key].push(`rep ${rep}: non-200 answers ${JSON.stringify(r.statusCounts)}`);
      if (r.capped)
        out.problems[k.key].push(`rep ${rep}: only ${r.n} of ${requests} requests within ${maxMsPerRep} ms`);
      line.push(`${k.key} p95 ${r.p95.toFixed(1)} ms`);
    }
    log(line.join(', '));
  }
  return { kinds, ...out };
}
