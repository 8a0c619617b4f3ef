/**
 * Builds an in-process Urbis app on a fresh in-memory store, for HTTP tests (`app.inject`).
 * Remote @context loading goes to whatever `loader` the test gives (never the internet).
 *
 * Access control is on, as in production. Requests go out as the platform administrator (the
 * bootstrap key ADMIN_KEY) unless a test sets its own `authorization` header — `undefined` sends
 * none (an anonymous caller). `testKit` also returns the governance parts, to make other principals.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { ContextResolver } from '../../src/core/jsonld/context-resolver.js';
import type { ContextLoader } from '../../src/core/jsonld/context-resolver.js';
import { AddressGuard } from '../../src/context/net/address-guard.js';
import type { EndpointPolicy } from '../../src/context/notify/contracts.js';
import { openGovernance, type Governance } from '../../src/governance/governance.js';
import type { OidcSettings } from '../../src/governance/identity/oidc.js';
import type { TypeGovernance } from '../../src/governance/privacy/model.js';
import type { Devices } from '../../src/devices/devices.js';
import { buildApp } from '../../src/http/app.js';
import type { DashboardOptions } from '../../src/http/web/dashboard.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

import { ADMIN_KEY } from './keys.js';

export { ADMIN_KEY };

/** A loader that knows no remote context. */
const offline: ContextLoader = {
  load: async (url: string) => {
    throw new Error(`offline test: ${url}`);
  },
};

export interface TestAppOptions {
  loader?: ContextLoader;
  maxLimit?: number;
  notify?: boolean;
  /** Requests per second per principal / per anonymous address (default 0: no limit). */
  rateLimit?: number;
  anonymousRateLimit?: number;
  /** Registry entries every tenant starts with (default: none, so that tests store what they send). */
  builtIn?: readonly TypeGovernance[];
  corsOrigins?: string[];
  /** Use this (migrated) store instead of a fresh one; the test closes it. */
  store?: SqliteStore;
  /** Vets subscription endpoints instead of the SSRF guard. */
  endpointPolicy?: EndpointPolicy;
  /** Instances per attribute in one temporal answer. */
  maxInstances?: number;
  /** Accept bearer JWTs of this issuer. */
  oidc?: OidcSettings;
  /** Serve the dashboard with these options. */
  dashboard?: DashboardOptions;
}

export interface TestKit {
  app: FastifyInstance;
  governance: Governance;
  store: SqliteStore;
  /** The app's devices module (registry, ingest queue, ingress for transports). */
  devices: Devices;
}

/**
 * A fresh app; close it after the test. Notifications stay in the outbox unless `notify` is set
 * (route tests read the outbox; delivery has its own tests in test/notify). Loopback is allowed.
 */
export async function testApp(options: TestAppOptions = {}): Promise<FastifyInstance> {
  return (await testKit(options)).app;
}

export async function testKit(options: TestAppOptions = {}): Promise<TestKit> {
  const own = options.store === undefined;
  const store = options.store ?? openSqliteStore({ path: ':memory:' });
  if (own) await store.migrate();
  // Hosted contexts first (as the real loader does), then the test's loader.
  let hosted: ((url: string) => Promise<unknown>) | undefined;
  const resolver = new ContextResolver({
    load: async (url: string) => (await hosted?.(url)) ?? (options.loader ?? offline).load(url),
  });
  const governance = await openGovernance({
    store,
    contexts: resolver,
    pseudonymRotationMs: 86_400_000,
    builtIn: options.builtIn ?? [],
    ...(options.oidc ? { oidc: options.oidc } : {}),
  });
  await governance.identity.bootstrap(ADMIN_KEY);
  const app = await buildApp({
    config: {
      maxBodyBytes: 1024 * 1024,
      defaultLimit: 20,
      maxLimit: options.maxLimit ?? 1000,
      rateLimit: options.rateLimit ?? 0,
      anonymousRateLimit: options.anonymousRateLimit ?? 0,
      corsOrigins: options.corsOrigins ?? [],
      maxJsonDepth: 32,
    },
    store,
    governance,
    guard: new AddressGuard({ allow: ['127.0.0.1'] }),
    notify: options.notify ?? false,
    ...(options.endpointPolicy ? { endpointPolicy: options.endpointPolicy } : {}),
    ...(options.maxInstances !== undefined ? { maxInstances: options.maxInstances } : {}),
    ...(options.dashboard ? { dashboard: options.dashboard } : {}),
    // Tests tick the no-data check themselves (app.alerts.engine.tick()).
    alertTickMs: 0,
    // Tests sweep for offline devices themselves (devices.sweeper.sweepOnce) with a controlled clock.
    deviceSweepMs: 0,
    contextSource: (hostedContexts) => {
      hosted = (url) => hostedContexts.lookup(url);
      return resolver;
    },
  });
  // onClose hooks run last-registered first: flush the audit trail before this store closes.
  app.addHook('onClose', async () => {
    await governance.audit.flush();
    if (own) await store.close();
  });
  asAdminByDefault(app);
  return { app, governance, store, devices: app.devices };
}

/** Make `inject({...})` authenticate as the bootstrap administrator unless the test says otherwise. */
function asAdminByDefault(app: FastifyInstance): void {
  const inject = app.inject.bind(app) as (o: InjectOptions | string) => ReturnType<FastifyInstance['inject']>;
  const wrapped = (opts?: InjectOptions | string) => {
    if (opts === undefined) return inject(opts as unknown as string);
    const o: InjectOptions = typeof opts === 'string' ? { url: opts } : opts;
    const headers: Record<string, string> = {};
    let explicit = false;
    for (const [k, v] of Object.entries(o.headers ?? {})) {
      if (k.toLowerCase() === 'authorization') explicit = true;
      if (v !== undefined) headers[k] = String(v);
    }
    if (!explicit) headers.authorization = `Bearer ${ADMIN_KEY}`;
    return inject({ ...o, headers });
  };
  (app as unknown as { inject: typeof wrapped }).inject = wrapped;
}

export const LD = 'application/ld+json';
export const JSON_TYPE = 'application/json';
