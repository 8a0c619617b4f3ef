/**
 * The temporal API (clause 6.18 – 6.24): query and retrieve the evolution of entities (normalized,
 * temporalValues or aggregatedValues), create and extend a temporal representation, modify or
 * delete one instance, delete an attribute's history or the whole representation. A page of a
 * long history is a 206 with `Content-Range: date-time <start>-<end>/<size>` (clause 6.3.10).
 */
import type { Scope } from '../../context/scope.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireName, requireUri } from '../../core/entity/validate.js';
import type { InstancePage } from '../../core/temporal/instance-page.js';
import type { AggregatedEntity, TemporalEntity } from '../../core/temporal/model.js';
import {
  parseInstanceFragment,
  parseTemporalEntity,
  parseTemporalFragment,
} from '../../core/temporal/parse-temporal.js';
import { renderAggregatedEntity, renderTemporalEntity } from '../../core/temporal/render-temporal.js';
import { BASE, type NgsiDeps } from './deps.js';
import { bodyContext, linkContext, scopeOf, type LdContext } from './ld-request.js';
import { negotiate, type ResponseType } from './negotiation.js';
import type { QueryString } from './query-params.js';
import { sendLd } from './respond.js';
import { attrParams, entityIdParams, noQs } from './schemas.js';
import {
  deleteAttrParams,
  queryBodyAsParams,
  temporalEntityQuery,
  temporalParams,
  type TemporalParams,
} from './temporal-params.js';
import {
  deleteTemporalAttrQs,
  instanceBody,
  instanceParams,
  postTemporalQueryQs,
  queryTemporalQs,
  retrieveTemporalQs,
  temporalEntityBody,
  temporalFragmentBody,
  temporalQueryBody,
} from './temporal-schemas.js';

type IdParams = { entityId: string };
type AttrParamsT = { entityId: string; attrId: string };
type InstanceParamsT = { entityId: string; attrId: string; instanceId: string };

const TAGS = ['Temporal'];
const T = `${BASE}/temporal/entities`;

/** Mount the temporal routes. */
export function temporalRoutes(app: FastifyInstance, deps: NgsiDeps): void {
  const paging =
    `At most ${deps.limits.maxInstances} instances per attribute in one answer (clause 6.3.10). Beyond, ` +
    '206 Partial Content with Content-Range: date-time <start>-<end>/<size>: the earliest instances, or ' +
    'with lastN the most recent (size = lastN), one time range for every attribute.';
  app.get<{ Querystring: QueryString }>(
    T,
    {
      schema: {
        tags: TAGS,
        summary: 'Query temporal evolution of entities',
        description: paging,
        querystring: queryTemporalQs,
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const type = negotiate(request.headers.accept, false);
      const ld = await linkContext(request, deps.contexts);
      const params = temporalParams(request.query, ld.mapper, deps.limits.maxInstances);
      const entities = temporalEntityQuery(request.query, ld.mapper, deps.limits);
      return answerQuery(reply, deps, scope, ld, type, params, entities);
    },
  );

  app.post<{ Querystring: QueryString }>(
    `${BASE}/temporal/entityOperations/query`,
    {
      schema: {
        tags: TAGS,
        summary: 'Query temporal evolution of entities (POST)',
        description: paging,
        querystring: postTemporalQueryQs,
        body: temporalQueryBody,
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const type = negotiate(request.headers.accept, false);
      const ld = await bodyContext(request, request.body, deps.contexts);
      const qs: QueryString = {
        ...request.query,
        ...queryBodyAsParams(request.body as Record<string, unknown>),
      };
      const params = temporalParams(qs, ld.mapper, deps.limits.maxInstances);
      const entities = temporalEntityQuery(qs, ld.mapper, deps.limits);
      return answerQuery(reply, deps, scope, ld, type, params, entities);
    },
  );

  app.post(
    T,
    {
      schema: {
        tags: TAGS,
        summary: 'Create or update the temporal representation of an entity',
        querystring: noQs,
        body: temporalEntityBody,
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const ld = await bodyContext(request, request.body, deps.contexts);
      const input = parseTemporalEntity(request.body, ld.mapper);
      const { created } = await deps.temporal.upsert(scope, input);
      if (!created) return reply.status(204).send();
      return reply
        .status(201)
        .header('Location', `${T}/${encodeURIComponent(input.id)}`)
        .send();
    },
  );

  app.get<{ Params: IdParams; Querystring: QueryString }>(
    `${T}/:entityId`,
    {
      schema: {
        tags: TAGS,
        summary: 'Retrieve the temporal evolution of an entity',
        description: paging,
        params: entityIdParams,
        querystring: retrieveTemporalQs,
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const id = requireUri(request.params.entityId, 'entity id');
      const type = negotiate(request.headers.accept, false);
      const ld = await linkContext(request, deps.contexts);
      const params = temporalParams(request.query, ld.mapper, deps.limits.maxInstances);
      if (params.aggregation !== undefined) {
        const entity = await deps.temporal.retrieveAggregated(scope, id, params.select, params.aggregation);
        return sendLd(reply, ld, type, renderAggregated(entity, ld, params));
      }
      const { entity, page } = await deps.temporal.retrieve(scope, id, params.select);
      return sendLd(reply, ld, type, renderHistory(entity, ld, params), withPage(reply, page));
    },
  );

  app.delete<{ Params: IdParams }>(
    `${T}/:entityId`,
    {
      schema: {
        tags: TAGS,
        summary: 'Delete the temporal representation of an entity',
        params: entityIdParams,
        querystring: noQs,
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      await deps.temporal.deleteEntity(scope, requireUri(request.params.entityId, 'entity id'));
      return reply.status(204).send();
    },
  );

  app.post<{ Params: IdParams }>(
    `${T}/:entityId/attrs`,
    {
      schema: {
        tags: TAGS,
        summary: 'Add attributes to the temporal representation of an entity',
        params: entityIdParams,
        querystring: noQs,
        body: temporalFragmentBody,
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const id = requireUri(request.params.entityId, 'entity id');
      const ld = await bodyContext(request, request.body, deps.contexts);
      await deps.temporal.addAttributes(scope, parseTemporalFragment(request.body, id, ld.mapper));
      return reply.status(204).send();
    },
  );

  app.delete<{ Params: AttrParamsT; Querystring: QueryString }>(
    `${T}/:entityId/attrs/:attrId`,
    {
      schema: {
        tags: TAGS,
        summary: "Delete an attribute's history",
        params: attrParams,
        querystring: deleteTemporalAttrQs,
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const id = requireUri(request.params.entityId, 'entity id');
      const ld = await linkContext(request, deps.contexts);
      const attr = ld.mapper.expandTerm(requireName(request.params.attrId, 'attribute name'));
      const { datasetId, deleteAll } = deleteAttrParams(request.query);
      await deps.temporal.deleteAttribute(scope, id, attr, datasetId, deleteAll);
      return reply.status(204).send();
    },
  );

  app.patch<{ Params: InstanceParamsT }>(
    `${T}/:entityId/attrs/:attrId/:instanceId`,
    {
      schema: {
        tags: TAGS,
        summary: 'Modify an attribute instance',
        params: instanceParams,
        querystring: noQs,
        body: instanceBody,
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const { id, name, instanceId } = instanceOfUrl(request.params);
      const ld = await bodyContext(request, request.body, deps.contexts);
      const instance = parseInstanceFragment(name, request.body, ld.mapper);
      await deps.temporal.patchInstance(scope, id, ld.mapper.expandTerm(name), instanceId, instance);
      return reply.status(204).send();
    },
  );

  app.delete<{ Params: InstanceParamsT }>(
    `${T}/:entityId/attrs/:attrId/:instanceId`,
    {
      schema: {
        tags: TAGS,
        summary: 'Delete an attribute instance',
        params: instanceParams,
        querystring: noQs,
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request);
      const { id, name, instanceId } = instanceOfUrl(request.params);
      const ld = await linkContext(request, deps.contexts);
      await deps.temporal.deleteInstance(scope, id, ld.mapper.expandTerm(name), instanceId);
      return reply.status(204).send();
    },
  );
}

function instanceOfUrl(p: InstanceParamsT): { id: string; name: string; instanceId: string } {
  return {
    id: requireUri(p.entityId, 'entity id'),
    name: requireName(p.attrId, 'attribute name'),
    instanceId: requireUri(p.instanceId, 'instance id'),
  };
}

async function answerQuery(
  reply: FastifyReply,
  deps: NgsiDeps,
  scope: Scope,
  ld: LdContext,
  type: ResponseType,
  params: TemporalParams,
  entities: ReturnType<typeof temporalEntityQuery>,
): Promise<FastifyReply> {
  if (params.aggregation !== undefined) {
    const result = await deps.temporal.aggregate(scope, entities, params.select, params.aggregation);
    if (result.count !== undefined) reply.header('NGSILD-Results-Count', String(result.count));
    return sendLd(
      reply,
      ld,
      type,
      result.entities.map((e) => renderAggregated(e, ld, params)),
    );
  }
  const result = await deps.temporal.query(scope, entities, params.select);
  if (result.count !== undefined) reply.header('NGSILD-Results-Count', String(result.count));
  return sendLd(
    reply,
    ld,
    type,
    result.entities.map((e) => renderHistory(e, ld, params)),
    withPage(reply, result.page),
  );
}

function renderHistory(
  entity: TemporalEntity,
  ld: LdContext,
  params: TemporalParams,
): Record<string, unknown> {
  const format = params.representation === 'temporalValues' ? 'temporalValues' : 'normalized';
  return renderTemporalEntity(entity, ld.mapper, { ...params.render, format });
}

function renderAggregated(
  entity: AggregatedEntity,
  ld: LdContext,
  params: TemporalParams,
): Record<string, unknown> {
  const { attrs, pick, omit } = params.render;
  return renderAggregatedEntity(entity, ld.mapper, {
    methods: params.aggregation?.methods ?? [],
    ...(attrs !== undefined ? { attrs } : {}),
    ...(pick !== undefined ? { pick } : {}),
    ...(omit !== undefined ? { omit } : {}),
  });
}

/** 206 with Content-Range when the answer is one page of a longer history (clause 6.3.10), else 200. */
function withPage(reply: FastifyReply, page: InstancePage | undefined): number {
  if (page === undefined) return 200;
  reply.header('Content-Range', `date-time ${page.start}-${page.end}/${page.size}`);
  return 206;
}
