/**
 * `urbis serve`: open the store, build the HTTP app, listen, and shut down cleanly on SIGINT or
 * SIGTERM (stop accepting, finish in-flight requests, close the store).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { ContextResolver } from '../core/jsonld/context-resolver.js';
import { RemoteContextLoader } from '../context/jsonld/remote-context-loader.js';
import { AddressGuard } from '../context/net/address-guard.js';
import { buildApp } from '../http/app.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { Config } from './config.js';

/** Run the server until a signal stops it. */
export async function serve(config: Config): Promise<void> {
  const logger = pino({ level: config.logLevel, base: { service: 'urbis' } });
  mkdirSync(config.dataDir, { recursive: true });
  const store = openSqliteStore({ path: join(config.dataDir, 'urbis.sqlite') });
  await store.migrate();
  // One SSRF guard for everything Urbis fetches or notifies: remote @contexts, HTTP and MQTT endpoints.
  const guard = new AddressGuard({ allow: config.allowPrivateEndpoints });
  const app = await buildApp({
    config,
    store,
    logger,
    guard,
    processMetrics: true,
    contextSource: (hosted) =>
      new ContextResolver(
        new RemoteContextLoader({
          timeoutMs: config.contextTimeoutMs,
          maxBytes: config.contextMaxBytes,
          lookup: (url) => hosted.lookup(url),
          guard,
        }),
      ),
  });
  const url = await app.listen({ port: config.port, host: config.host });
  logger.info({ url, dataDir: config.dataDir, store: store.capabilities.dialect }, 'urbis listening');

  await new Promise<void>((resolve) => {
    let closing = false;
    const stop = (signal: string) => {
      if (closing) return;
      closing = true;
      logger.info({ signal }, 'shutting down');
      app
        .close()
        .then(() => store.close())
        .catch((err: unknown) => logger.error({ err }, 'shutdown failed'))
        .finally(resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
