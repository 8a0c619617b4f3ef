/**
 * Alert rules of the tenant (`/alerts/rules`): list, create (POST, 201 + Location), read as written,
 * create or replace (PUT, the id from the path), delete. The rule book validates documents and
 * answers 400 naming the member at fault; every change is audited.
 */
import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../../core/errors.js';
import type { RuleEntry } from '../../alerts/rule-book.js';
import { audited } from '../admin/audited.js';
import { listOf } from '../admin/schemas.js';
import { requestProblem } from '../admin/validation.js';
import { scopeOf, tenantOf } from '../ngsi-ld/ld-request.js';
import type { AlertApiDeps } from './deps.js';
import { alertRoute, ruleBody, ruleParams, ruleView } from './schemas.js';

type RuleParams = { ruleId: string };

export function ruleRoutes(app: FastifyInstance, deps: AlertApiDeps): void {
  const rules = deps.alerts.rules;

  app.get(
    '/alerts/rules',
    alertRoute('List the alert rules of the tenant', { response: { 200: listOf(ruleView) } }),
    async (request) => {
      requestProblem(request);
      return (await rules.list(tenantOf(request))).map(asWritten);
    },
  );

  app.post<{ Body: unknown }>(
    '/alerts/rules',
    alertRoute('Create an alert rule (409 when its id is taken)', {
      body: ruleBody,
      response: { 201: ruleView },
    }),
    async (request, reply) => {
      const id = idOf(request.body);
      const { entry } = await audited(request, deps, 'alert-rule.create', id, () =>
        rules.put(scopeOf(request), request.body, 'create'),
      );
      reply.status(201).header('Location', `/alerts/rules/${encodeURIComponent(entry.rule.id)}`);
      return asWritten(entry);
    },
  );

  app.get<{ Params: RuleParams }>(
    '/alerts/rules/:ruleId',
    alertRoute('An alert rule as written', { params: ruleParams, response: { 200: ruleView } }),
    async (request) => {
      requestProblem(request);
      const entry = await rules.get(tenantOf(request), request.params.ruleId);
      if (entry === undefined) throw notFound(`alert rule ${request.params.ruleId} not found`);
      return asWritten(entry);
    },
  );

  app.put<{ Params: RuleParams; Body: unknown }>(
    '/alerts/rules/:ruleId',
    alertRoute('Create (201) or replace (200) an alert rule', {
      params: ruleParams,
      body: ruleBody,
      response: { 200: ruleView, 201: ruleView },
    }),
    async (request, reply) => {
      const id = request.params.ruleId;
      const { entry, created } = await audited(
        request,
        deps,
        'alert-rule.put',
        id,
        () => rules.put(scopeOf(request), withPathId(request.body, id), 'put'),
        (r) => ({ created: r.created }),
      );
      if (created) reply.status(201).header('Location', `/alerts/rules/${encodeURIComponent(id)}`);
      return asWritten(entry);
    },
  );

  app.delete<{ Params: RuleParams }>(
    '/alerts/rules/:ruleId',
    alertRoute('Delete an alert rule (its open alerts clear)', { params: ruleParams }),
    async (request, reply) => {
      const id = request.params.ruleId;
      await audited(request, deps, 'alert-rule.delete', id, () => rules.delete(scopeOf(request), id));
      return reply.status(204).send();
    },
  );
}

/** The document as the operator wrote it, with its instants. */
function asWritten(entry: RuleEntry): Record<string, unknown> {
  return {
    ...entry.raw,
    ...(entry.createdAt !== undefined ? { createdAt: entry.createdAt } : {}),
    ...(entry.modifiedAt !== undefined ? { modifiedAt: entry.modifiedAt } : {}),
  };
}

/** The id a POST body names, for the audit entry (the rule book validates it). */
function idOf(body: unknown): string | undefined {
  const id = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).id : undefined;
  return typeof id === 'string' ? id.slice(0, 64) : undefined;
}

/** The body with the path's id: filled in when absent, refused when it names another rule. */
function withPathId(body: unknown, id: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('an alert rule must be a JSON object');
  const doc = body as Record<string, unknown>;
  if (doc.id === undefined) return { ...doc, id };
  if (doc.id !== id) throw badRequest(`rule id ${JSON.stringify(doc.id)} does not match the path (${id})`);
  return doc;
}
