/**
 * `urbis serve`: open the store, governance and the HTTP app, listen, and shut down cleanly on SIGINT
 * or SIGTERM (stop accepting, finish in-flight requests, flush the audit trail, close the store).
 */
import { accessSync, constants, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ipaddr from 'ipaddr.js';
import { pino, type Logger } from 'pino';
import { hostname } from 'node:os';
import { jobGate } from '../bus/job-gate.js';
import { connectNatsBus } from '../bus/nats/index.js';
import { ContextResolver } from '../core/jsonld/context-resolver.js';
import { RemoteContextLoader } from '../context/jsonld/remote-context-loader.js';
import { AddressGuard } from '../context/net/address-guard.js';
import { openGovernance, type Governance } from '../governance/governance.js';
import { parseRoleMap, type OidcSettings } from '../governance/identity/oidc.js';
import { applyPolicyFile } from '../governance/policy/policy-file.js';
import { RetentionJob } from '../governance/retention/retention-job.js';
import { buildApp } from '../http/app.js';
import type { Store } from '../store/port.js';
import { openPostgresStore } from '../store/postgres/index.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { startDeviceTransports, type RunningTransports } from './device-transports.js';
import { durationMs } from './durations.js';
import { DEMO_TENANT, startEmbeddedDemo } from './embedded-demo.js';
import { ConfigError, type Config } from './config.js';

/** The embedded SQLite store of the data directory, or the PostgreSQL store the replicas share (`--store`). */
function openStore(config: Config, logger: Logger): Store {
  if (config.store === '')
    return openSqliteStore({
      path: join(config.dataDir, 'urbis.sqlite'),
      queryWorkers: config.queryWorkers,
      onWorkerError: (message) => logger.error({ reason: message }, 'a query worker stopped'),
    });
  return openPostgresStore({
    url: config.store,
    applicationName: `urbis-${hostname()}-${config.port}`,
    onIdleError: (err) => logger.warn({ err }, 'postgres connection lost (a new one is opened)'),
    onBackgroundError: (err) => logger.error({ err }, 'postgres background work failed'),
  });
}

/** Run the server until a signal stops it. */
export async function serve(config: Config): Promise<void> {
  const logger = pino({ level: config.logLevel, base: { service: 'urbis' } });
  mkdirSync(config.dataDir, { recursive: true });
  const store = openStore(config, logger);
  try {
    await store.migrate();
  } catch (e) {
    await store.close();
    // The URL may hold a password: the message names the setting, not the value.
    throw new ConfigError(`the store of --store / URBIS_STORE cannot be used: ${(e as Error).message}`);
  }
  // One SSRF guard for everything Urbis fetches or notifies: remote @contexts, HTTP and MQTT endpoints.
  const guard = new AddressGuard({ allow: config.allowPrivateEndpoints });
  let hostedLookup: ((url: string) => Promise<unknown>) | undefined;
  const contexts = new ContextResolver(
    new RemoteContextLoader({
      timeoutMs: config.contextTimeoutMs,
      maxBytes: config.contextMaxBytes,
      lookup: (url) => hostedLookup?.(url) ?? Promise.resolve(undefined),
      guard,
    }),
  );
  const governance = await openGovernance({
    store,
    contexts,
    ...(config.oidcIssuer !== '' ? { oidc: oidcSettings(config) } : {}),
    pseudonymRotationMs: durationMs(config.pseudonymRotation),
    onAuditError: (err) => logger.error({ err }, 'audit trail append failed'),
    onAuditHead: throttledHeadLog(logger),
  });
  await bootstrapAdmin(governance, config);
  if (config.policyFile !== '') {
    const applied = await applyPolicyFile(
      governance,
      readFileSync(config.policyFile, 'utf8'),
      config.policyFile,
    );
    if (applied.length > 0) logger.info({ tenants: applied, file: config.policyFile }, 'policies applied');
  }
  // With replicas, the bus decides which one runs each periodic job (decision 0008).
  const bus =
    config.bus === ''
      ? undefined
      : await connectNatsBus({
          servers: config.bus.split(',').map((u) => u.trim()),
          name: `urbis-${hostname()}-${config.port}`,
          replicas: config.busReplicas,
          onError: (err) => logger.error({ err }, 'bus'),
        }).catch((e: unknown) => {
          throw new ConfigError(`invalid --bus=${config.bus}: ${(e as Error).message}`);
        });
  const tls =
    config.tlsCert === ''
      ? undefined
      : { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) };
  const app = await buildApp({
    config,
    store,
    logger,
    guard,
    governance,
    processMetrics: true,
    trustProxy: config.behindProxy,
    ...(tls ? { https: tls } : {}),
    deviceSweepMs: durationMs(config.deviceSweepInterval),
    ...(bus ? { bus } : {}),
    deviceMaxPayloadBytes: config.deviceMaxPayload,
    contextSource: (hosted) => {
      hostedLookup = (url) => hosted.lookup(url);
      return contexts;
    },
    dashboard: {
      config: {
        defaultTenant: config.demo ? DEMO_TENANT : '',
        demo: config.demo,
        oidc:
          config.oidcClientId === ''
            ? null
            : {
                issuer: config.oidcIssuer,
                clientId: config.oidcClientId,
                // The dashboard opens the tenant the token names, as the server reads it.
                tenantClaim: config.oidcTenantClaim,
              },
      },
      ...(config.basemap !== '' ? { basemapFile: checkedBasemap(config.basemap) } : {}),
    },
  });
  warnIfExposed(config, logger);
  const retentionMs = durationMs(config.retentionInterval);
  const retention =
    retentionMs === 0
      ? undefined
      : new RetentionJob({
          store,
          registry: governance.registry,
          pseudonymiser: governance.pseudonymiser,
          intervalMs: retentionMs,
          ...(bus ? { exclusive: jobGate(bus)('retention', retentionMs) } : {}),
          onRun: (report) => {
            if (report.instances > 0 || report.keysDestroyed > 0)
              logger.info(
                { instances: report.instances, keysDestroyed: report.keysDestroyed },
                'retention: history past its time deleted',
              );
          },
          onError: (err) => logger.error({ err }, 'retention round failed'),
        });
  const url = await app.listen({ port: config.port, host: config.host });
  let transports: RunningTransports;
  try {
    transports = await startDeviceTransports(app, store, config, logger, tls);
  } catch (e) {
    await app.close();
    await store.close();
    throw e;
  }
  retention?.start();
  // The demo talks to this server over loopback, whatever interface it listens on.
  const demo = config.demo
    ? await startEmbeddedDemo(
        governance,
        config,
        {
          baseUrl: `${tls ? 'https' : 'http'}://127.0.0.1:${listeningPort(app, config.port)}`,
          ...(transports.mqttPort !== undefined ? { mqttPort: transports.mqttPort } : {}),
        },
        logger,
      )
    : undefined;
  process.stdout.write(
    `\n  Urbis is running. Dashboard: ${url}/${demo ? '  (the demo city is in tenant "demo"; --no-demo turns it off)' : ''}\n\n`,
  );
  logger.info(
    {
      url,
      dataDir: config.dataDir,
      store: store.capabilities.dialect,
      ...(transports.mqttPort !== undefined ? { mqttPort: transports.mqttPort } : {}),
      ...(transports.coapPort !== undefined ? { coapPort: transports.coapPort } : {}),
    },
    'urbis listening',
  );

  await new Promise<void>((resolve) => {
    let closing = false;
    const stop = (signal: string) => {
      if (closing) return;
      closing = true;
      logger.info({ signal }, 'shutting down');
      // Devices stop sending first; then the app commits what they sent and closes.
      (retention?.stop() ?? Promise.resolve())
        .then(() => demo?.stop())
        .then(() => transports.close())
        .then(() => app.close())
        .then(() => bus?.close())
        .then(() => store.close())
        .catch((err: unknown) => logger.error({ err }, 'shutdown failed'))
        .finally(resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

/** The port the app listens on (the configured one, or the one picked for `--port 0`). */
function listeningPort(app: { server: { address(): unknown } }, configured: number): number {
  const address = app.server.address();
  return address !== null && typeof address === 'object' ? (address as { port: number }).port : configured;
}

/** The basemap file, which must be readable: a missing one stops start-up naming the setting. */
function checkedBasemap(file: string): string {
  try {
    accessSync(file, constants.R_OK);
  } catch {
    throw new ConfigError(`invalid --basemap=${JSON.stringify(file)}: cannot read the file`);
  }
  return file;
}

/** The first start makes the administrator key and shows it once, on the terminal, never in the logs. */
async function bootstrapAdmin(governance: Governance, config: Config): Promise<void> {
  let created: string | undefined;
  try {
    created = (await governance.identity.bootstrap(config.adminKey === '' ? undefined : config.adminKey))
      .created;
  } catch (e) {
    throw new ConfigError(`invalid URBIS_ADMIN_KEY: ${(e as Error).message}`);
  }
  if (created === undefined) return;
  process.stdout.write(
    [
      '',
      '  Urbis made a platform administrator API key. It is shown now and never again:',
      '',
      `      ${created}`,
      '',
      '  Use it as "Authorization: Bearer <key>". Keep it in a secret store; make other keys',
      '  with it (POST /admin/keys or `urbis keys create`). Set URBIS_ADMIN_KEY to choose your own.',
      '',
      '',
    ].join('\n'),
  );
}

/** Listening beyond loopback without TLS and without a proxy in front sends keys in clear text. */
function warnIfExposed(config: Config, logger: Logger): void {
  const warning = exposureWarning(config);
  if (warning !== undefined) logger.warn({ host: config.host }, warning);
}

/** The warning for a configuration that exposes the API unencrypted; undefined when it does not. */
export function exposureWarning(
  config: Pick<Config, 'host' | 'tlsCert' | 'behindProxy'>,
): string | undefined {
  if (config.tlsCert !== '' || config.behindProxy) return undefined;
  let loopback = config.host === 'localhost';
  if (ipaddr.isValid(config.host)) loopback = ipaddr.process(config.host).range() === 'loopback';
  if (loopback) return undefined;
  return 'listening beyond loopback without TLS: API keys and data travel in clear text; set --tls-cert/--tls-key or put a TLS proxy in front (--behind-proxy)';
}

function oidcSettings(config: Config): OidcSettings {
  let roleMap: Record<string, string>;
  try {
    roleMap = config.oidcRoleMap === '' ? {} : parseRoleMap(config.oidcRoleMap);
  } catch (e) {
    throw new ConfigError(`invalid --oidc-role-map: ${(e as Error).message}`);
  }
  return {
    issuer: config.oidcIssuer,
    audience: config.oidcAudience,
    ...(config.oidcJwksUri !== '' ? { jwksUri: config.oidcJwksUri } : {}),
    algorithms: config.oidcAlgorithms,
    rolesClaim: config.oidcRolesClaim,
    ...(config.oidcTenantClaim !== '' ? { tenantClaim: config.oidcTenantClaim } : {}),
    roleMap,
    clockToleranceSec: 30,
    timeoutMs: config.contextTimeoutMs,
  };
}

/** Log the audit chain's head at most once a minute: shipped logs then anchor the chain's tail. */
function throttledHeadLog(logger: Logger): (head: { seq: number; hash: string }) => void {
  let last = 0;
  return (head) => {
    const now = Date.now();
    if (now - last < 60_000) return;
    last = now;
    logger.info({ auditHead: head }, 'audit chain head');
  };
}
