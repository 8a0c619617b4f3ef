/**
 * Child processes under test: the Urbis server (`bin/urbis.js serve`) and the bare `node:http`
 * baseline. Each gets a free port on 127.0.0.1, is awaited until it answers, and is registered
 * with the Cleanup so it is stopped whatever happens. Urbis checks credentials since issue #4: it is
 * started with BENCH_KEY as its administrator's key and without rate limits (they would cap the
 * figures, not measure them), and callers send that key (`apiKey` of the http client and loads).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpClient } from './http.js';

/** The platform administrator's API key of benchmarked servers (URBIS_ADMIN_KEY: ≥ 32 chars, no spaces). */
export const BENCH_KEY = 'urbis_bench-admin-key-0123456789abcdefghijklmnopqrstuvwxyz';

/** The repository root (bench/lib/ → ../..). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * A port that was free a moment ago on 127.0.0.1 (the OS picks it). There is a tiny window in
 * which someone else could take it; a server that fails to bind then fails `waitUntilAnswers`.
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Keep the last few KB a child wrote, for the error message when it dies (and drain the pipe so
 * a chatty child never blocks on a full one).
 */
function tail(stream, limit = 8192) {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    text = (text + chunk).slice(-limit);
  });
  return () => text;
}

/**
 * Start a Node child process and register its stop with the cleanup.
 * @param {{ name: string, args: string[], cleanup: import('./cleanup.js').Cleanup, env?: NodeJS.ProcessEnv }} o
 */
function startNode({ name, args, cleanup, env }) {
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: env ?? process.env,
  });
  const out = tail(child.stdout);
  const err = tail(child.stderr);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const stop = cleanup.add(
    `stop ${name} (pid ${child.pid})`,
    () => stopChild(child, exited),
    () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  );
  return { child, exited, stop, output: () => `${err()}${out()}`.trim() };
}

/**
 * Ask a child to stop (SIGTERM: Urbis closes its store and, under --cpu-prof, writes the profile),
 * then SIGKILL it if it has not gone after `graceMs`.
 */
async function stopChild(child, exited, graceMs = 15_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  // Unreferenced: a child that stops in time must not leave the caller waiting out the grace period.
  const timer = sleep(graceMs, undefined, { ref: false }).then(() => 'timeout');
  if ((await Promise.race([exited, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Poll `url` until it answers 200, the child exits, or `timeoutMs` passes.
 * @param {string} url
 * @param {{ exited: Promise<unknown>, output: () => string, name: string }} proc
 * @param {number} timeoutMs
 */
async function waitUntilAnswers(url, proc, timeoutMs) {
  let gone = false;
  void proc.exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  const target = new URL(url);
  const client = httpClient(target.origin, { maxSockets: 1, timeoutMs: 2000 });
  let last = 'no answer';
  try {
    while (Date.now() < deadline) {
      if (gone) throw new Error(`${proc.name} exited before answering ${url}:\n${proc.output()}`);
      try {
        const res = await client.get(target.pathname);
        if (res.status === 200) return;
        last = `status ${res.status}`;
      } catch (e) {
        // Not listening yet: remember why, and poll again.
        last = e instanceof Error ? e.message : String(e);
      }
      await sleep(100);
    }
  } finally {
    client.close();
  }
  throw new Error(`${proc.name} did not answer ${url} within ${timeoutMs} ms (${last}):\n${proc.output()}`);
}

/**
 * Start `urbis serve` on a free port with its data in `dataDir`, and wait for GET /ready = 200.
 * With `cpuProfDir`, the server runs under `node --cpu-prof` and writes a .cpuprofile there when
 * it is stopped. Every API request must carry `Authorization: Bearer <apiKey>` (the returned key).
 * @param {{ dataDir: string, cleanup: import('./cleanup.js').Cleanup, cpuProfDir?: string, readyTimeoutMs?: number, env?: Record<string, string> }} o
 * @returns {Promise<{ url: string, pid: number, apiKey: string, stop: () => Promise<void> }>}
 */
export async function startUrbis({
  dataDir,
  cleanup,
  cpuProfDir,
  readyTimeoutMs = 30_000,
  env: extraEnv = {},
}) {
  const port = await freePort();
  const prof = cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`];
  const args = [
    ...prof,
    'bin/urbis.js',
    'serve',
    ...['--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir, '--log-level', 'warn'],
  ];
  const env = {
    ...process.env,
    URBIS_ADMIN_KEY: BENCH_KEY,
    URBIS_RATE_LIMIT: '0',
    URBIS_ANONYMOUS_RATE_LIMIT: '0',
    // Device transports are off unless the suite gives them a free port (Mosquitto holds 1883 here).
    URBIS_MQTT_PORT: '0',
    URBIS_COAP_PORT: '0',
    // The demo city would load the server being measured.
    URBIS_DEMO: 'false',
    ...extraEnv,
  };
  const proc = startNode({ name: 'urbis', args, cleanup, env });
  const url = `http://127.0.0.1:${port}`;
  // /ready is open to anonymous callers: readiness says nothing about the key.
  await waitUntilAnswers(`${url}/ready`, { ...proc, name: 'urbis' }, readyTimeoutMs);
  return { url, pid: proc.child.pid, apiKey: BENCH_KEY, stop: proc.stop };
}

/**
 * Start the bare `node:http` baseline server on a free port and wait until it answers.
 * @param {{ cleanup: import('./cleanup.js').Cleanup }} o
 * @returns {Promise<{ url: string, pid: number, stop: () => Promise<void> }>}
 */
export async function startHello({ cleanup }) {
  const port = await freePort();
  const script = fileURLToPath(new URL('./hello-server.js', import.meta.url));
  const proc = startNode({ name: 'hello', args: [script, String(port)], cleanup });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilAnswers(`${url}/`, { ...proc, name: 'hello server' }, 10_000);
  return { url, pid: proc.child.pid, stop: proc.stop };
}
