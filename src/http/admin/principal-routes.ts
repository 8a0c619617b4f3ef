/**
 * Admin routes for principals — the users and service accounts of the addressed tenant, with their
 * roles: create (201 + Location), list, retrieve, change (roles, description, disabled) and delete.
 * Deleting a principal also revokes its keys and deletes its subscriptions, so that nothing keeps
 * acting in its name. Principals are addressed by (tenant, id): another tenant's are simply not there.
 */
import type { FastifyInstance } from 'fastify';
import type { PrincipalRecord } from '../../store/governance-port.js';
import { tenantOf } from '../ngsi-ld/ld-request.js';
import { audited, countOf } from './audited.js';
import { ADMIN, type AdminDeps } from './deps.js';
import { deleted, descriptionText, instant, listOf, pathParams, strings, text } from './schemas.js';
import { adminRoute } from './validation.js';

const principalParams = pathParams('principalId', text('Principal id'));

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
    description: descriptionText,
  },
} as const;

const principalChangeBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    roles,
    description: descriptionText,
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
    roles: strings,
    description: { type: 'string' },
    disabled: { type: 'boolean' },
    createdAt: instant,
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
    adminRoute('Create a principal (user or service account) in the tenant', {
      body: newPrincipalBody,
      response: { 201: principalView },
    }),
    async (request, reply) => {
      const body = request.body as Partial<NewPrincipalBody> | undefined;
      const target = typeof body?.id === 'string' ? body.id : undefined;
      const record = await audited(
        request,
        deps,
        'principal.create',
        target,
        async () => {
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
    adminRoute('List the principals of the tenant', {
      response: { 200: listOf(principalView) },
    }),
    async (request) =>
      audited(
        request,
        deps,
        'principal.list',
        undefined,
        async () => identity.listPrincipals(tenantOf(request)),
        countOf,
      ),
  );

  app.get<{ Params: IdParams }>(
    `${ADMIN}/principals/:principalId`,
    adminRoute('Retrieve a principal', { params: principalParams, response: { 200: principalView } }),
    async (request) =>
      audited(request, deps, 'principal.read', request.params.principalId, async () =>
        identity.getPrincipal(tenantOf(request), request.params.principalId),
      ),
  );

  app.patch<{ Params: IdParams; Body: PrincipalChange }>(
    `${ADMIN}/principals/:principalId`,
    adminRoute('Change a principal’s roles, description or disabled flag', {
      params: principalParams,
      body: principalChangeBody,
      response: { 200: principalView },
    }),
    async (request) =>
      audited(
        request,
        deps,
        'principal.update',
        request.params.principalId,
        async (): Promise<PrincipalRecord> => {
          const tenant = tenantOf(request);
          const p = await identity.updatePrincipal(tenant, request.params.principalId, request.body);
          // Its subscriptions notify with the rights it has now (none once disabled).
          await deps.subscriptions.updateOwnerRoles({ id: p.id, tenant }, p.disabled ? [] : p.roles);
          return p;
        },
        (p) => ({ changed: Object.keys(request.body), roles: p.roles, disabled: p.disabled }),
      ),
  );

  app.delete<{ Params: IdParams }>(
    `${ADMIN}/principals/:principalId`,
    adminRoute('Delete a principal: its keys are revoked and its subscriptions deleted', {
      params: principalParams,
      response: deleted,
    }),
    async (request, reply) => {
      const id = request.params.principalId;
      await audited(
        request,
        deps,
        'principal.delete',
        id,
        async () => {
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
