/**
 * The `gate` suite: what the security gate of issue #4 costs per request, each part beside the
 * cheapest thing of the same kind, measured in the same run.
 *
 *   authenticate an API key (SHA-256, key row, principal row)   authentications/s   vs bare SQLite point reads/s
 *   accessFor + filterEntity, 10 attributes, 6 rules            decisions/s         vs JSON.stringify of the entity/s
 *   AuditTrail.record × N, then flush (hash chain, batched)     records/s           vs bare SQLite inserts/s
 *   GET /ngsi-ld/v1/entities/{id}, authenticated, c=32          req/s               vs GET /health, same server
 *
 * The first three run in this process on the built code (dist/) over a file-backed SQLite store in
 * a temp dir, as `urbis serve` builds them; the last one against a real `urbis serve`. Every figure
 * is checked (the right principal, the denied attribute gone, an unbroken chain of the expected
 * length, 200 answers). No house target applies: the table shows figure, baseline and ratio.
 * See bench/README.md.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { airQualityObserved, cityBox, seededRandom } from './lib/entities.js';
import { httpClient } from './lib/http.js';
import { runLoad } from './lib/load.js';
import { startUrbis } from './lib/processes.js';
import { SqliteBaseline } from './lib/sqlite-baseline.js';
import { median } from './lib/stats.js';

/** Settings of a full run (the figures) and of `--quick` (a smoke test of the harness). */
const SETTINGS = {
  full: { minMs: 2000, warmupMs: 500, auditRecords: 50_000, httpS: 5, httpWarmupS: 2, entities: 200 },
  quick: { minMs: 300, warmupMs: 100, auditRecords: 5_000, httpS: 2, httpWarmupS: 1, entities: 20 },
};
const CONNECTIONS = 32;
const TENANT = 'bench';
const PRINCIPAL = 'gate-analyst';
/** Rows of the point-read baseline table, read in turn (all in the page cache, as the one key is). */
const BASELINE_ROWS = 1000;
const ENTITIES = '/ngsi-ld/v1/entities';

/** The built modules the suite measures, relative to dist/. */
export const DIST_MODULES = {
  store: 'store/sqlite/index.js',
  identity: 'governance/identity/identity-service.js',
  policy: 'governance/policy/policy-service.js',
  trail: 'governance/audit/trail.js',
  verify: 'governance/audit/verify.js',
  contexts: 'core/jsonld/context-resolver.js',
};

export const suite = {
  name: 'gate',
  describe: 'security gate: API-key authentication, access decisions and audit records per second',
  budgetMs: 5 * 60_000,
  run,
};

/**
 * Throw a clear error when a built module is missing (the suite measures dist/, not src/).
 * @param {string} distDir
 * @param {string[]} files paths relative to distDir
 */
export function requireDist(distDir, files) {
  const missing = files.filter((f) => !existsSync(join(distDir, f)));
  if (missing.length > 0)
    throw new Error(
      `the gate suite measures the built code, and ${distDir} lacks ${missing.join(', ')}: run \`npm run build\` first`,
    );
}

/**
 * Run `op(batch)` — which performs `batch` operations, synchronously or not — until at least `minMs`
 * have passed, and give the rate. Batches keep the clock reads out of the measured work.
 * @param {(n: number) => unknown} op
 * @param {{ minMs: number, batch?: number, now?: () => number }} o
 * @returns {Promise<{ ops: number, seconds: number, perSec: number }>}
 */
export async function rateOf(op, { minMs, batch = 256, now = () => performance.now() }) {
  if (!(minMs > 0)) throw new RangeError('minMs must be a positive number');
  if (!Number.isSafeInteger(batch) || batch < 1) throw new RangeError('batch must be a positive integer');
  let ops = 0;
  let elapsed = 0;
  const t0 = now();
  do {
    await op(batch);
    ops += batch;
    elapsed = now() - t0;
  } while (elapsed < minMs);
  return { ops, seconds: elapsed / 1000, perSec: ops / (elapsed / 1000) };
}

/**
 * The measured tenant's policy: six rules as a city might write them — one public rule limited to
 * some attributes, four role rules, and a deny rule that hides one attribute from every principal.
 */
export function gatePolicyDocument() {
  return {
    description: 'benchmark policy: open air quality, role rules, no device references',
    rules: [
      {
        id: 'open-air',
        public: true,
        actions: ['read'],
        types: ['AirQualityObserved'],
        attrs: ['location', 'dateObserved', 'NO2', 'PM10', 'PM2_5', 'airQualityIndex'],
      },
      { id: 'admin', roles: ['admin'], actions: ['read', 'write', 'command', 'admin'] },
      { id: 'operator', roles: ['operator'], actions: ['read', 'write', 'command'] },
      {
        id: 'analyst',
        roles: ['analyst'],
        actions: ['read'],
        types: ['AirQualityObserved', 'NoiseLevelObserved'],
      },
      { id: 'ingest', roles: ['ingest'], actions: ['write'], types: ['AirQualityObserved'] },
      {
        id: 'no-device-refs',
        effect: 'deny',
        roles: ['*'],
        actions: ['read'],
        types: ['AirQualityObserved'],
        attrs: ['refDevice'],
      },
    ],
  };
}

/** The attribute the policy's deny rule hides. */
export const DENIED_ATTR = 'refDevice';

/**
 * An AirQualityObserved with ten attributes, in the broker's internal form (terms expanded by
 * `expand`, attributes as arrays of instances), as a retrieve hands it to the access check.
 * @param {(term: string) => string} expand the core context's term expansion
 */
export function gateEntity(expand) {
  const at = '2026-12-01T10:00:00.000Z';
  const p = (value, extra = {}) => [{ type: 'Property', value, observedAt: at, ...extra }];
  const attrs = {
    location: [{ type: 'GeoProperty', value: { type: 'Point', coordinates: [-0.3763, 39.4699] } }],
    dateObserved: [{ type: 'Property', value: { '@type': 'DateTime', '@value': at } }],
    NO2: p(41.2, { unitCode: 'GQ' }),
    PM10: p(22.7, { unitCode: 'GQ' }),
    PM2_5: p(11.4, { unitCode: 'GQ' }),
    O3: p(63.1, { unitCode: 'GQ' }),
    temperature: p(17.5, { unitCode: 'CEL' }),
    relativeHumidity: p(0.62, { unitCode: 'C62' }),
    airQualityIndex: p(38),
    refDevice: [{ type: 'Relationship', value: 'urn:ngsi-ld:Device:aq-station-017' }],
  };
  return {
    id: 'urn:ngsi-ld:AirQualityObserved:valencia-017',
    type: [expand('AirQualityObserved')],
    attrs: Object.fromEntries(Object.entries(attrs).map(([name, v]) => [expand(name), v])),
  };
}

/**
 * One audit record as the gate writes it for an authenticated create (src/http/security/security.ts).
 * @param {number} n makes target and request id unique
 * @param {string} keyId
 */
export function auditRecord(n, keyId) {
  return {
    at: new Date(Date.UTC(2026, 11, 1) + n).toISOString(),
    tenant: TENANT,
    principal: PRINCIPAL,
    action: 'POST /ngsi-ld/v1/entities',
    target: `urn:ngsi-ld:AirQualityObserved:aq-${n}`,
    requestId: `req-${n}`,
    outcome: 'success',
    status: 201,
    detail: { key: keyId },
  };
}

/**
 * Run the suite.
 * @param {import('./run.js').SuiteContext} ctx
 */
async function run(ctx) {
  const { cleanup, log } = ctx;
  const s = ctx.quick ? SETTINGS.quick : SETTINGS.full;
  const distDir = fileURLToPath(new URL('../dist/', import.meta.url));
  requireDist(distDir, Object.values(DIST_MODULES));
  const m = {};
  for (const [k, file] of Object.entries(DIST_MODULES))
    m[k] = await import(pathToFileURL(join(distDir, file)).href);

  const tmp = mkdtempSync(join(tmpdir(), 'urbis-bench-gate-'));
  cleanup.removeDir(tmp);
  const store = m.store.openSqliteStore({ path: join(tmp, 'urbis.sqlite') });
  const closeStore = cleanup.add('close store', () => store.close());
  await store.migrate();

  const auth = await authenticationPhase({ m, store, tmp, s, reps: ctx.reps, cleanup, log });
  const access = await accessPhase({ m, store, principal: auth.principal, s, reps: ctx.reps, log });
  const audit = await auditPhase({ m, store, keyId: auth.keyId, tmp, s, reps: ctx.reps, log });
  await closeStore();
  const http = await httpPhase({ tmp, s, reps: ctx.reps, cleanup, log });

  const rows = [
    {
      what: 'authenticate API key (SHA-256, key + principal rows)',
      figure: median(auth.reps.map((r) => r.perSec)),
      unit: 'auth/s',
      baseline: median(auth.baseline.map((r) => r.perSec)),
      baselineWhat: 'bare SQLite point reads',
      baselineUnit: 'reads/s',
      better: 'higher',
      reps: auth.reps.map((r) => r.perSec),
      problems: auth.problems,
    },
    {
      what: '  (the same, time per authentication)',
      figure: 1e6 / median(auth.reps.map((r) => r.perSec)),
      unit: 'µs',
      baseline: 1e6 / median(auth.baseline.map((r) => r.perSec)),
      baselineWhat: 'per point read',
      better: 'lower',
      reps: auth.reps.map((r) => 1e6 / r.perSec),
    },
    {
      what: 'access decision: accessFor + filterEntity (10 attrs, 6 rules)',
      figure: median(access.reps.map((r) => r.perSec)),
      unit: 'decisions/s',
      baseline: median(access.baseline.map((r) => r.perSec)),
      baselineWhat: 'JSON.stringify of the entity',
      baselineUnit: '/s',
      better: 'higher',
      reps: access.reps.map((r) => r.perSec),
      problems: access.problems,
    },
    {
      what: `audit: record ${s.auditRecords.toLocaleString('en-US')} then flush (SHA-256 chain)`,
      figure: median(audit.reps.map((r) => r.perSec)),
      unit: 'records/s',
      baseline: median(audit.baseline.map((r) => r.rowsPerSec)),
      baselineWhat: 'bare SQLite inserts',
      baselineUnit: 'rows/s',
      better: 'higher',
      reps: audit.reps.map((r) => r.perSec),
      problems: audit.problems,
    },
    {
      what: `GET entity by id, authenticated, c=${CONNECTIONS}`,
      figure: median(http.retrieve.map((r) => r.reqPerSec)),
      unit: 'req/s',
      baseline: median(http.health.map((r) => r.reqPerSec)),
      baselineWhat: 'GET /health, same server',
      better: 'higher',
      reps: http.retrieve.map((r) => r.reqPerSec),
      problems: http.problems,
    },
  ];
  return {
    rows,
    details: {
      settings: { ...s, connections: CONNECTIONS, baselineRows: BASELINE_ROWS },
      authentication: { reps: auth.reps, baseline: auth.baseline },
      access: { reps: access.reps, baseline: access.baseline, attrsAfterFilter: access.attrsAfterFilter },
      audit: { reps: audit.reps, baseline: audit.baseline, chain: audit.chain },
      http: { retrieve: http.retrieve, health: http.health },
    },
  };
}

/**
 * 1. IdentityService.authenticate with a valid key, against prepared point reads on a plain table in
 * a file of the same kind (WAL, synchronous=NORMAL, as the store sets them).
 */
async function authenticationPhase({ m, store, tmp, s, reps, cleanup, log }) {
  const identity = new m.identity.IdentityService({ repo: store.governance.identity });
  await identity.createPrincipal({ tenant: TENANT, id: PRINCIPAL, kind: 'service', roles: ['analyst'] });
  const { key, secret } = await identity.createKey({ tenant: TENANT, principalId: PRINCIPAL });
  const problems = [];
  const principal = await identity.authenticate(secret);
  if (principal.id !== PRINCIPAL || principal.tenant !== TENANT || principal.keyId !== key.id)
    problems.push(`authenticate returned ${JSON.stringify(principal)}`);
  const wrong = await identity.authenticate(`${secret.slice(0, -1)}x`).then(
    () => 'accepted',
    (e) => (e?.status === 401 ? 'refused' : `threw ${e?.message}`),
  );
  if (wrong !== 'refused') problems.push(`a wrong key was ${wrong}, not refused with 401`);

  const db = new Database(join(tmp, 'point-reads.sqlite'));
  cleanup.add('close point-read db', async () => db.close());
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE things (id TEXT PRIMARY KEY, doc TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO things (id, doc) VALUES (?, ?)');
  const ids = Array.from({ length: BASELINE_ROWS }, (_, i) => `k_${String(i).padStart(14, '0')}`);
  db.transaction(() => {
    for (const id of ids) insert.run(id, JSON.stringify({ id, scopes: [], createdAt: new Date(0) }));
  })();
  const select = db.prepare('SELECT id, doc FROM things WHERE id = ?');
  let next = 0;
  let missed = 0;
  const pointReads = (n) => {
    for (let i = 0; i < n; i++) if (select.get(ids[next++ % BASELINE_ROWS]) === undefined) missed += 1;
  };
  let last;
  const authenticate = async (n) => {
    for (let i = 0; i < n; i++) last = await identity.authenticate(secret);
  };

  await rateOf(pointReads, { minMs: s.warmupMs });
  await rateOf(authenticate, { minMs: s.warmupMs });
  const out = { reps: [], baseline: [], problems, principal, keyId: key.id };
  for (let rep = 1; rep <= reps; rep++) {
    const b = await rateOf(pointReads, { minMs: s.minMs });
    const a = await rateOf(authenticate, { minMs: s.minMs });
    if (last?.id !== PRINCIPAL) problems.push(`rep ${rep}: the last authentication gave ${last?.id}`);
    out.baseline.push(b);
    out.reps.push(a);
    log(
      `rep ${rep}/${reps}: point reads ${Math.round(b.perSec)}/s, authentications ${Math.round(a.perSec)}/s` +
        ` (${(1e6 / a.perSec).toFixed(1)} µs each)`,
    );
  }
  if (missed > 0) problems.push(`${missed} baseline point reads found no row`);
  return out;
}

/**
 * 2. policies.accessFor(tenant, principal) + access.filterEntity(entity) under the six-rule policy,
 * against JSON.stringify of the same entity.
 */
async function accessPhase({ m, store, principal, s, reps, log }) {
  const contexts = new m.contexts.ContextResolver({
    load: async (url) => {
      throw new Error(`the benchmark loads no remote @context (${url})`);
    },
  });
  const policies = new m.policy.PolicyService({ repo: store.governance.policies, contexts });
  await policies.load();
  await policies.put(TENANT, gatePolicyDocument(), 'bench', new Date().toISOString());
  const expand = (term) => contexts.core.expandTerm(term);
  const entity = gateEntity(expand);
  const denied = expand(DENIED_ATTR);
  const problems = [];
  const keep = Object.keys(entity.attrs).length - 1;
  const check = (filtered, label) => {
    if (filtered === undefined) return `${label}: the analyst may not read the entity at all`;
    const names = Object.keys(filtered.attrs);
    if (names.includes(denied) || names.length !== keep)
      return `${label}: ${names.length} attributes after filtering (expected ${keep}, without ${DENIED_ATTR})`;
    return undefined;
  };
  const first = check((await policies.accessFor(TENANT, principal)).filterEntity(entity), 'check');
  if (first) problems.push(first);

  let last;
  const decide = async (n) => {
    for (let i = 0; i < n; i++) last = (await policies.accessFor(TENANT, principal)).filterEntity(entity);
  };
  let bytes = 0;
  const stringify = (n) => {
    for (let i = 0; i < n; i++) bytes += JSON.stringify(entity).length;
  };
  await rateOf(stringify, { minMs: s.warmupMs });
  await rateOf(decide, { minMs: s.warmupMs });
  const out = { reps: [], baseline: [], problems, attrsAfterFilter: keep };
  for (let rep = 1; rep <= reps; rep++) {
    const b = await rateOf(stringify, { minMs: s.minMs });
    const d = await rateOf(decide, { minMs: s.minMs });
    const wrong = check(last, `rep ${rep}`);
    if (wrong) problems.push(wrong);
    out.baseline.push(b);
    out.reps.push(d);
    log(
      `rep ${rep}/${reps}: JSON.stringify ${Math.round(b.perSec)}/s, access decisions ${Math.round(d.perSec)}/s`,
    );
  }
  if (!(bytes > 0)) problems.push('the baseline serialised nothing');
  return out;
}

/**
 * 3. AuditTrail.record of N records, then flush, against the same rows inserted raw in 1,000-row
 * transactions; afterwards the whole chain is verified.
 */
async function auditPhase({ m, store, keyId, tmp, s, reps, log }) {
  const errors = [];
  const trail = new m.trail.AuditTrail({ repo: store.governance.audit, onError: (e) => errors.push(e) });
  const problems = [];
  const out = { reps: [], baseline: [], problems };
  const WARMUP = 1000;
  let n = 0;
  const batchOf = (length) => Array.from({ length }, () => auditRecord(n++, keyId));
  // Warm-up: one small batch (JIT, statement preparation).
  for (const r of batchOf(WARMUP)) trail.record(r);
  await trail.flush();
  let recorded = WARMUP;
  for (let rep = 1; rep <= reps; rep++) {
    const records = batchOf(s.auditRecords);
    const base = new SqliteBaseline(join(tmp, `audit-baseline-${rep}.sqlite`));
    const b = base.insertRows(
      records.map((r) => ({ id: r.requestId, type: r.action, doc: JSON.stringify(r) })),
      1000,
    );
    base.close();
    const t0 = performance.now();
    for (const r of records) trail.record(r);
    await trail.flush();
    const seconds = (performance.now() - t0) / 1000;
    recorded += records.length;
    out.baseline.push(b);
    out.reps.push({ records: records.length, seconds, perSec: records.length / seconds });
    log(
      `rep ${rep}/${reps}: bare inserts ${Math.round(b.rowsPerSec)} rows/s, audit ` +
        `${Math.round(records.length / seconds)} records/s`,
    );
  }
  const head = await store.governance.audit.head();
  if (head?.seq !== recorded) problems.push(`the chain ends at seq ${head?.seq}, ${recorded} were recorded`);
  if (trail.dropped > 0) problems.push(`${trail.dropped} records dropped`);
  if (errors.length > 0) problems.push(`append errors: ${errors.map((e) => e?.message ?? e).join('; ')}`);
  const t = performance.now();
  const verdict = await m.verify.verifyAudit((afterSeq, limit) =>
    store.governance.audit.read({ afterSeq, limit }),
  );
  if (!verdict.ok)
    problems.push(`the chain is broken at seq ${verdict.broken.seq}: ${verdict.broken.reason}`);
  else if (verdict.entries !== recorded) problems.push(`verified ${verdict.entries} of ${recorded} entries`);
  out.chain = { entries: verdict.entries, ok: verdict.ok, verifySeconds: (performance.now() - t) / 1000 };
  log(`chain of ${verdict.entries} entries verified (${verdict.ok ? 'sound' : 'BROKEN'})`);
  await trail.close();
  return out;
}

/**
 * 4. A real `urbis serve`: authenticated GET of an entity by id (gate + retrieve) against GET /health
 * (public: neither authentication nor policy) on the same server. Both loads send the key, so that
 * they differ only in what the server does with it.
 */
async function httpPhase({ tmp, s, reps, cleanup, log }) {
  const urbis = await startUrbis({ dataDir: join(tmp, 'data'), cleanup });
  const client = httpClient(urbis.url, { maxSockets: 4, apiKey: urbis.apiKey });
  cleanup.add('close http client', async () => client.close());
  const rnd = seededRandom(4);
  const box = cityBox();
  const paths = [];
  for (let i = 0; i < s.entities; i++) {
    const id = `urn:ngsi-ld:AirQualityObserved:gate-${i}`;
    const res = await client.postJson(ENTITIES, JSON.stringify(airQualityObserved(id, rnd, box)));
    if (res.status !== 201) throw new Error(`creating ${id}: ${res.status} ${res.body.slice(0, 300)}`);
    paths.push(`${ENTITIES}/${encodeURIComponent(id)}`);
  }
  log(`urbis pid ${urbis.pid}: ${paths.length} entities created`);
  const retrieve = [
    {
      method: 'GET',
      path: paths[0],
      setupRequest: (req) => {
        req.path = paths[Math.floor(rnd() * paths.length)];
        return req;
      },
    },
  ];
  const load = (durationS, requests) =>
    runLoad({
      url: urbis.url,
      apiKey: urbis.apiKey,
      connections: CONNECTIONS,
      durationS,
      ...(requests ? { requests } : { path: '/health' }),
    });
  const problems = [];
  const expect200 = (label, r) => {
    const other = Object.entries(r.statusCounts).filter(([code]) => code !== '200');
    if (other.length > 0)
      problems.push(`${label}: answers other than 200: ${JSON.stringify(Object.fromEntries(other))}`);
    if (r.errors > 0) problems.push(`${label}: ${r.errors} connection errors`);
    if (r.timeouts > 0) problems.push(`${label}: ${r.timeouts} timeouts`);
  };
  expect200('warm-up /health', await load(s.httpWarmupS));
  expect200('warm-up retrieve', await load(s.httpWarmupS, retrieve));
  const out = { health: [], retrieve: [], problems };
  for (let rep = 1; rep <= reps; rep++) {
    const h = await load(s.httpS);
    const r = await load(s.httpS, retrieve);
    expect200(`rep ${rep} /health`, h);
    expect200(`rep ${rep} retrieve`, r);
    out.health.push(h);
    out.retrieve.push(r);
    log(
      `rep ${rep}/${reps}: GET /health ${Math.round(h.reqPerSec)} req/s, ` +
        `GET entity ${Math.round(r.reqPerSec)} req/s`,
    );
  }
  await urbis.stop();
  return out;
}
