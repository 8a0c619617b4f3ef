/**
 * The NGSI-LD API plugin: body parsers for the NGSI-LD media types and every route under /ngsi-ld/v1.
 */
import type { FastifyInstance } from 'fastify';
import { attrsRoutes } from './attrs-routes.js';
import { batchRoutes } from './batch-routes.js';
import { contextsRoutes } from './contexts-routes.js';
import type { NgsiDeps } from './deps.js';
import { discoveryRoutes } from './discovery-routes.js';
import { entityRoutes } from './entities-routes.js';
import { queryRoutes } from './query-routes.js';
import { subscriptionRoutes } from './subscription-routes.js';
import { temporalRoutes } from './temporal-routes.js';

/** Mount the NGSI-LD API. */
export function ngsiLdApi(app: FastifyInstance, deps: NgsiDeps): void {
  entityRoutes(app, deps);
  attrsRoutes(app, deps);
  queryRoutes(app, deps);
  batchRoutes(app, deps);
  discoveryRoutes(app, deps);
  contextsRoutes(app, deps);
  temporalRoutes(app, deps);
  subscriptionRoutes(app, deps);
}

export type { NgsiDeps } from './deps.js';
