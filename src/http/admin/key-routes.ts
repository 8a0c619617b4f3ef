/**
 * Admin routes for API keys: create one for a principal of the tenant, list, retrieve and revoke.
 * The secret is in the creation answer and nowhere else — not in the store (only its hash), not in
 * listings, not in the audit entry — and that answer is marked `Cache-Control: no-store` so that no
 * proxy or browser keeps it. Keys are addressed by their own id, so the tenant is checked here: a key
 * of another tenant is answered exactly like a key that does not exist (404), except for the platform
 * administrator, who may reach every tenant's keys.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../../core/errors.js';
import { ACTIONS } from '../../governance/policy/model.js';
import type { ApiKeyRecord } from '../../store/governance-port.js';
import { tenantOf } from '../ngsi-ld/ld-request.js';
import { audited, countOf } from './audited.js';
import { ADMIN, type AdminDeps } from './deps.js';
import { descriptionText, instant, listOf, pathParams, strings, text } from './schemas.js';
import { adminRoute } from './validation.js';

const keyParams = pathParams('keyId', text('Key id (k_…)'));

const listKeysQs = {
  type: 'object',
  additionalProperties: false,
  properties: { principal: text('Only the keys of this principal') },
} as const;

const newKeyBody = {
  type: 'object',
  additionalProperties: false,
  required: ['principal'],
  properties: {
    principal: text('Id of a principal of the tenant'),
    scopes: {
      type: 'array',
      items: { type: 'string', enum: [...ACTIONS] },
      description: 'Actions the key may use, within its principal’s roles (empty or absent: all of them)',
    },
    expiresAt: text('ISO 8601 instant in the future'),
    description: descriptionText,
  },
} as const;

/** A key as listed: never its hash (and the secret is not kept at all). */
const keyMembers = {
  id: { type: 'string' },
  tenant: text('`*` for a platform key'),
  principal: { type: 'string' },
  prefix: text('The secret’s first characters, to recognise it'),
  scopes: strings,
  description: { type: 'string' },
  createdAt: instant,
  expiresAt: instant,
  revokedAt: instant,
  lastUsedAt: instant,
  state: { type: 'string', enum: ['active', 'expired', 'revoked'] },
} as const;

const keyView = { type: 'object', properties: keyMembers } as const;

const createdKeyView = {
  type: 'object',
  properties: {
    ...keyMembers,
    secret: text('The API key: shown this once, never again'),
  },
} as const;

interface NewKeyBody {
  principal: string;
  scopes?: string[];
  expiresAt?: string;
  description?: string;
}

/** What an administrator sees of a key: the record under its API names, without the hash. */
export type KeyView = Omit<ApiKeyRecord, 'principalId' | 'hash' | 'bootstrap'> & {
  principal: string;
  state: 'active' | 'expired' | 'revoked';
};

type IdParams = { keyId: string };

/** Mount the key routes. */
export function keyRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const identity = deps.governance.identity;

  /** The key, when the caller may see it from the addressed tenant; 404 otherwise. */
  const reachable = async (request: FastifyRequest, id: string): Promise<ApiKeyRecord> => {
    const key = await identity.getKey(id);
    if (key.tenant !== tenantOf(request) && request.access?.unrestricted !== true)
      throw notFound(`key ${id} not found`);
    return key;
  };

  app.post<{ Body: NewKeyBody }>(
    `${ADMIN}/keys`,
    adminRoute('Create an API key for a principal of the tenant (the secret is shown once)', {
      body: newKeyBody,
      response: { 201: createdKeyView },
    }),
    async (request, reply) => {
      const given = request.body as Partial<NewKeyBody> | undefined;
      const created = await audited(
        request,
        deps,
        'key.create',
        typeof given?.principal === 'string' ? given.principal : undefined,
        async () => {
          const { principal, scopes, expiresAt, description } = request.body;
          return identity.createKey({
            tenant: tenantOf(request),
            principalId: principal,
            ...(scopes !== undefined ? { scopes } : {}),
            ...(expiresAt !== undefined ? { expiresAt } : {}),
            ...(description !== undefined ? { description } : {}),
          });
        },
        // The target is the principal; the detail names the key's public id and what it may do —
        // never the secret, nor its hash.
        ({ key }) => ({
          key: key.id,
          principal: key.principalId,
          scopes: key.scopes,
          ...(key.expiresAt !== undefined ? { expiresAt: key.expiresAt } : {}),
        }),
      );
      return reply
        .status(201)
        .header('Cache-Control', 'no-store')
        .header('Location', `${ADMIN}/keys/${encodeURIComponent(created.key.id)}`)
        .send({ ...viewOf(created.key), secret: created.secret });
    },
  );

  app.get<{ Querystring: { principal?: string } }>(
    `${ADMIN}/keys`,
    adminRoute('List the API keys of the tenant (without secrets)', {
      querystring: listKeysQs,
      response: { 200: listOf(keyView) },
    }),
    async (request) =>
      audited(
        request,
        deps,
        'key.list',
        undefined,
        async () => {
          const principal = request.query.principal;
          const keys = await identity.listKeys(tenantOf(request));
          return keys.filter((k) => principal === undefined || k.principalId === principal).map(viewOf);
        },
        countOf,
      ),
  );

  app.get<{ Params: IdParams }>(
    `${ADMIN}/keys/:keyId`,
    adminRoute('Retrieve an API key (without its secret)', { params: keyParams, response: { 200: keyView } }),
    async (request) =>
      audited(request, deps, 'key.read', request.params.keyId, async () =>
        viewOf(await reachable(request, request.params.keyId)),
      ),
  );

  app.delete<{ Params: IdParams }>(
    `${ADMIN}/keys/:keyId`,
    adminRoute('Revoke an API key: it is refused from now on', { params: keyParams }),
    async (request, reply) => {
      const id = request.params.keyId;
      await audited(
        request,
        deps,
        'key.revoke',
        id,
        async () => {
          const key = await reachable(request, id);
          await identity.revokeKey(id);
          return key;
        },
        (key) => ({ principal: key.principalId, keyTenant: key.tenant }),
      );
      return reply.status(204).send();
    },
  );
}

/** The record as shown: the principal under its API name, the state spelled out, the hash left out. */
function viewOf(key: ApiKeyRecord, now = Date.now()): KeyView {
  const state: KeyView['state'] =
    key.revokedAt !== undefined
      ? 'revoked'
      : key.expiresAt !== undefined && Date.parse(key.expiresAt) <= now
        ? 'expired'
        : 'active';
  const { principalId, hash: _hash, bootstrap: _bootstrap, ...shown } = key;
  return { ...shown, principal: principalId, state };
}
