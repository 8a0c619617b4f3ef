/**
 * Attribute routes (clause 6.6 and 6.7): append, update, partial update, replace and delete.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { badRequest } from '../../core/errors.js';
import { parseAttributeInstances, parseAttributes } from '../../core/entity/parse-entity.js';
import { isUri, requireName, requireUri } from '../../core/entity/validate.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import { validateScope } from '../../core/query/scope-query.js';
import type { AttrUpdateResult } from '../../context/entities/entity-service.js';
import { BASE, type NgsiDeps } from './deps.js';
import { attributeMembers } from './entities-routes.js';
import { bodyContext, linkContext, scopeOf } from './ld-request.js';
import { booleanParam, options, single, type QueryString } from './query-params.js';
import { attrParams, deleteAttrQs, entityIdParams, noQs, optionsQs } from './schemas.js';

type IdParams = { entityId: string };
type AttrParamsT = { entityId: string; attrId: string };

const fragmentBody = { type: 'object', description: 'Entity fragment: attributes to add or update' } as const;
const attributeBody = {
  type: 'object',
  description: 'An attribute (or the members of it to change)',
} as const;

/** Mount the attribute routes. */
export function attrsRoutes(app: FastifyInstance, deps: NgsiDeps): void {
  app.post<{ Params: IdParams; Querystring: QueryString }>(
    `${BASE}/entities/:entityId/attrs`,
    {
      schema: {
        tags: ['Attributes'],
        summary: 'Append attributes',
        params: entityIdParams,
        querystring: optionsQs('noOverwrite: keep existing attributes'),
        body: fragmentBody,
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const id = requireUri(request.params.entityId, 'entity id');
      const noOverwrite = options(request.query, ['noOverwrite']).has('noOverwrite');
      const ld = await bodyContext(request, request.body, deps.contexts);
      const fragment = fragmentOf(request.body, id);
      const attrs = parseAttributes(fragment.attrs, ld.mapper);
      const result = await deps.entities.appendAttrs(scope, id, attrs, noOverwrite, fragment.scope);
      return sendUpdateResult(reply, result, ld.mapper);
    },
  );

  app.patch<{ Params: IdParams }>(
    `${BASE}/entities/:entityId/attrs`,
    {
      schema: {
        tags: ['Attributes'],
        summary: 'Update attributes',
        params: entityIdParams,
        querystring: noQs,
        body: fragmentBody,
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const id = requireUri(request.params.entityId, 'entity id');
      const ld = await bodyContext(request, request.body, deps.contexts);
      const fragment = fragmentOf(request.body, id);
      const attrs = parseAttributes(fragment.attrs, ld.mapper);
      const result = await deps.entities.updateAttrs(scope, id, attrs, fragment.scope);
      return sendUpdateResult(reply, result, ld.mapper);
    },
  );

  app.patch<{ Params: AttrParamsT }>(
    `${BASE}/entities/:entityId/attrs/:attrId`,
    {
      schema: {
        tags: ['Attributes'],
        summary: 'Partially update an attribute',
        params: attrParams,
        querystring: noQs,
        body: attributeBody,
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const id = requireUri(request.params.entityId, 'entity id');
      const ld = await bodyContext(request, request.body, deps.contexts);
      const iri = ld.mapper.expandTerm(requireName(request.params.attrId, 'attribute name'));
      const fragment = withoutContext(request.body);
      await deps.entities.partialUpdateAttr(scope, id, iri, fragment, ld.mapper);
      return reply.status(204).send();
    },
  );

  app.put<{ Params: AttrParamsT }>(
    `${BASE}/entities/:entityId/attrs/:attrId`,
    {
      schema: {
        tags: ['Attributes'],
        summary: 'Replace an attribute',
        params: attrParams,
        querystring: noQs,
        body: attributeBody,
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const id = requireUri(request.params.entityId, 'entity id');
      const ld = await bodyContext(request, request.body, deps.contexts);
      const name = requireName(request.params.attrId, 'attribute name');
      const instances = parseAttributeInstances(name, withoutContext(request.body), ld.mapper);
      if (instances.length !== 1) throw badRequest('replace one attribute instance at a time');
      await deps.entities.replaceAttr(scope, id, ld.mapper.expandTerm(name), instances[0]!);
      return reply.status(204).send();
    },
  );

  app.delete<{ Params: AttrParamsT; Querystring: QueryString }>(
    `${BASE}/entities/:entityId/attrs/:attrId`,
    {
      schema: {
        tags: ['Attributes'],
        summary: 'Delete an attribute',
        params: attrParams,
        querystring: deleteAttrQs,
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const id = requireUri(request.params.entityId, 'entity id');
      const ld = await linkContext(request, deps.contexts);
      const name = requireName(request.params.attrId, 'attribute name');
      const datasetId = single(request.query, 'datasetId');
      if (datasetId !== undefined && !isUri(datasetId)) throw badRequest('datasetId must be a URI');
      const deleteAll = booleanParam(request.query, 'deleteAll') ?? false;
      if (name === 'scope') {
        await deps.entities.deleteScope(scope, id);
        return reply.status(204).send();
      }
      await deps.entities.deleteAttr(scope, id, ld.mapper.expandTerm(name), datasetId, deleteAll);
      return reply.status(204).send();
    },
  );
}

/** A fragment body: its attributes and scope; an id, when present, must name the entity of the URL. */
function fragmentOf(body: unknown, id: string): { attrs: Record<string, unknown>; scope?: string[] } {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (b.id !== undefined && b.id !== id) throw badRequest('the body id differs from the URL id');
  const attrs = attributeMembers(b);
  const scope = b.scope === undefined ? undefined : validateScope(b.scope);
  if (Object.keys(attrs).length === 0 && scope === undefined) throw badRequest('no attributes given');
  return scope === undefined ? { attrs } : { attrs, scope };
}

function withoutContext(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('body must be a JSON object');
  const { '@context': _ctx, ...rest } = body as Record<string, unknown>;
  return rest;
}

/** 204 when everything was updated, else 207 with an UpdateResult (clause 5.2.18). */
function sendUpdateResult(reply: FastifyReply, result: AttrUpdateResult, mapper: TermMapper): FastifyReply {
  if (result.notUpdated.length === 0) return reply.status(204).send();
  return reply
    .status(207)
    .type('application/json')
    .send({
      updated: result.updated.map((a) => mapper.compactIri(a)),
      notUpdated: result.notUpdated.map((n) => ({
        attributeName: mapper.compactIri(n.attributeName),
        reason: n.reason,
      })),
    });
}
