/**
 * Alerts of the tenant (`/alerts`): a page newest first (NGSILD-Results-Count holds the total), one
 * alert, and the people's side of the lifecycle — acknowledge, clear. Alerts are NGSI-LD entities
 * (type Alert) as well; these routes are the convenient, flat view of them. Acknowledging and
 * clearing are audited.
 */
import type { FastifyInstance } from 'fastify';
import type { AlertStatus } from '../../alerts/alert-entity.js';
import { actorOf, audited } from '../admin/audited.js';
import { listOf } from '../admin/schemas.js';
import { requestProblem } from '../admin/validation.js';
import { scopeOf } from '../ngsi-ld/ld-request.js';
import type { AlertApiDeps } from './deps.js';
import {
  alertParams,
  alertRoute,
  alertView,
  DEFAULT_ALERT_PAGE,
  listAlertsQuery,
  MAX_ALERT_PAGE,
} from './schemas.js';
import { badRequest } from '../../core/errors.js';

type AlertParams = { alertId: string };
type ListQuery = { status?: string; limit?: string; offset?: string };

export function alertRoutes(app: FastifyInstance, deps: AlertApiDeps): void {
  const engine = deps.alerts.engine;

  app.get<{ Querystring: ListQuery }>(
    '/alerts',
    alertRoute('Alerts of the tenant, newest first', {
      querystring: listAlertsQuery,
      response: { 200: listOf(alertView) },
    }),
    async (request, reply) => {
      requestProblem(request);
      const q = request.query;
      const limit = q.limit === undefined ? DEFAULT_ALERT_PAGE : Number(q.limit);
      if (limit < 1 || limit > MAX_ALERT_PAGE) throw badRequest(`limit must be from 1 to ${MAX_ALERT_PAGE}`);
      const statuses = q.status === undefined ? [] : ([...new Set(q.status.split(','))] as AlertStatus[]);
      const page = await engine.list(scopeOf(request), { statuses, limit, offset: Number(q.offset ?? 0) });
      reply.header('NGSILD-Results-Count', String(page.count));
      return page.items;
    },
  );

  app.get<{ Params: AlertParams }>(
    '/alerts/:alertId',
    alertRoute('One alert', { params: alertParams, response: { 200: alertView } }),
    async (request) => {
      requestProblem(request);
      return engine.get(scopeOf(request), request.params.alertId);
    },
  );

  app.post<{ Params: AlertParams }>(
    '/alerts/:alertId/acknowledge',
    alertRoute('Acknowledge an active alert (409 once cleared)', {
      params: alertParams,
      response: { 200: alertView },
    }),
    async (request) =>
      audited(request, deps, 'alert.acknowledge', request.params.alertId, () =>
        engine.acknowledge(scopeOf(request), request.params.alertId, actorOf(request)),
      ),
  );

  app.post<{ Params: AlertParams }>(
    '/alerts/:alertId/clear',
    alertRoute('Clear an alert by hand', { params: alertParams, response: { 200: alertView } }),
    async (request) =>
      audited(request, deps, 'alert.clear', request.params.alertId, () =>
        engine.clear(scopeOf(request), request.params.alertId, actorOf(request)),
      ),
  );
}
