/**
 * Admin routes for the tenant's access policy: the one in force (the built-in default, version 0,
 * until the tenant writes its own), a new version (PUT: validated first, stored as the next version,
 * applied at once), and the history of versions, each readable again. Versions are never edited or
 * deleted, so an auditor can say which rules were in force when. The document format is described in
 * src/governance/policy/parse-policy.ts; a bad document is a 400 naming the member at fault.
 */
import type { FastifyInstance } from 'fastify';
import type { PolicyView } from '../../governance/policy/policy-service.js';
import { tenantOf } from '../ngsi-ld/ld-request.js';
import { actorOf, audited, countOf } from './audited.js';
import { ADMIN, type AdminDeps } from './deps.js';
import { instant, listOf, pathParams, writtenBy } from './schemas.js';
import { adminRoute } from './validation.js';

const versionMembers = {
  tenant: { type: 'string' },
  version: { type: 'integer', description: '0 is the built-in default policy' },
  createdAt: instant,
  createdBy: writtenBy,
} as const;

const policyView = {
  type: 'object',
  properties: {
    ...versionMembers,
    source: { type: 'string', enum: ['stored', 'default'] },
    document: { description: 'The policy document' },
  },
} as const;

const policyBody = {
  type: 'object',
  description:
    'A policy document: { "@context"?, "description"?, "rules": [ { "id"?, "effect"?: allow|deny, ' +
    '"public"?, "roles"?, "principals"?, "actions", "types"?, "idPattern"?, "attrs"? } ] }',
} as const;

const versionParams = pathParams('version', {
  type: 'string',
  pattern: '^(0|[1-9][0-9]{0,8})$',
  description: 'Version number',
});

/** Mount the policy routes. */
export function policyRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const policies = deps.governance.policies;

  app.get(
    `${ADMIN}/policy`,
    adminRoute('The policy in force in the tenant', { response: { 200: policyView } }),
    async (request) =>
      audited(
        request,
        deps,
        'policy.read',
        undefined,
        async () => policies.current(tenantOf(request)),
        (p) => ({ version: p.version }),
      ),
  );

  app.put(
    `${ADMIN}/policy`,
    adminRoute('Replace the tenant’s policy (stored as a new version and applied at once)', {
      body: policyBody,
      response: { 200: policyView },
    }),
    async (request) =>
      audited(
        request,
        deps,
        'policy.put',
        undefined,
        async (): Promise<PolicyView> => {
          const by = actorOf(request);
          const stored = await policies.put(tenantOf(request), request.body, by, new Date().toISOString());
          return { ...stored, source: 'stored' };
        },
        (p) => ({ version: p.version }),
      ),
  );

  app.get(
    `${ADMIN}/policy/versions`,
    adminRoute('The versions of the tenant’s policy, newest first', {
      response: { 200: listOf({ type: 'object', properties: versionMembers }) },
    }),
    async (request) =>
      audited(
        request,
        deps,
        'policy.versions',
        undefined,
        async () => policies.versions(tenantOf(request)),
        countOf,
      ),
  );

  app.get<{ Params: { version: string } }>(
    `${ADMIN}/policy/versions/:version`,
    adminRoute('One version of the tenant’s policy (0: the built-in default)', {
      params: versionParams,
      response: { 200: policyView },
    }),
    async (request) =>
      audited(request, deps, 'policy.read', `version ${request.params.version}`, async () =>
        policies.version(tenantOf(request), Number(request.params.version)),
      ),
  );
}
