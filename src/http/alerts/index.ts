/**
 * The alerts API (issue #7): rules (`/alerts/rules`) and alerts (`/alerts`, acknowledge, clear),
 * tagged Alerts in /openapi.json. What each route requires is decided in the security gate's one
 * table (src/http/security/route-actions.ts): reads a read, changes an authenticated write.
 */
import type { FastifyInstance } from 'fastify';
import { alertRoutes } from './alert-routes.js';
import type { AlertApiDeps } from './deps.js';
import { ruleRoutes } from './rule-routes.js';

/** The OpenAPI tag of these routes (add it to the app's tag list). */
export const ALERTS_TAG = {
  name: 'Alerts',
  description: 'Alert rules and alerts (active → acknowledged → cleared)',
};

export function alertsApi(app: FastifyInstance, deps: AlertApiDeps): void {
  ruleRoutes(app, deps);
  alertRoutes(app, deps);
}

export type { AlertApiDeps } from './deps.js';
