/**
 * Admin routes for the tenant's data-governance registry (issue #4, "Privacy by design"): the entries
 * in force (the tenant's own and the built-in ones it has not replaced, each saying which), one entry,
 * and writing or deleting the tenant's entry for a type. Deleting brings the built-in entry back, if
 * there is one; built-in entries themselves cannot be deleted, only replaced.
 *
 * Names are compact with the request's @context, as in the NGSI-LD API: the Link header for reads and
 * application/json writes, the body's `@context` for application/ld+json ones; the core context when
 * there is none. The `:type` of the path is such a name or a full IRI (URL-encoded); a PUT body's
 * `type` must expand to the same IRI. Entries are answered as
 * `{ type, source: tenant|builtIn, updatedAt?, updatedBy?, document }`, `document` being the entry in
 * the form a PUT takes (src/governance/privacy/parse-governance.ts), so it can be edited and sent back.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, notFound } from '../../core/errors.js';
import { isValidName } from '../../core/entity/validate.js';
import { isAbsoluteIri } from '../../core/jsonld/iri.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import { parseGovernance, renderGovernance } from '../../governance/privacy/parse-governance.js';
import type { RegistryEntry } from '../../governance/privacy/registry.js';
import { bodyContext, linkContext, tenantOf } from '../ngsi-ld/ld-request.js';
import { actorOf, audited, countOf } from './audited.js';
import { ADMIN, type AdminDeps } from './deps.js';
import { deleted, instant, listOf, pathParams, text, writtenBy } from './schemas.js';
import { adminRoute } from './validation.js';

/** An entry as answered. */
export interface GovernanceView {
  type: string;
  source: RegistryEntry['source'];
  updatedAt?: string;
  updatedBy?: string;
  document: ReturnType<typeof renderGovernance>;
}

const entryView = {
  type: 'object',
  properties: {
    type: text('The entity type (compact with the request’s @context)'),
    source: { type: 'string', enum: ['tenant', 'builtIn'] },
    updatedAt: instant,
    updatedBy: writtenBy,
    document: { description: 'The entry, in the form PUT takes' },
  },
} as const;

const typeParams = pathParams('type', text('Entity type: a name of the @context, or an IRI'));

const entryBody = {
  type: 'object',
  description:
    'A governance entry: { "@context"?, "type", "purpose", "undeclared"?: drop|refuse, "retention"?: ISO duration, ' +
    '"attributes": { name: { "classification": public|internal|personal|sensitive, "purpose"?, "retention"?, ' +
    '"treatment"?: keep|drop|pseudonymise|{kind:"pseudonymise",length}|{kind:"coarsen",grid|h3}|{kind:"roundTime",period} } } }',
} as const;

type TypeRequest = { Params: { type: string } };

/** Mount the governance registry routes. */
export function governanceRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const registry = deps.governance.registry;

  app.get(
    `${ADMIN}/governance`,
    adminRoute('The governance entries in force in the tenant (its own and the built-in ones)', {
      response: { 200: listOf(entryView) },
    }),
    async (request) =>
      audited(
        request,
        deps,
        'governance.list',
        undefined,
        async () => {
          const { mapper } = await linkContext(request, deps.contexts);
          return (await registry.list(tenantOf(request))).map((e) => view(e, mapper));
        },
        countOf,
      ),
  );

  app.get<TypeRequest>(
    `${ADMIN}/governance/:type`,
    adminRoute('The governance entry in force for a type', {
      params: typeParams,
      response: { 200: entryView },
    }),
    async (request) =>
      audited(
        request,
        deps,
        'governance.read',
        request.params.type,
        async () => {
          const { mapper } = await linkContext(request, deps.contexts);
          const entry = await registry.get(tenantOf(request), typeOf(request, mapper));
          if (entry === undefined) throw notFound(`no governance entry for type ${request.params.type}`);
          return view(entry, mapper);
        },
        (v) => ({ source: v.source }),
      ),
  );

  app.put<TypeRequest>(
    `${ADMIN}/governance/:type`,
    adminRoute('Write the tenant’s governance entry for a type (replacing the built-in one, if any)', {
      params: typeParams,
      body: entryBody,
      response: { 200: entryView, 201: entryView },
    }),
    async (request, reply) => {
      const { entry, mapper, created } = await audited(
        request,
        deps,
        'governance.put',
        request.params.type,
        async () => {
          const ld = await bodyContext(request, request.body, deps.contexts);
          const type = typeOf(request, ld.mapper);
          const parsed = parseGovernance(request.body, ld.mapper);
          if (parsed.type !== type) {
            throw badRequest(`the entry is for type ${parsed.type}, the path names ${type}`);
          }
          const tenant = tenantOf(request);
          const isNew = (await registry.get(tenant, type))?.source !== 'tenant';
          const by = actorOf(request);
          await registry.put(tenant, request.body, ld.mapper, by, new Date().toISOString());
          const stored = await registry.get(tenant, type);
          if (stored === undefined) throw new Error(`the entry for ${type} was not stored`);
          return { entry: stored, mapper: ld.mapper, created: isNew };
        },
        (r) => ({
          type: r.entry.governance.type,
          created: r.created,
          attributes: Object.keys(r.entry.governance.attributes).length,
        }),
      );
      const body = view(entry, mapper);
      if (!created) return reply.status(200).send(body);
      return reply
        .status(201)
        .header('Location', `${ADMIN}/governance/${encodeURIComponent(entry.governance.type)}`)
        .send(body);
    },
  );

  app.delete<TypeRequest>(
    `${ADMIN}/governance/:type`,
    adminRoute('Delete the tenant’s governance entry for a type (the built-in one, if any, applies again)', {
      params: typeParams,
      response: deleted,
    }),
    async (request, reply) => {
      await audited(
        request,
        deps,
        'governance.delete',
        request.params.type,
        async () => {
          const { mapper } = await linkContext(request, deps.contexts);
          const type = typeOf(request, mapper);
          if (!(await registry.delete(tenantOf(request), type))) {
            throw notFound(
              `the tenant has no governance entry of its own for type ${request.params.type} (built-in entries cannot be deleted, only replaced)`,
            );
          }
          return type;
        },
        (type) => ({ type }),
      );
      return reply.status(204).send();
    },
  );
}

/** The path's type, expanded with the request's @context; BadRequestData when it is not a usable name. */
function typeOf(request: FastifyRequest<TypeRequest>, mapper: TermMapper): string {
  const raw = request.params.type;
  const iri = isValidName(raw) ? mapper.expandTerm(raw) : undefined;
  if (iri === undefined || !isAbsoluteIri(iri)) {
    throw badRequest('the type in the path must be a name of the @context or an IRI');
  }
  return iri;
}

function view(entry: RegistryEntry, mapper: TermMapper): GovernanceView {
  const document = renderGovernance(entry.governance, mapper);
  return {
    type: document.type,
    source: entry.source,
    ...(entry.updatedAt === undefined ? {} : { updatedAt: entry.updatedAt }),
    ...(entry.updatedBy === undefined ? {} : { updatedBy: entry.updatedBy }),
    document,
  };
}
