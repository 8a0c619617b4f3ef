/**
 * Black-box harness for the ETSI-derived conformance suite: starts one real `urbis serve` process per
 * test file (free loopback port, temporary data dir), a tiny loopback server that hosts user @context
 * documents (so Link headers never point at the internet), and small helpers to call the API and
 * check ProblemDetails. Tests talk HTTP only; nothing here imports the broker's code.
 *
 * Access control (issue #4): the broker is started with the test admin key as its platform
 * administrator's key and without rate limits (`serverEnv`), and `call` sends that key as a bearer
 * token unless told otherwise — see `CallOptions.anonymous` and `CallOptions.headers`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { authHeader, serverEnv } from '../support/serve-process.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const READY_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 15_000;

/** The NGSI-LD core @context URL (v1.8); a conforming broker knows it without fetching it. */
export const CORE_CONTEXT = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld';
/** Namespace of the user terms defined by the test @context (`TEST_TERMS`). */
export const TEST_NS = 'https://ngsi-ld-test-suite/context#';
/** Namespace the core context gives to terms nobody defined. */
export const DEFAULT_NS = 'https://uri.etsi.org/ngsi-ld/default-context/';

/** User terms of the test suite's @context: every term maps into TEST_NS. */
export const TEST_TERMS: Record<string, string> = Object.fromEntries(
  [
    'Building',
    'Vehicle',
    'OffStreetParking',
    'Parking',
    'TouristDestination',
    'City',
    'name',
    'almostFull',
    'airQualityLevel',
    'category',
    'subCategory',
    'locatedIn',
    'speed',
    'brandName',
    'street',
    'description',
  ].map((t) => [t, `${TEST_NS}${t}`]),
);

/** JSON returned by the broker; tests inspect arbitrary shapes, so it is deliberately untyped. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Body = any;

/** A response as the tests see it. */
export interface Res {
  status: number;
  headers: Headers;
  text: string;
  body: Body;
}

/** Options of one API call. */
export interface CallOptions {
  /** A JS value (serialised as JSON) or a raw string sent as-is. */
  body?: unknown;
  /** Content-Type; defaults to application/json when a body is given. */
  contentType?: string;
  accept?: string;
  /** URL of a JSON-LD context sent in a Link header. */
  link?: string;
  tenant?: string;
  /**
   * Extra request headers. An `authorization` header here is sent as given (another principal's
   * key, a malformed one) instead of the administrator's.
   */
  headers?: Record<string, string>;
  /**
   * Send no credentials at all (an anonymous caller). Without it, and without an `authorization`
   * in `headers`, the call goes out as the platform administrator. Both at once is a test bug.
   */
  anonymous?: boolean;
}

/** A started broker plus helpers bound to it. */
export interface Broker {
  base: string;
  /** URL under which the test @context document is served (loopback). */
  contextUrl: string;
  /** A loopback URL on which nothing listens, for LdContextNotAvailable tests. */
  deadContextUrl: string;
  call(method: string, path: string, options?: CallOptions): Promise<Res>;
  /** Server stderr so far, for diagnostics. */
  stderr(): string;
}

/** A random alphanumeric token (ids, tenants, type names). */
export function rand(n = 10): string {
  return randomBytes(n).toString('hex').slice(0, n);
}

/** A fresh entity id `urn:ngsi-ld:<kind>:<random>`. */
export function uid(kind = 'Test'): string {
  return `urn:ngsi-ld:${kind}:${rand(12)}`;
}

/** A fresh tenant name (clean slate). */
export function tenant(): string {
  return `t${rand(10)}`;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((ok) => srv.close(() => ok()));
  return port;
}

async function startContextServer(): Promise<{ server: Server; url: string }> {
  const doc = JSON.stringify({ '@context': TEST_TERMS });
  const server = createServer((req, res) => {
    if (req.url === '/ctx/test-context.jsonld') {
      res.writeHead(200, { 'content-type': 'application/ld+json' });
      res.end(doc);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/ctx/test-context.jsonld` };
}

async function waitReady(base: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`urbis serve exited before it was ready:\n${stderr()}`);
    try {
      const r = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(1000) });
      if (r.status === 200) return;
    } catch (err) {
      // Not listening yet: keep polling until the deadline.
      void err;
    }
    await new Promise((ok) => setTimeout(ok, 150));
  }
  throw new Error(`urbis serve not ready after ${READY_TIMEOUT_MS} ms:\n${stderr()}`);
}

/**
 * Registers beforeAll/afterAll hooks that start one broker for the calling test file and stop it
 * (and remove its data dir) afterwards. Returns a handle whose members are valid inside tests.
 */
export function useBroker(): Broker {
  let child: ChildProcess | undefined;
  let dataDir = '';
  let ctx: { server: Server; url: string } | undefined;
  let errText = '';
  const handle: Broker = {
    base: '',
    contextUrl: '',
    deadContextUrl: '',
    stderr: () => errText,
    call: async (method, path, options = {}) => {
      const own = Object.keys(options.headers ?? {}).some((h) => h.toLowerCase() === 'authorization');
      if (options.anonymous && own) {
        throw new Error('call: `anonymous` and an authorization header contradict each other');
      }
      const headers: Record<string, string> = {
        ...(options.anonymous || own ? {} : authHeader()),
        ...(options.headers ?? {}),
      };
      let payload: string | undefined;
      if (options.body !== undefined) {
        payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['content-type'] = options.contentType ?? 'application/json';
      } else if (options.contentType) headers['content-type'] = options.contentType;
      if (options.accept) headers.accept = options.accept;
      if (options.link) {
        headers.link = `<${options.link}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;
      }
      if (options.tenant) headers['ngsild-tenant'] = options.tenant;
      const url = path.startsWith('/') ? `${handle.base}${path}` : `${handle.base}/ngsi-ld/v1/${path}`;
      const r = await fetch(url, {
        method,
        headers,
        body: payload,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await r.text();
      let body: Body = undefined;
      if (text.length > 0) {
        try {
          body = JSON.parse(text);
        } catch (err) {
          // Non-JSON bodies (Prometheus text) stay available as `text`.
          void err;
          body = undefined;
        }
      }
      return { status: r.status, headers: r.headers, text, body };
    },
  };

  beforeAll(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist/cli/main.js'))) {
      throw new Error('dist/cli/main.js is missing: run `npm run build` before the ETSI suite');
    }
    const port = await freePort();
    dataDir = await mkdtemp(join(tmpdir(), 'urbis-etsi-'));
    ctx = await startContextServer();
    handle.base = `http://127.0.0.1:${port}`;
    handle.contextUrl = ctx.url;
    handle.deadContextUrl = `http://127.0.0.1:${await freePort()}/missing-context.jsonld`;
    child = spawn(
      process.execPath,
      // Loopback @contexts and notification receivers are private addresses: allowed explicitly.
      [
        'bin/urbis.js',
        'serve',
        ...['--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir],
        ...['--allow-private-endpoints', '127.0.0.1'],
      ],
      { cwd: REPO_ROOT, env: serverEnv(), stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr?.on('data', (d: Buffer) => {
      if (errText.length < 20_000) errText += d.toString();
    });
    await waitReady(handle.base, child, handle.stderr);
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise<void>((ok) => child?.once('exit', () => ok()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    if (ctx) await new Promise<void>((ok) => ctx?.server.close(() => ok()));
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  return handle;
}

/** Asserts a ProblemDetails response: status, `type` URI of the given kind, a title. */
export function expectProblem(res: Res, status: number | number[], kind?: string | string[]): void {
  const statuses = Array.isArray(status) ? status : [status];
  expect(statuses, `status ${res.status}: ${res.text.slice(0, 300)}`).toContain(res.status);
  expect(res.headers.get('content-type') ?? '').toMatch(/json/);
  expect(typeof res.body?.type, res.text.slice(0, 300)).toBe('string');
  expect(typeof res.body?.title).toBe('string');
  if (kind !== undefined) {
    const kinds = (Array.isArray(kind) ? kind : [kind]).map(
      (k) => `https://uri.etsi.org/ngsi-ld/errors/${k}`,
    );
    expect(kinds).toContain(res.body.type);
  }
}

/** Asserts a status with the body in the failure message. */
export function expectStatus(res: Res, status: number | number[]): void {
  const statuses = Array.isArray(status) ? status : [status];
  expect(statuses, `status ${res.status}: ${res.text.slice(0, 400)}`).toContain(res.status);
}

/** The value of an attribute in normalized form whatever key form (term or IRI) it came back under. */
export function attrOf(entity: Body, ...names: string[]): Body {
  for (const n of names) if (entity && entity[n] !== undefined) return entity[n];
  return undefined;
}
