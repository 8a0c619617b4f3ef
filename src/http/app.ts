/**
 * The HTTP app: one Fastify instance with the NGSI-LD API, the operations endpoints, the OpenAPI
 * document (/openapi.json) and its reference page (/docs). Routes are a thin skin over services.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
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
import { ngsiLdApi } from './ngsi-ld/index.js';
import { installMetrics, installNotifierMetrics } from './metrics.js';
import { opsRoutes } from './ops-routes.js';
import { installProblemHandlers } from './problem.js';
import type { Store } from '../store/port.js';

/** What the app is built from. */
export interface AppDeps {
  config: Pick<Config, 'maxBodyBytes' | 'defaultLimit' | 'maxLimit'>;
  store: Store;
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
  });
  // NGSI-LD bodies are JSON only: drop Fastify's text/plain parser so anything else is a 415.
  app.removeContentTypeParser('text/plain');
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser(
    ['application/ld+json', 'application/merge-patch+json'],
    { parseAs: 'string' },
    jsonParser,
  );
  installProblemHandlers(app);
  // Clause 6.3.14: the tenant a request addressed is named in its response.
  app.addHook('onSend', async (request, reply) => {
    const tenant = request.headers['ngsild-tenant'];
    if (typeof tenant === 'string') reply.header('NGSILD-Tenant', tenant);
  });
  const registry = installMetrics(app, { processMetrics: deps.processMetrics ?? false });

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
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const store = deps.store;
  const hostedContexts = new HostedContextService(store, deps.now);
  const contexts = deps.contextSource(hostedContexts);
  const subscriptions = new SubscriptionService({
    store,
    contexts,
    endpointPolicy: deps.endpointPolicy ?? deps.guard,
    ...(deps.now ? { now: deps.now } : {}),
    onError: (err, where) => app.log.error({ err, ...where }, 'subscription processing failed'),
  });
  // Subscriptions first (the reactor and the notifier's source need them loaded), then delivery.
  await subscriptions.start();
  store.setReactor(subscriptions.react);
  const notifier =
    deps.notify === false
      ? undefined
      : new Notifier({
          store,
          source: subscriptions,
          guard: deps.guard,
          ...(deps.logger ? { logger: deps.logger } : {}),
          ...(deps.delivery ? { delivery: deps.delivery } : {}),
        });
  await notifier?.start();
  if (notifier) {
    const dispatcher = notifier.dispatcher;
    installNotifierMetrics(registry, { stats: () => dispatcher.stats(), pending: () => store.outbox.size() });
  }
  // onClose runs once the server stopped accepting and finished in-flight requests.
  app.addHook('onClose', async () => {
    store.setReactor(undefined);
    await subscriptions.stop();
    await notifier?.stop();
  });
  ngsiLdApi(app, {
    entities: new EntityService({ store, ...(deps.now ? { now: deps.now } : {}) }),
    discovery: new DiscoveryService(store),
    hostedContexts,
    contexts,
    temporal: new TemporalService({ store }),
    subscriptions,
    limits: {
      defaultLimit: deps.config.defaultLimit,
      maxLimit: deps.config.maxLimit,
      maxBatch: MAX_BATCH,
      maxInstances: deps.maxInstances ?? MAX_INSTANCES,
    },
  });
  opsRoutes(app, { store, registry });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
