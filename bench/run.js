/**
 * Benchmark runner: `npm run bench -- <suite…> [--quick] [--reps N] [--cpu-prof] [--strict] [--store postgres]`.
 *
 * A suite is a module exporting `suite = { name, describe, budgetMs, run(ctx) }`; `run` returns
 * `{ rows, details }` (rows as in lib/report.js). This runner owns what every suite needs: the
 * argument parsing, the time limit, tear-down on error and on Ctrl-C, the table and the JSON file
 * under bench/results/. To add a suite, write bench/<name>.js and add a line to SUITES.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clearTimeout, setTimeout as delay } from 'node:timers';
import { Cleanup } from './lib/cleanup.js';
import { benchDatabase } from './lib/postgres-db.js';
import { formatTable, machine, ratio, verdict, writeResults } from './lib/report.js';

/** The suites by name, loaded on demand. */
const SUITES = {
  'ngsi-ld': () => import('./ngsi-ld.js'),
  temporal: () => import('./temporal.js'),
  notify: () => import('./notify.js'),
  gate: () => import('./gate.js'),
  ingest: () => import('./ingest.js'),
  history: () => import('./history.js'),
  'ingest-cluster': () => import('./ingest-cluster.js'),
};

/**
 * What a suite's `run` receives.
 * @typedef {object} SuiteContext
 * @property {boolean} quick short settings: checks the harness, the figures mean little
 * @property {number} reps repetitions of each figure (≥ 3 for figures worth quoting)
 * @property {boolean} cpuProf run the server under `node --cpu-prof` and name its hot spots
 * @property {Cleanup} cleanup register every process and temp dir here
 * @property {(msg: string) => void} log progress lines (stderr)
 */

const USAGE = `usage: npm run bench -- <suite…> [--quick] [--reps N] [--cpu-prof] [--strict] [--store postgres]

suites:
  ngsi-ld     NGSI-LD core API: create, retrieve, batch upsert, type+q and near queries
  temporal    NGSI-LD temporal API: hourly aggregates over a month of minutes and over 1,000 sensors
  notify      notifier: outbox entries delivered per second to a local HTTP receiver
  gate        security gate: API-key authentications, access decisions and audit records per second,
              and an authenticated GET against /health on the same server
  ingest      device ingest: data points/s over MQTT QoS 1 and the HTTP batch path, end to end,
              beside a bare MQTT broker and raw SQLite inserts (URBIS_BENCH_SOAK_S adds a memory soak)
  ingest-cluster  device ingest through Mosquitto into one and two replicas on PostgreSQL and NATS,
              beside bare shared-subscription consumers (needs PostgreSQL, NATS, mosquitto)

options:
  --quick     short runs and a small data set: checks the harness, not the figures
  --reps N    repetitions of each figure (default 3; the table shows medians)
  --cpu-prof  profile the server (node --cpu-prof) and print its hot spots
  --strict    exit 1 when a figure misses its target
  --store S   sqlite (default: the embedded store) or postgres: each suite's servers get a fresh
              database on URBIS_BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432/postgres)
`;

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

function usage(message) {
  if (message) process.stderr.write(`bench: ${message}\n`);
  process.stderr.write(USAGE);
  return 2;
}

function parse(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      reps: { type: 'string', default: '3' },
      'cpu-prof': { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      store: { type: 'string', default: 'sqlite' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  return { values, positionals };
}

/** Run one suite with its own cleanup and time limit; returns its rows. */
async function runSuite(name, mod, opts) {
  const cleanup = new Cleanup();
  const log = (msg) => process.stderr.write(`[${name} ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
  const onExit = () => cleanup.runAllSync();
  let interrupted = false;
  const onSignal = (signal) => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping servers and removing temp files`);
    void cleanup.runAll().finally(() => process.exit(130));
  };
  process.on('exit', onExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const timer = delay(() => {
    log(`over the time limit of ${mod.suite.budgetMs / 1000} s: stopping`);
    void cleanup.runAll().finally(() => process.exit(1));
  }, mod.suite.budgetMs);

  const started = Date.now();
  try {
    // Servers started by the suite inherit the environment: URBIS_STORE selects their store.
    // A suite that needs one store whatever --store says (ingest-cluster: PostgreSQL) declares it.
    const store = mod.suite.store ?? opts.store;
    if (store === 'postgres' && process.env.URBIS_STORE === undefined) {
      process.env.URBIS_STORE = await benchDatabase(cleanup);
      cleanup.add('forget the suite database', async () => {
        delete process.env.URBIS_STORE;
      });
    }
    const ctx = { quick: opts.quick, reps: opts.reps, cpuProf: opts.cpuProf, cleanup, log };
    const { rows, details } = await mod.suite.run(ctx);
    const seconds = Math.round((Date.now() - started) / 1000);
    process.stdout.write(
      `\n${name} (${store}) — medians of ${opts.reps} repetitions${opts.quick ? ' (QUICK: not figures)' : ''}\n`,
    );
    process.stdout.write(`${formatTable(rows)}\n`);
    const date = new Date().toISOString().slice(0, 10);
    const suffix = store === 'sqlite' ? '' : `-${store}`;
    const file = join(RESULTS_DIR, `${name}-${date}${suffix}${opts.quick ? '-quick' : ''}.json`);
    await writeResults(file, {
      suite: name,
      date: new Date().toISOString(),
      seconds,
      quick: opts.quick,
      store,
      machine: machine(),
      rows: rows.map((r) => ({ ...r, ratio: ratio(r), result: verdict(r) || undefined })),
      details,
    });
    process.stdout.write(`(${seconds} s; results in ${file})\n`);
    return rows;
  } finally {
    clearTimeout(timer);
    await cleanup.runAll();
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Entry point: parse, run the suites in order, set the exit code. */
async function main(argv) {
  let args;
  try {
    args = parse(argv);
  } catch (e) {
    return usage(e instanceof Error ? e.message : String(e));
  }
  if (args.values.help) return usage();
  if (args.positionals.length === 0) return usage('name a suite');
  const unknown = args.positionals.filter((n) => !(n in SUITES));
  if (unknown.length > 0) return usage(`unknown suite ${unknown.map((n) => JSON.stringify(n)).join(', ')}`);
  const reps = Number(args.values.reps);
  if (!Number.isInteger(reps) || reps < 1 || reps > 20)
    return usage('--reps must be an integer from 1 to 20');
  if (!['sqlite', 'postgres'].includes(args.values.store)) return usage('--store must be sqlite or postgres');
  const opts = { quick: args.values.quick, reps, cpuProf: args.values['cpu-prof'], store: args.values.store };

  let missed = 0;
  for (const name of args.positionals) {
    const rows = await runSuite(name, await SUITES[name](), opts);
    missed += rows.filter((r) => verdict(r) === 'FAIL').length;
  }
  return args.values.strict && missed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
