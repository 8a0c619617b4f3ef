/**
 * Query routes (clause 6.4.3.2 GET /entities, 6.23 POST /entityOperations/query) and purge
 * (DELETE /entities). Selection runs in the store; this only parses and renders.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { badRequest } from '../../core/errors.js';
import { renderEntity } from '../../core/entity/render-entity.js';
import { renderFeatureCollection } from '../../core/entity/render-geojson.js';
import type { Entity } from '../../core/model/entity.js';
import type { EntityQuery } from '../../core/query/ast.js';
import { BASE, type NgsiDeps } from './deps.js';
import { bodyContext, linkContext, scopeOf, type LdContext } from './ld-request.js';
import { negotiate } from './negotiation.js';
import {
  entityQuery,
  geometryProperty,
  paging,
  queryBodyParams,
  renderOptions,
  selection,
  type QueryString,
} from './query-params.js';
import { sendLd } from './respond.js';
import { postQueryQs, purgeEntitiesQs, queryBody, queryEntitiesQs } from './schemas.js';

/** Mount the query and purge routes. */
export function queryRoutes(app: FastifyInstance, deps: NgsiDeps): void {
  app.get<{ Querystring: QueryString }>(
    `${BASE}/entities`,
    { schema: { tags: ['Entities'], summary: 'Query entities', querystring: queryEntitiesQs } },
    async (request, reply) => {
      const scope = scopeOf(request);
      const type = negotiate(request.headers.accept, true);
      const ld = await linkContext(request, deps.contexts);
      const query = entityQuery(request.query, ld.mapper, deps.limits);
      const result = await deps.entities.query(scope, query);
      return sendPage(reply, ld, type, result, request.query);
    },
  );

  app.post<{ Querystring: QueryString }>(
    `${BASE}/entityOperations/query`,
    {
      schema: {
        tags: ['Batch'],
        summary: 'Query entities (POST)',
        querystring: postQueryQs,
        body: queryBody,
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const type = negotiate(request.headers.accept, true);
      const ld = await bodyContext(request, request.body, deps.contexts);
      const query = {
        ...queryFromBody(request.body as Record<string, unknown>, ld),
        ...paging(request.query, deps.limits),
      };
      const result = await deps.entities.query(scope, query);
      // The body's attrs and lang shape the response as the query string's would.
      const body = request.body as { lang?: string; attrs?: string[] };
      const qs: QueryString = { ...request.query };
      if (typeof body.lang === 'string') qs.lang = body.lang;
      if (Array.isArray(body.attrs) && body.attrs.length > 0) qs.attrs = body.attrs.join(',');
      return sendPage(reply, ld, type, result, qs);
    },
  );

  app.delete<{ Querystring: QueryString }>(
    `${BASE}/entities`,
    {
      schema: {
        tags: ['Entities'],
        summary: 'Purge entities matching a query',
        querystring: purgeEntitiesQs,
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const ld = await linkContext(request, deps.contexts);
      const sel = selection(request.query, ld.mapper);
      if (
        sel.type === undefined &&
        sel.q === undefined &&
        sel.ids === undefined &&
        sel.idPattern === undefined
      ) {
        throw badRequest('purge needs at least one of type, id, idPattern or q');
      }
      await deps.entities.purge(scope, sel);
      return reply.status(204).send();
    },
  );
}

function sendPage(
  reply: FastifyReply,
  ld: LdContext,
  type: ReturnType<typeof negotiate>,
  result: { entities: Entity[]; count?: number },
  qs: QueryString,
): FastifyReply {
  const options = renderOptions(qs, ld.mapper);
  if (result.count !== undefined) reply.header('NGSILD-Results-Count', String(result.count));
  if (type === 'application/geo+json') {
    const fc = renderFeatureCollection(result.entities, ld.mapper, options, geometryProperty(qs, ld.mapper));
    return sendLd(reply, ld, type, fc);
  }
  return sendLd(
    reply,
    ld,
    type,
    result.entities.map((e) => renderEntity(e, ld.mapper, options)),
  );
}

/**
 * The selection of a Query body (clause 5.2.23), expanded with the request's context. Several
 * `entities` selectors are an OR in the spec; one selector (the common case) maps directly.
 */
function queryFromBody(
  body: Record<string, unknown>,
  ld: LdContext,
): Omit<EntityQuery, 'limit' | 'offset' | 'count'> {
  const qs = queryBodyParams(body);
  const sel = selection(qs, ld.mapper);
  if (Object.keys(sel).length === 0)
    throw badRequest('a query needs at least one of entities, attrs, q, geoQ or scopeQ');
  return sel;
}
