/**
 * The HTTP app: one Fastify instance with the NGSI-LD API, the operations endpoints, the OpenAPI
 * document (/openapi.json) and its reference page (/docs). Routes are a thin skin over services.
 */
import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { NgsiError } from '../core/errors.js';
import type { Governance } from '../governance/governance.js';
import type { Config } from '../cli/config.js';
import { DiscoveryService } from '../context/discovery-service.js';
import { EntityService } from '../context/entities/entity-service.js';
import { HostedContextService } from '../context/hosted-contexts.js';
import { TemporalService } from '../context/temporal/temporal-service.js';
import type { AddressGuard } from '../context/net/address-guard.js';
import type { EndpointPolicy } from '../context/notify/contracts.js';
import type { DispatcherOptions } from '../context/notify/dispatcher.js';
import { Notifier } from '../context/notify/notifier.js';
import { SubscriptionService } from '../context/subscriptions/subscription-service.js';
import type { ContextSource } from './ngsi-ld/ld-request.js';
import { securityHeaders } from './security/security-headers.js';
import { ngsiLdApi } from './ngsi-ld/index.js';
import { adminApi } from './admin/index.js';
import {
  installDeviceMetrics,
  installGovernanceMetrics,
  installMetrics,
  installNotifierMetrics,
  installStoreMetrics,
} from './metrics.js';
import { jsonDepthExceeds } from './security/json-depth.js';
import { installSecurity } from './security/security.js';
import { TokenBucketLimiter } from '../core/rate/token-bucket.js';
import { opsRoutes } from './ops-routes.js';
import { installProblemHandlers } from './problem.js';
import type { Store } from '../store/port.js';
import { openDevices, type Devices } from '../devices/devices.js';
import { deviceApi } from './devices/index.js';
import { jobGate } from '../bus/job-gate.js';
import { CLUSTER_RESCAN_MS, joinCluster } from '../context/cluster/cluster.js';
import type { Bus } from '../bus/port.js';
import { LiveFeed } from '../context/live/live-feed.js';
import { openAlerts, type Alerts } from '../alerts/alerts.js';
import { alertsApi, ALERTS_TAG } from './alerts/index.js';
import { liveRoutes } from './live/live-routes.js';
import { dashboard, type DashboardOptions } from './web/dashboard.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The devices module (registry, ingest, commands): transports outside HTTP (MQTT, CoAP) use it. */
    devices: Devices;
    /** Alert rules and their evaluation on the change stream (tests tick its timer themselves). */
    alerts: Alerts;
  }
}

/** What the app is built from. */
export interface AppDeps {
  config: Pick<
    Config,
    | 'maxBodyBytes'
    | 'defaultLimit'
    | 'maxLimit'
    | 'rateLimit'
    | 'anonymousRateLimit'
    | 'corsOrigins'
    | 'maxJsonDepth'
  >;
  store: Store;
  /** Identity, policies, audit and privacy (openGovernance). */
  governance: Governance;
  /** Trust X-Forwarded-* (a reverse proxy terminates TLS in front). */
  trustProxy?: boolean;
  /** Serve HTTPS with this certificate and key (PEM). */
  https?: { cert: Buffer; key: Buffer };
  /** Resolves @context values; built with the hosted-context lookup by `makeContextSource`. */
  contextSource: (hosted: HostedContextService) => ContextSource;
  logger?: FastifyBaseLogger;
  /** Collect process metrics (off in tests that build many apps). */
  processMetrics?: boolean;
  now?: () => string;
  /** Instances per attribute in one temporal answer (default MAX_INSTANCES; tests page with less). */
  maxInstances?: number;
  /**
   * The SSRF guard (built from `config.allowPrivateEndpoints`): notifications connect only where it
   * allows, and it vets subscription endpoints.
   */
  guard: AddressGuard;
  /** Vets subscription endpoints instead of the guard (tests that record what was vetted). */
  endpointPolicy?: EndpointPolicy;
  /** Deliver notifications (default true; tests that inspect the outbox turn it off). */
  notify?: boolean;
  /** Delivery settings (defaults in DISPATCHER_DEFAULTS). */
  delivery?: DispatcherOptions;
  /** How often silent devices are looked for (default 30 s; 0: only when a test sweeps). */
  deviceSweepMs?: number;
  /** Largest device message in bytes, on every transport (default 64 KiB). */
  deviceMaxPayloadBytes?: number;
  /**
   * The bus shared by the replicas (`--bus`): periodic jobs (the offline sweep, command expiry) then
   * run on one replica at a time, each subscription is delivered by one replica, and subscription
   * changes and outbox wake-ups reach every replica (src/context/cluster). Absent: one process.
   */
  bus?: Pick<Bus, 'acquire' | 'publish' | 'subscribe'>;
  /** How often no-data alert rules are checked (default 10 s; 0: only when a test ticks). */
  alertTickMs?: number;
  /** Serve the dashboard (web/dist) at `/` with this configuration (absent: API only). */
  dashboard?: DashboardOptions;
}

/** Largest batch accepted by /entityOperations/*. */
export const MAX_BATCH = 10_000;

/** Most instances of one attribute in one temporal answer; longer histories are paged (206, clause 6.3.10). */
export const MAX_INSTANCES = 10_000;

/** Build the app (not yet listening). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    // One log line per request would cost more than the request itself at 10,000 req/s; errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.config.maxBodyBytes,
    // Entity ids are URIs and can be long; Fastify's default would answer 404 past 100 characters.
    routerOptions: { maxParamLength: 4096 },
    // Unknown query parameters must be refused (400), not silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    return503OnClosing: true,
    trustProxy: deps.trustProxy ?? false,
    ...(deps.https ? { https: deps.https } : {}),
    // A random request id (audit entries and logs name it); a client's X-Request-Id is kept when sane.
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._:-]{8,128}$/.test(given) ? given : randomUUID();
    },
  });
  // NGSI-LD bodies are JSON only: drop Fastify's text/plain parser so anything else is a 415.
  app.removeContentTypeParser(['text/plain', 'application/json']);
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  const maxDepth = deps.config.maxJsonDepth;
  // Hostile nesting is refused on the raw text, before any recursive code (JSON-LD, parsers) sees it.
  app.addContentTypeParser(
    ['application/json', 'application/ld+json', 'application/merge-patch+json'],
    { parseAs: 'string' },
    (request, body, done) => {
      if (jsonDepthExceeds(body as string, maxDepth)) {
        done(new NgsiError('BadRequestData', `JSON nested deeper than ${maxDepth} levels`), undefined);
        return;
      }
      jsonParser(request, body as string, done);
    },
  );
  installProblemHandlers(app);
  app.addHook('onSend', async (request, reply) => {
    reply.header('X-Request-Id', String(request.id));
  });
  const governance = deps.governance;
  const rate = deps.config.rateLimit;
  const anonymousRate = deps.config.anonymousRateLimit;
  // Security headers: an API and its documentation page; nothing is framed or sniffed. Set on the
  // raw response, so that streamed answers (the live feed) carry them too.
  const security = securityHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        // The dashboard signs in at the configured OpenID Connect issuer (discovery and token
        // exchange from the page); nothing else beyond this origin.
        connectSrc: ["'self'", ...issuerOrigin(deps.dashboard)],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        // MapLibre GL (the dashboard's map) runs its tile and layout work in a worker made from a blob.
        workerSrc: ["'self'", 'blob:'],
        childSrc: ["'self'", 'blob:'],
        frameAncestors: ["'none'"],
      },
    },
  });
  app.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of security) reply.raw.setHeader(name, value);
    done();
  });
  if (deps.config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: [...deps.config.corsOrigins],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'Link', 'NGSILD-Tenant', 'X-Request-Id'],
      exposedHeaders: [
        'Location',
        'Link',
        'NGSILD-Results-Count',
        'NGSILD-Tenant',
        'Content-Range',
        'X-Request-Id',
      ],
      maxAge: 600,
    });
  }
  // Clause 6.3.14: the tenant a request addressed is named in its response.
  app.addHook('onSend', async (request, reply) => {
    const tenant = request.headers['ngsild-tenant'];
    if (typeof tenant === 'string') reply.header('NGSILD-Tenant', tenant);
  });
  const registry = installMetrics(app, { processMetrics: deps.processMetrics ?? false });
  const governanceMetrics = installGovernanceMetrics(registry, governance.privacy);
  installStoreMetrics(registry, deps.store);
  installSecurity(app, {
    authenticator: governance.authenticator,
    policies: governance.policies,
    audit: governance.audit,
    ...(rate > 0 ? { principalLimiter: new TokenBucketLimiter({ ratePerSec: rate, burst: 2 * rate }) } : {}),
    ...(anonymousRate > 0
      ? { anonymousLimiter: new TokenBucketLimiter({ ratePerSec: anonymousRate, burst: 2 * anonymousRate }) }
      : {}),
    onDenied: (reason) => governanceMetrics.denied(reason),
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Urbis API',
        version: '0.1.0',
        description: 'NGSI-LD context broker (ETSI GS CIM 009 v1.8) and operations endpoints of Urbis.',
      },
      tags: [
        { name: 'Entities', description: 'NGSI-LD entities (clause 5.6, 5.7)' },
        { name: 'Attributes', description: 'Attributes of an entity' },
        { name: 'Batch', description: 'Batch operations and POST query' },
        { name: 'Discovery', description: 'Types and attributes in use' },
        { name: 'Contexts', description: 'Hosted JSON-LD @context documents' },
        { name: 'Temporal', description: 'Temporal evolution of entities (clause 5.6.11 – 5.7.4)' },
        { name: 'Subscriptions', description: 'Context subscriptions (clause 5.8)' },
        { name: 'Operations', description: 'Health, readiness and metrics' },
        { name: 'Admin', description: 'Principals, API keys, policies, audit log, data governance' },
        { name: 'Devices', description: 'Device profiles, devices, credentials, commands and device ingest' },
        ALERTS_TAG,
      ],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An Urbis API key (urbis_…) or a JWT from the configured OpenID Connect issuer',
          },
        },
      },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const store = deps.store;
  const hostedContexts = new HostedContextService(store, deps.now);
  const contexts = deps.contextSource(hostedContexts);
  const cluster = deps.bus
    ? joinCluster(deps.bus, store, (err) => app.log.error({ err }, 'cluster'))
    : undefined;
  const subscriptions = new SubscriptionService({
    store,
    contexts,
    ...(cluster ? { announce: cluster.announce, deliveryGate: cluster.gate } : {}),
    endpointPolicy: deps.endpointPolicy ?? deps.guard,
    ...(deps.now ? { now: deps.now } : {}),
    ownerAccess: (tenant, owner) =>
      governance.policies.accessNow(tenant, {
        id: owner.principal,
        kind: owner.via === 'anonymous' ? 'anonymous' : 'user',
        tenant: owner.tenant,
        roles: owner.roles,
        via: owner.via,
      }),
    onError: (err, where) => app.log.error({ err, ...where }, 'subscription processing failed'),
  });
  const entities = new EntityService({
    store,
    ingest: governance.privacy,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const devices = openDevices({
    store,
    entities,
    contexts,
    ...(deps.deviceSweepMs !== undefined ? { sweepIntervalMs: deps.deviceSweepMs } : {}),
    ...(deps.deviceMaxPayloadBytes !== undefined ? { maxPayloadBytes: deps.deviceMaxPayloadBytes } : {}),
    ...(deps.bus ? { exclusive: jobGate(deps.bus) } : {}),
    onRefused: (transport, reason, detail) =>
      app.log.info({ transport, reason, detail }, 'device message refused'),
    audit: governance.audit,
    onError: (err, where) => app.log.error({ err, where }, 'device processing failed'),
  });
  app.decorate('devices', devices);
  installDeviceMetrics(registry, devices);
  devices.start();
  // Subscriptions first (the reactor and the notifier's source need them loaded), then delivery.
  await subscriptions.start();
  await cluster?.start((key) => subscriptions.refresh(key));
  // Subscriptions decide in the transaction (a throw fails the change); commands only observe it.
  const alerts = openAlerts({
    store,
    entities,
    contexts,
    subscriptions,
    ...(deps.alertTickMs !== undefined ? { tickMs: deps.alertTickMs } : {}),
    ...(deps.now ? { now: () => Date.parse(deps.now!()) } : {}),
    onError: (err, where) => app.log.error({ err, where }, 'alert processing failed'),
  });
  app.decorate('alerts', alerts);
  await alerts.start();
  const live = new LiveFeed((err) => app.log.error({ err }, 'live feed'));
  // Each observer only notes the change; its work runs after the commit (they never throw).
  store.setReactor((change) => {
    const notices = subscriptions.react(change);
    devices.commands.observe(change);
    alerts.observe(change);
    live.observe(change);
    return notices;
  });
  const notifier =
    deps.notify === false
      ? undefined
      : new Notifier({
          store: cluster ? { outbox: store.outbox, onOutbox: cluster.relay.onOutbox } : store,
          source: subscriptions,
          guard: deps.guard,
          ...(deps.logger ? { logger: deps.logger } : {}),
          ...(cluster
            ? { gate: cluster.gate, delivery: { rescanMs: CLUSTER_RESCAN_MS, ...deps.delivery } }
            : deps.delivery
              ? { delivery: deps.delivery }
              : {}),
        });
  await notifier?.start();
  if (notifier) {
    const dispatcher = notifier.dispatcher;
    installNotifierMetrics(registry, { stats: () => dispatcher.stats(), pending: () => store.outbox.size() });
  }
  // onClose runs once the server stopped accepting and finished in-flight requests.
  app.addHook('onClose', async () => {
    // Devices first: what waits in the ingest queue is committed while the store is still open.
    await devices.close();
    store.setReactor(undefined);
    await alerts.stop();
    await subscriptions.stop();
    await notifier?.stop();
    await cluster?.stop();
    await governance.close();
  });
  ngsiLdApi(app, {
    entities,
    discovery: new DiscoveryService(store),
    hostedContexts,
    contexts,
    temporal: new TemporalService({ store, ingest: governance.privacy }),
    subscriptions,
    limits: {
      defaultLimit: deps.config.defaultLimit,
      maxLimit: deps.config.maxLimit,
      maxBatch: MAX_BATCH,
      maxInstances: deps.maxInstances ?? MAX_INSTANCES,
    },
  });
  adminApi(app, { governance, subscriptions, store, contexts });
  deviceApi(app, { devices, governance, store, contexts });
  opsRoutes(app, { store, registry });
  alertsApi(app, { alerts, governance });
  liveRoutes(app, { feed: live, contexts });
  if (deps.dashboard) await dashboard(app, deps.dashboard);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

/** The origin of the dashboard's OpenID Connect issuer, when one is configured. */
function issuerOrigin(dashboard: DashboardOptions | undefined): string[] {
  const issuer = dashboard?.config.oidc?.issuer;
  return issuer !== undefined && URL.canParse(issuer) ? [new URL(issuer).origin] : [];
}
