/**
 * The admin API (`/admin/...`): principals and API keys, the tenant's access policy and its
 * versions, the audit log, the data-governance registry, erasure of a person's data and retention.
 * Every route needs the `admin` action in the addressed tenant (NGSILD-Tenant), checked by the
 * security gate; every call is audited by the route itself, in detail, before it answers.
 */
import type { FastifyInstance } from 'fastify';
import { auditRoutes } from './audit-routes.js';
import type { AdminDeps } from './deps.js';
import { governanceRoutes } from './governance-routes.js';
import { keyRoutes } from './key-routes.js';
import { policyRoutes } from './policy-routes.js';
import { principalRoutes } from './principal-routes.js';
import { privacyRoutes } from './privacy-routes.js';
import { tenantRoutes } from './tenant-routes.js';

export function adminApi(app: FastifyInstance, deps: AdminDeps): void {
  principalRoutes(app, deps);
  keyRoutes(app, deps);
  policyRoutes(app, deps);
  auditRoutes(app, deps);
  governanceRoutes(app, deps);
  privacyRoutes(app, deps);
  tenantRoutes(app, deps);
}

export type { AdminDeps } from './deps.js';
