/**
 * Builds an in-process Urbis app on a fresh in-memory store, for HTTP tests (`app.inject`).
 * Remote @context loading goes to whatever `loader` the test gives (never the internet).
 */
import type { FastifyInstance } from 'fastify';
import { ContextResolver } from '../../src/core/jsonld/context-resolver.js';
import type { ContextLoader } from '../../src/core/jsonld/context-resolver.js';
import { AddressGuard } from '../../src/context/net/address-guard.js';
import { buildApp } from '../../src/http/app.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';

/** A loader that knows no remote context. */
const offline: ContextLoader = {
  load: async (url: string) => {
    throw new Error(`offline test: ${url}`);
  },
};

/**
 * A fresh app; close it after the test. Notifications stay in the outbox unless `notify` is set
 * (route tests read the outbox; delivery has its own tests in test/notify). Loopback is allowed.
 */
export async function testApp(
  options: { loader?: ContextLoader; maxLimit?: number; notify?: boolean } = {},
): Promise<FastifyInstance> {
  const store = openSqliteStore({ path: ':memory:' });
  await store.migrate();
  const app = await buildApp({
    config: { maxBodyBytes: 1024 * 1024, defaultLimit: 20, maxLimit: options.maxLimit ?? 1000 },
    store,
    guard: new AddressGuard({ allow: ['127.0.0.1'] }),
    notify: options.notify ?? false,
    // Hosted contexts first (as the real loader does), then the test's loader.
    contextSource: (hosted) =>
      new ContextResolver({
        load: async (url: string) => (await hosted.lookup(url)) ?? (options.loader ?? offline).load(url),
      }),
  });
  app.addHook('onClose', async () => store.close());
  return app;
}

export const LD = 'application/ld+json';
export const JSON_TYPE = 'application/json';
