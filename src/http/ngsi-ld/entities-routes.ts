/**
 * Entity resource routes (clause 6.4 and 6.5): create, retrieve, replace, merge, delete.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from '../../core/errors.js';
import { parseEntity } from '../../core/entity/parse-entity.js';
import { renderEntity } from '../../core/entity/render-entity.js';
import { renderFeature } from '../../core/entity/render-geojson.js';
import { requireUri } from '../../core/entity/validate.js';
import { ENTITY_MEMBERS } from '../../core/model/entity.js';
import { BASE, type NgsiDeps } from './deps.js';
import { bodyContext, linkContext, scopeOf } from './ld-request.js';
import { negotiate } from './negotiation.js';
import { geometryProperty, renderOptions, type QueryString } from './query-params.js';
import { sendLd } from './respond.js';
import { entityBody, entityIdParams, noQs, retrieveEntityQs } from './schemas.js';

type IdParams = { entityId: string };

/** Mount the entity routes. */
export function entityRoutes(app: FastifyInstance, deps: NgsiDeps): void {
  app.post(
    `${BASE}/entities`,
    { schema: { tags: ['Entities'], summary: 'Create an entity', querystring: noQs, body: entityBody } },
    async (request, reply) => {
      const scope = scopeOf(request);
      const ld = await bodyContext(request, request.body, deps.contexts);
      const entity = parseEntity(request.body, ld.mapper);
      await deps.entities.create(scope, entity);
      return reply
        .status(201)
        .header('Location', `${BASE}/entities/${encodeURIComponent(entity.id)}`)
        .send();
    },
  );

  app.get<{ Params: IdParams; Querystring: QueryString }>(
    `${BASE}/entities/:entityId`,
    {
      schema: {
        tags: ['Entities'],
        summary: 'Retrieve an entity',
        params: entityIdParams,
        querystring: retrieveEntityQs,
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const id = requireUri(request.params.entityId, 'entity id');
      const type = negotiate(request.headers.accept, true);
      const ld = await linkContext(request, deps.contexts);
      const options = renderOptions(request.query, ld.mapper);
      const entity = await deps.entities.retrieve(scope, id);
      if (type === 'application/geo+json') {
        return sendLd(
          reply,
          ld,
          type,
          renderFeature(entity, ld.mapper, options, geometryProperty(request.query, ld.mapper)),
        );
      }
      return sendLd(reply, ld, type, renderEntity(entity, ld.mapper, options));
    },
  );

  app.delete<{ Params: IdParams }>(
    `${BASE}/entities/:entityId`,
    {
      schema: { tags: ['Entities'], summary: 'Delete an entity', params: entityIdParams, querystring: noQs },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      await deps.entities.delete(scope, requireUri(request.params.entityId, 'entity id'));
      return reply.status(204).send();
    },
  );

  app.put<{ Params: IdParams }>(
    `${BASE}/entities/:entityId`,
    {
      schema: {
        tags: ['Entities'],
        summary: 'Replace an entity',
        params: entityIdParams,
        querystring: noQs,
        body: entityBody,
      },
    },
    async (request, reply) => {
      const { scope, id, entity } = await entityOfUrl(request, deps, true);
      await deps.entities.replace(scope, id, entity);
      return reply.status(204).send();
    },
  );

  app.patch<{ Params: IdParams }>(
    `${BASE}/entities/:entityId`,
    {
      schema: {
        tags: ['Entities'],
        summary: 'Merge an entity',
        params: entityIdParams,
        querystring: noQs,
        body: entityBody,
      },
    },
    async (request, reply) => {
      const { scope, id, entity, mapper } = await entityOfUrl(request, deps, false);
      await deps.entities.merge(scope, id, entity, attributeMembers(request.body), mapper);
      return reply.status(204).send();
    },
  );
}

/**
 * The entity a PUT or PATCH body describes for the entity of the URL: its id is the URL's (a body id
 * must match it); a replacement needs a type, a merge fragment does not.
 */
async function entityOfUrl(
  request: FastifyRequest<{ Params: IdParams }>,
  deps: NgsiDeps,
  requireType: boolean,
) {
  const scope = scopeOf(request);
  const id = requireUri(request.params.entityId, 'entity id');
  const ld = await bodyContext(request, request.body, deps.contexts);
  const parsed = parseEntity(request.body, ld.mapper, { requireId: false, requireType });
  if (parsed.id !== '' && parsed.id !== id) throw badRequest('the body id differs from the URL id');
  return { scope, id, entity: { ...parsed, id }, mapper: ld.mapper };
}

/** The attribute members of a raw entity body (what is not id, type, scope or @context). */
export function attributeMembers(body: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>))
    if (!ENTITY_MEMBERS.has(k)) out[k] = v;
  return out;
}
