/**
 * The device API: provisioning (profiles, devices, credentials) and commands for people, and the
 * ways devices and network servers post telemetry (HTTP ingest, ChirpStack and The Things Stack
 * webhooks, the FIWARE IoT Agent JSON and ThingsBoard dialects). What each route requires is in
 * src/http/security/route-actions.ts; device routes authenticate the device credential themselves.
 */
import type { FastifyInstance } from 'fastify';
import { commandRoutes } from './command-routes.js';
import type { DeviceApiDeps } from './deps.js';
import { ingestRoutes } from './ingest-routes.js';
import { iotAgentRoutes } from './iota-routes.js';
import { lorawanRoutes } from './lorawan-routes.js';
import { provisioningRoutes } from './provisioning-routes.js';
import { thingsboardRoutes } from './thingsboard-routes.js';

export function deviceApi(app: FastifyInstance, deps: DeviceApiDeps): void {
  provisioningRoutes(app, deps);
  commandRoutes(app, deps);
  ingestRoutes(app, deps);
  lorawanRoutes(app, deps);
  iotAgentRoutes(app, deps);
  thingsboardRoutes(app, deps);
}

export type { DeviceApiDeps } from './deps.js';
