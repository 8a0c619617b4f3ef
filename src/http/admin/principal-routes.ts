/**
 * Admin routes for principals — the users and service accounts of the addressed tenant, with their
 * roles: create (201 + Location), list, retrieve, change (roles, description, disabled) and delete.
 * Deleting a principal also revokes its keys and deletes its subscriptions, so that nothing keeps
 * acting in its name. Principals are addressed by (tenant, id): another tenant's are simply not there.
 *
 * Every route validates with `attachValidation`, so that a malformed request still reaches `audited`
 * and is recorded as a failure (a schema error raised before the handler would leave no trace), and
 * so that the 400 can name the member at fault. `requestProblem` does that for every admin route file.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NgsiError } from '../../core/errors.js';
import type { PrincipalRecord } from '../../store/governance-port.js';
import { tenantOf } from '../ngsi-ld/ld-request.js';
import { audited } from './audited.js';
import { ADMIN, type AdminDeps } from './deps.js';

const TAGS = ['Admin'];

/** No query parameters. */
export const noAdminQs = { type: 'object', additionalProperties: false, properties: {} } as const;

const text = (description: string) => ({ type: 'string', description }) as const;

const principalParams = {
  type: 'object',
  properties: { principalId: text('Principal id') },
  required: ['principalId'],
} as const;

const roles = {
  type: 'array',
  items: { type: 'string' },
  maxItems: 32,
  description: 'Role names; what each may do is said by the tenant policy',
} as const;

const newPrincipalBody = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'kind', 'roles'],
  properties: {
    id: text('1–128 characters of letters, digits and _ . @ : -'),
    kind: { type: 'string', enum: ['user', 'service'] },
    roles,
    description: { type: 'string', maxLength: 500 },
  },
} as const;

const principalChangeBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    roles,
    description: { type: 'string', maxLength: 500 },
    disabled: { type: 'boolean', description: 'A disabled principal’s credentials are refused' },
  },
} as const;

/** What an administrator sees of a principal (declared: the serializer drops anything else). */
const principalView = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    tenant: { type: 'string' },
    kind: { type: 'string', enum: ['user', 'service'] },
    roles: { type: 'array', items: { type: 'string' } },
    description: { type: 'string' },
    disabled: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

interface NewPrincipalBody {
  id: string;
  kind: 'user' | 'service';
  roles: string[];
  description?: string;
}

interface PrincipalChange {
  roles?: string[];
  description?: string;
  disabled?: boolean;
}

type IdParams = { principalId: string };

/** Mount the principal routes. */
export function principalRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const identity = deps.governance.identity;

  app.post<{ Body: NewPrincipalBody }>(
    `${ADMIN}/principals`,
    {
      attachValidation: true,
      schema: {
        tags: TAGS,
        summary: 'Create a principal (user or service account) in the tenant',
        querystring: noAdminQs,
        body: newPrincipalBody,
        response: { 201: principalView },
      },
    },
    async (request, reply) => {
      const body = request.body as Partial<NewPrincipalBody> | undefined;
      const target = typeof body?.id === 'string' ? body.id : undefined;
      const record = await audited(
        request,
        deps,
        'principal.create',
        target,
        async () => {
          requestProblem(request);
          const { id, kind, roles: given, description } = request.body;
          return identity.createPrincipal({
            tenant: tenantOf(request),
            id,
            kind,
            roles: given,
            ...(description !== undefined ? { description } : {}),
          });
        },
        (p) => ({ kind: p.kind, roles: p.roles }),
      );
      return reply
        .status(201)
        .header('Location', `${ADMIN}/principals/${encodeURIComponent(record.id)}`)
        .send(record);
    },
  );

  app.get(
    `${ADMIN}/principals`,
    {
      attachValidation: true,
      schema: {
        tags: TAGS,
        summary: 'List the principals of the tenant',
        querystring: noAdminQs,
        response: { 200: { type: 'array', items: principalView } },
      },
    },
    async (request) =>
      audited(
        request,
        deps,
        'principal.list',
        undefined,
        async () => {
          requestProblem(request);
          return identity.listPrincipals(tenantOf(request));
        },
        (list) => ({ count: list.length }),
      ),
  );

  app.get<{ Params: IdParams }>(
    `${ADMIN}/principals/:principalId`,
    {
      attachValidation: true,
      schema: {
        tags: TAGS,
        summary: 'Retrieve a principal',
        params: principalParams,
        querystring: noAdminQs,
        response: { 200: principalView },
      },
    },
    async (request) =>
      audited(request, deps, 'principal.read', request.params.principalId, async () => {
        requestProblem(request);
        return identity.getPrincipal(tenantOf(request), request.params.principalId);
      }),
  );

  app.patch<{ Params: IdParams; Body: PrincipalChange }>(
    `${ADMIN}/principals/:principalId`,
    {
      attachValidation: true,
      schema: {
        tags: TAGS,
        summary: 'Change a principal’s roles, description or disabled flag',
        params: principalParams,
        querystring: noAdminQs,
        body: principalChangeBody,
        response: { 200: principalView },
      },
    },
    async (request) =>
      audited(
        request,
        deps,
        'principal.update',
        request.params.principalId,
        async (): Promise<PrincipalRecord> => {
          requestProblem(request);
          return identity.updatePrincipal(tenantOf(request), request.params.principalId, request.body);
        },
        (p) => ({ changed: Object.keys(request.body), roles: p.roles, disabled: p.disabled }),
      ),
  );

  app.delete<{ Params: IdParams }>(
    `${ADMIN}/principals/:principalId`,
    {
      attachValidation: true,
      schema: {
        tags: TAGS,
        summary: 'Delete a principal: its keys are revoked and its subscriptions deleted',
        params: principalParams,
        querystring: noAdminQs,
        response: { 204: { type: 'null', description: 'Deleted' } },
      },
    },
    async (request, reply) => {
      const id = request.params.principalId;
      await audited(
        request,
        deps,
        'principal.delete',
        id,
        async () => {
          requestProblem(request);
          const tenant = tenantOf(request);
          const live = (await identity.listKeys(tenant)).filter(
            (k) => k.principalId === id && k.revokedAt === undefined,
          );
          await identity.deletePrincipal(tenant, id);
          const subscriptions = await deps.subscriptions.deleteOwnedBy(tenant, { id, tenant });
          return { keysRevoked: live.length, subscriptionsDeleted: subscriptions };
        },
        (counts) => counts,
      );
      return reply.status(204).send();
    },
  );
}

/**
 * Throw the request's schema error (attached by `attachValidation`) as a 400 that names what is
 * wrong: InvalidRequest for the URL (an unknown query parameter, say), BadRequestData for the body.
 */
export function requestProblem(request: FastifyRequest): void {
  const error = request.validationError;
  if (error === undefined || error === null) return;
  const where = (error as { validationContext?: string }).validationContext ?? 'request';
  const first = error.validation?.[0];
  const kind = where === 'body' ? 'BadRequestData' : 'InvalidRequest';
  if (first === undefined) throw new NgsiError(kind, error.message);
  const path = `${where}${first.instancePath.replace(/\//g, '.')}`;
  const params = first.params;
  let detail: string;
  if (first.keyword === 'additionalProperties')
    detail =
      where === 'querystring'
        ? `unknown query parameter ${String(params.additionalProperty)}`
        : `${path}: unknown member ${String(params.additionalProperty)}`;
  else if (first.keyword === 'required')
    detail = `${path}: member ${String(params.missingProperty)} is required`;
  else if (first.keyword === 'enum' && Array.isArray(params.allowedValues))
    detail = `${path} must be one of ${params.allowedValues.join(', ')}`;
  else detail = `${path} ${first.message ?? 'is invalid'}`;
  throw new NgsiError(kind, detail);
}
