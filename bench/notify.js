/**
 * The `notify` suite: how fast the notifier empties its outbox into a local HTTP receiver, beside the
 * receiver's own maximum request rate measured in the same run.
 *
 *   entity changes delivered, batched (≤ 100 per notification), c=16   entities/s   target ≥ 10,000/s
 *   notifications delivered, one entity each, c=16                      req/s        target ≥ 10,000/s
 *   baseline: autocannon POSTing a one-entity notification to the same receiver, c=16 → req/s
 *
 * The notifier runs in this process, as in `urbis serve`: the SQLite store on a temp file, the
 * outbox filled beforehand (not timed), then the dispatcher started and timed until every entry is
 * delivered and recorded. The receiver is a child process (bench/notify/receiver.js) that parses
 * and counts what it gets; every run checks that it counted every entry and no notification id
 * twice. Figures are medians of the repetitions; each repetition runs right after one of the
 * baseline. See bench/README.md.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpClient } from './lib/http.js';
import { runLoad } from './lib/load.js';
import { REPO_ROOT, freePort } from './lib/processes.js';
import { median } from './lib/stats.js';

const SETTINGS = {
  full: {
    batchedEntries: 200_000,
    singleEntries: 30_000,
    entityIds: 10_000,
    baselineS: 3,
    drainMaxMs: 90_000,
  },
  quick: { batchedEntries: 20_000, singleEntries: 3_000, entityIds: 2_000, baselineS: 1, drainMaxMs: 30_000 },
};
const CONCURRENCY = 16;
const TARGET = 10_000;
const SUB = 'urn:ngsi-ld:Subscription:bench';
const TYPE = 'https://smartdatamodels.org/dataModel.Environment/AirQualityObserved';
const NS = 'https://smartdatamodels.org/dataModel.Environment/';

export const suite = {
  name: 'notify',
  describe: 'notifier: outbox entries delivered per second to a local HTTP receiver',
  budgetMs: 9.5 * 60_000,
  run,
};

/** An AirQualityObserved as the outbox keeps it (terms expanded), about 400 bytes of JSON. */
function observation(n, entityIds) {
  const id = `urn:ngsi-ld:AirQualityObserved:bench-${String(n % entityIds).padStart(5, '0')}`;
  const at = new Date(Date.UTC(2026, 11, 1) + n * 1000).toISOString();
  const p = (value, extra = {}) => [{ type: 'Property', value, observedAt: at, ...extra }];
  return {
    id,
    type: [TYPE],
    attrs: {
      [`${NS}pm25`]: p(10 + (n % 50) / 10, { unitCode: 'GQ' }),
      [`${NS}no2`]: p(20 + (n % 30), { unitCode: 'GQ' }),
      [`${NS}temperature`]: p(15 + (n % 10) / 2, { unitCode: 'CEL' }),
      'https://uri.etsi.org/ngsi-ld/location': [
        { type: 'GeoProperty', value: { type: 'Point', coordinates: [-0.37 + (n % 100) / 1e4, 39.47] } },
      ],
    },
  };
}

/** Start the receiver child process on a free port; stopped by the cleanup. */
async function startReceiver(cleanup) {
  const port = await freePort();
  const script = fileURLToPath(new URL('./notify/receiver.js', import.meta.url));
  const child = spawn(process.execPath, [script, String(port)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (c) => (err = (err + c).slice(-4096)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanup.add(
    `stop receiver (pid ${child.pid})`,
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      if ((await Promise.race([exited, sleep(5_000, 'timeout')])) === 'timeout') child.kill('SIGKILL');
    },
    () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const client = httpClient(url, { maxSockets: 2, timeoutMs: 5_000 });
  cleanup.add('close receiver client', async () => client.close());
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await client.get('/count').then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`receiver did not start: ${err}`);
    await sleep(50);
  }
  return {
    url,
    counts: async () => JSON.parse((await client.get('/count')).body),
    reset: async () => {
      await client.send('POST', '/reset');
    },
  };
}

/**
 * Fill a fresh store's outbox with `entries` entries, start a notifier, and time it until every entry
 * is delivered and recorded.
 */
async function drain({ tmp, receiver, entries, batchSize, entityIds, maxMs, modules, log }) {
  const { openSqliteStore, Notifier, StaticNotificationSource } = modules;
  const dir = mkdtempSync(join(tmp, 'store-'));
  const store = openSqliteStore({ path: join(dir, 'urbis.sqlite') });
  const source = new StaticNotificationSource();
  const subscription = {
    id: SUB,
    entities: [{ type: TYPE }],
    notificationTrigger: ['entityUpdated'],
    notification: {
      format: 'normalized',
      showChanges: false,
      sysAttrs: false,
      endpoint: { uri: `${receiver.url}/notify`, accept: 'application/json' },
    },
    isActive: true,
    jsonldContext: 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld',
    createdAt: '2026-12-01T00:00:00.000Z',
    modifiedAt: '2026-12-01T00:00:00.000Z',
  };
  source.set('', subscription);
  await store.subscriptions.put('', subscription);
  for (let from = 0; from < entries; from += 5_000) {
    const notices = [];
    for (let n = from; n < Math.min(entries, from + 5_000); n++) {
      const entity = observation(n, entityIds);
      notices.push({
        subscriptionId: SUB,
        entityId: entity.id,
        payload: { trigger: 'entityUpdated', entity, at: new Date().toISOString() },
      });
    }
    await store.outbox.enqueue('', notices);
  }
  await receiver.reset();
  const notifier = new Notifier({
    store,
    source,
    allowPrivateEndpoints: ['127.0.0.1'],
    delivery: { batchSize, concurrencyPerEndpoint: CONCURRENCY },
  });
  const problems = [];
  const t0 = performance.now();
  await notifier.start();
  while (notifier.dispatcher.stats().entries < entries) {
    if (performance.now() - t0 > maxMs) {
      problems.push(
        `stopped after ${maxMs / 1000} s with ${notifier.dispatcher.stats().entries} of ${entries} delivered`,
      );
      break;
    }
    await sleep(5);
  }
  const seconds = (performance.now() - t0) / 1000;
  const stats = notifier.dispatcher.stats();
  await notifier.stop();
  const left = await store.outbox.size();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  const counts = await receiver.counts();
  if (counts.entries !== stats.entries)
    problems.push(`receiver counted ${counts.entries} entries, notifier ${stats.entries}`);
  if (counts.duplicates > 0) problems.push(`receiver saw ${counts.duplicates} notification ids twice`);
  if (counts.malformed > 0) problems.push(`receiver could not parse ${counts.malformed} notifications`);
  if (stats.failures > 0) problems.push(`${stats.failures} failed attempts`);
  if (left > 0 && problems.length === 0) problems.push(`${left} entries left in the outbox`);
  log(
    `batch ≤ ${batchSize}: ${stats.entries} entries in ${stats.notifications} notifications, ${seconds.toFixed(2)} s` +
      ` → ${Math.round(stats.entries / seconds)} entities/s, ${Math.round(stats.notifications / seconds)} notifications/s`,
  );
  return {
    entitiesPerS: stats.entries / seconds,
    notificationsPerS: stats.notifications / seconds,
    seconds,
    notifications: stats.notifications,
    problems,
  };
}

/** The baseline: autocannon POSTing a one-entity notification to the receiver. */
async function baseline(receiver, durationS) {
  const body = JSON.stringify({
    id: 'urn:ngsi-ld:Notification:baseline',
    type: 'Notification',
    subscriptionId: SUB,
    notifiedAt: new Date().toISOString(),
    data: [observation(1, 1)],
  });
  const load = await runLoad({
    url: receiver.url,
    connections: CONCURRENCY,
    durationS,
    requests: [{ method: 'POST', path: '/baseline', headers: { 'content-type': 'application/json' }, body }],
  });
  return load;
}

/**
 * Run the suite.
 * @param {import('./run.js').SuiteContext} ctx
 */
async function run(ctx) {
  const { cleanup, log } = ctx;
  const s = ctx.quick ? SETTINGS.quick : SETTINGS.full;
  const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;
  const modules = {
    ...(await import(dist('store/sqlite/index.js'))),
    ...(await import(dist('context/notify/notifier.js'))),
    ...(await import(dist('context/notify/static-source.js'))),
  };
  const tmp = mkdtempSync(join(tmpdir(), 'urbis-bench-notify-'));
  cleanup.removeDir(tmp);
  const receiver = await startReceiver(cleanup);
  const reps = { base: [], batched: [], single: [], batchedNotifs: [] };
  const problems = { batched: [], single: [], base: [] };
  const details = { settings: { ...s, concurrency: CONCURRENCY }, reps: [] };
  for (let rep = 0; rep < ctx.reps; rep++) {
    const base = await baseline(receiver, s.baselineS);
    log(`baseline: receiver takes ${Math.round(base.reqPerSec)} req/s (autocannon c=${CONCURRENCY})`);
    if (base.non2xx > 0 || base.errors > 0)
      problems.base.push(`baseline: ${base.non2xx} non-2xx, ${base.errors} errors`);
    const batched = await drain({
      tmp,
      receiver,
      entries: s.batchedEntries,
      batchSize: 100,
      entityIds: s.entityIds,
      maxMs: s.drainMaxMs,
      modules,
      log,
    });
    const single = await drain({
      tmp,
      receiver,
      entries: s.singleEntries,
      batchSize: 1,
      entityIds: s.entityIds,
      maxMs: s.drainMaxMs,
      modules,
      log,
    });
    reps.base.push(base.reqPerSec);
    reps.batched.push(batched.entitiesPerS);
    reps.batchedNotifs.push(batched.notificationsPerS);
    reps.single.push(single.notificationsPerS);
    problems.batched.push(...batched.problems);
    problems.single.push(...single.problems);
    details.reps.push({ baseline: base, batched, single });
  }
  const baselineReqS = median(reps.base);
  const rows = [
    {
      what: `entity changes delivered, ≤ 100 per notification, c=${CONCURRENCY}`,
      figure: median(reps.batched),
      unit: 'entities/s',
      baseline: baselineReqS,
      baselineWhat: 'receiver max, 1 entity/req',
      baselineUnit: 'req/s',
      better: 'higher',
      target: TARGET,
      reps: reps.batched,
      problems: [...problems.base, ...problems.batched],
    },
    {
      what: `  (the same, as notifications)`,
      figure: median(reps.batchedNotifs),
      unit: 'notifications/s',
      better: 'higher',
      reps: reps.batchedNotifs,
    },
    {
      what: `notifications delivered, 1 entity each, c=${CONCURRENCY}`,
      figure: median(reps.single),
      unit: 'req/s',
      baseline: baselineReqS,
      baselineWhat: 'receiver max',
      better: 'higher',
      target: TARGET,
      reps: reps.single,
      problems: [...problems.base, ...problems.single],
    },
  ];
  return { rows, details };
}
