/**
 * The FIWARE IoT Agent JSON dialect on Urbis's one HTTP port: the provisioning API (`/iot/services`,
 * `/iot/devices`) and the southbound measure endpoint (`/iot/json`). See iota-provisioning-routes.ts
 * and iota-measure-routes.ts; the dialect's logic is in src/devices/dialects.
 */
import type { FastifyInstance } from 'fastify';
import { openIotaDialect } from '../../devices/dialects/iota-dialect.js';
import type { DeviceApiDeps } from './deps.js';
import { iotaMeasureRoutes } from './iota-measure-routes.js';
import { iotaProvisioningRoutes } from './iota-provisioning-routes.js';

export function iotAgentRoutes(app: FastifyInstance, deps: DeviceApiDeps): void {
  const iota = openIotaDialect({ store: deps.store, registry: deps.devices.registry });
  iotaProvisioningRoutes(app, deps, iota);
  iotaMeasureRoutes(app, deps.devices.ingress, iota.authority);
}
