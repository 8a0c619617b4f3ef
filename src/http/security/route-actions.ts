/**
 * What every route requires, decided in one table rather than on each route, so that a route nobody
 * thought about is denied: anything not listed needs a platform principal. `public` routes need no
 * credential at all (liveness, the API documentation); for the others the tenant's policy decides.
 */
import type { Action } from '../../governance/policy/model.js';

/**
 * `public`: anyone; `platform`: a principal of every tenant; `authenticated`: any principal of the
 * tenant plus the action; `device`: no principal at the gate — the route itself authenticates a device
 * credential or an integration secret (and a request without one is refused there).
 */
export type Requirement =
  | { kind: 'public' }
  | { kind: 'device' }
  | { kind: 'platform' }
  | { kind: 'action'; action: Action; authenticated?: boolean };

const PUBLIC = /^\/(health|ready|openapi\.json|docs(\/.*)?|dashboard\/config|basemap\.pmtiles)$/;
/**
 * The dashboard's built files (src/http/web/dashboard.ts): a page and its scripts, no data. The
 * extensions are those a build writes; no API route has one (openapi.json is public anyway).
 */
const DASHBOARD_FILES = /^\/(|[\w.-]+\.(html|js|css|svg|png|ico|webmanifest|txt)|assets\/.*)$/;
/**
 * Alert rules and alerts (src/http/alerts): reading them is a read (of Alert and AlertRule entities,
 * which the tenant's policy may open, as the demo city's does); changing a rule, acknowledging or
 * clearing an alert is an authenticated write (an operator acts; a viewer watches).
 */
const ALERTS = /^\/alerts(\/|$)/;
const NGSI = '/ngsi-ld/v1/';
/** Where devices post telemetry with their own credentials (src/http/devices). */
const DEVICE_ROUTES = /^\/(ingest(\/.*)?|iot\/json|api\/v1\/:token\/.*)$/;
/** Provisioning (profiles, devices, credentials; IoT Agent provisioning) and commands. */
const DEVICE_ADMIN = /^\/(devices|device-profiles|commands|iot\/(services|devices))(\/|$)/;
/**
 * LoRaWAN network servers post uplinks with an API key of their own service principal (one per
 * integration: its secret header, revocable and expiring like any key): writing data in the tenant.
 */
const INTEGRATIONS = /^\/integrations\//;

/** The requirement of a route (its URL pattern as registered) and method. */
export function requirementOf(method: string, route: string): Requirement {
  if (PUBLIC.test(route)) return { kind: 'public' };
  if ((method === 'GET' || method === 'HEAD') && DASHBOARD_FILES.test(route)) return { kind: 'public' };
  // The live feed is a read of the tenant's entities, filtered per attribute like any read.
  if (route === '/live') return { kind: 'action', action: 'read' };
  if (ALERTS.test(route))
    return method === 'GET' || method === 'HEAD'
      ? { kind: 'action', action: 'read' }
      : { kind: 'action', action: 'write', authenticated: true };
  if (route.startsWith('/admin/')) return { kind: 'action', action: 'admin', authenticated: true };
  if (DEVICE_ROUTES.test(route)) return { kind: 'device' };
  if (INTEGRATIONS.test(route)) return { kind: 'action', action: 'write', authenticated: true };
  if (DEVICE_ADMIN.test(route)) {
    if (method === 'GET' || method === 'HEAD') return { kind: 'action', action: 'read', authenticated: true };
    // Sending a command to an actuator is its own action (a viewer may read devices, not drive signals).
    if (/\/commands(\/|$)/.test(route)) return { kind: 'action', action: 'command', authenticated: true };
    return { kind: 'action', action: 'admin', authenticated: true };
  }
  if (!route.startsWith(NGSI)) return { kind: 'platform' };
  const path = route.slice(NGSI.length);
  const reads = method === 'GET' || method === 'HEAD';
  // @context documents are shared by every tenant: publishing or deleting one is an administrator's act.
  if (path.startsWith('jsonldContexts')) return { kind: 'action', action: reads ? 'read' : 'admin' };
  // Subscriptions deliver reads; each principal manages its own (src/context/subscriptions).
  if (path.startsWith('subscriptions')) return { kind: 'action', action: 'read', authenticated: true };
  if (path === 'entityOperations/query' || path === 'temporal/entityOperations/query')
    return { kind: 'action', action: 'read' };
  return { kind: 'action', action: reads ? 'read' : 'write' };
}
