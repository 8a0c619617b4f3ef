/**
 * Batch operations (clause 6.14 – 6.18, 6.31): create, upsert, update, delete and merge of many
 * entities in one request and one store transaction. Each entity fails alone: 207 carries a
 * BatchOperationResult with per-entity ProblemDetails.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NgsiError, badRequest, isNgsiError } from '../../core/errors.js';
import { parseEntity } from '../../core/entity/parse-entity.js';
import { isUri } from '../../core/entity/validate.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import type { Entity } from '../../core/model/entity.js';
import type { BatchResult } from '../../context/entities/entity-service.js';
import { BASE, type NgsiDeps } from './deps.js';
import { attributeMembers } from './entities-routes.js';
import { bodyContext, scopeOf } from './ld-request.js';
import { options, type QueryString } from './query-params.js';
import { entityArrayBody, idArrayBody, noQs, optionsQs } from './schemas.js';

/** Mount the batch routes. */
export function batchRoutes(app: FastifyInstance, deps: NgsiDeps): void {
  const route = (op: string, summary: string, querystring: object, body: object) => ({
    url: `${BASE}/entityOperations/${op}`,
    schema: { tags: ['Batch'], summary, querystring, body },
  });

  const r1 = route('create', 'Create entities', noQs, entityArrayBody);
  app.post(r1.url, { schema: r1.schema }, async (request, reply) => {
    const scope = scopeOf(request);
    const { parsed, failed } = await parseBatch(request, deps);
    const result = await deps.entities.batchCreate(
      scope,
      parsed.map((p) => p.entity),
    );
    return sendBatch(reply, merge(result, failed), 201, true);
  });

  const r2 = route(
    'upsert',
    'Create or update entities',
    optionsQs('replace (default) | update'),
    entityArrayBody,
  );
  app.post<{ Querystring: QueryString }>(r2.url, { schema: r2.schema }, async (request, reply) => {
    const scope = scopeOf(request);
    const opts = options(request.query, ['replace', 'update']);
    if (opts.size > 1) throw badRequest('options replace and update exclude each other');
    const { parsed, failed } = await parseBatch(request, deps);
    const mode = opts.has('update') ? 'update' : 'replace';
    const result = await deps.entities.batchUpsert(
      scope,
      parsed.map((p) => p.entity),
      mode,
    );
    const all = merge(result, failed);
    if (all.errors.length === 0) {
      if (result.created.length === 0) return reply.status(204).send();
      return reply.status(201).type('application/json').send(result.created);
    }
    return sendBatch(reply, all, 201, false);
  });

  const r3 = route(
    'update',
    'Update entities',
    optionsQs('noOverwrite: keep existing attributes'),
    entityArrayBody,
  );
  app.post<{ Querystring: QueryString }>(r3.url, { schema: r3.schema }, async (request, reply) => {
    const scope = scopeOf(request);
    const noOverwrite = options(request.query, ['noOverwrite']).has('noOverwrite');
    const { parsed, failed } = await parseBatch(request, deps, { requireType: false });
    const result = await deps.entities.batchUpdate(
      scope,
      parsed.map((p) => p.entity),
      noOverwrite,
    );
    return sendBatch(reply, merge(result, failed), 204, false);
  });

  const r4 = route('merge', 'Merge entities', noQs, entityArrayBody);
  app.post(r4.url, { schema: r4.schema }, async (request, reply) => {
    const scope = scopeOf(request);
    const { parsed, failed, mapper } = await parseBatch(request, deps, { requireType: false });
    const result = mapper === undefined ? NOTHING : await deps.entities.batchMerge(scope, parsed, mapper);
    return sendBatch(reply, merge(result, failed), 204, false);
  });

  const r5 = route('delete', 'Delete entities', noQs, idArrayBody);
  app.post(r5.url, { schema: r5.schema }, async (request, reply) => {
    const scope = scopeOf(request);
    const ids = request.body as unknown[];
    checkSize(ids.length, deps);
    const good: string[] = [];
    const failed: BatchResult['errors'] = [];
    for (const id of ids) {
      if (isUri(id)) good.push(id);
      else failed.push({ entityId: String(id), error: badRequest('entity id must be a URI') });
    }
    const result = await deps.entities.batchDelete(scope, good);
    return sendBatch(reply, merge(result, failed), 204, false);
  });
}

const NOTHING: BatchResult = { success: [], errors: [] };

interface Parsed {
  parsed: Array<{ entity: Entity; raw: Record<string, unknown> }>;
  failed: BatchResult['errors'];
  /** Undefined when the @context could not be had (then every entity is in `failed`). */
  mapper: TermMapper | undefined;
}

/** Parse every entity of a batch; an invalid one becomes an error entry, not a failed request. */
async function parseBatch(
  request: FastifyRequest,
  deps: NgsiDeps,
  opts: { requireType?: boolean } = {},
): Promise<Parsed> {
  const body = request.body;
  if (!Array.isArray(body)) throw badRequest('a batch body must be a JSON array');
  checkSize(body.length, deps);
  const parsed: Parsed['parsed'] = [];
  const failed: BatchResult['errors'] = [];
  let ld;
  try {
    ld = await bodyContext(request, body, deps.contexts);
  } catch (e) {
    // An unreachable @context fails each entity (207, ETSI 043_01_04), not the request.
    if (!isNgsiError(e) || e.kind !== 'LdContextNotAvailable') throw e;
    for (const raw of body as unknown[]) failed.push({ entityId: idOf(raw), error: e });
    return { parsed, failed, mapper: undefined };
  }
  for (const raw of body as unknown[]) {
    try {
      parsed.push({ entity: parseEntity(raw, ld.mapper, opts), raw: attributeMembers(raw) });
    } catch (e) {
      if (!isNgsiError(e)) throw e;
      failed.push({ entityId: idOf(raw), error: e });
    }
  }
  return { parsed, failed, mapper: ld.mapper };
}

function idOf(raw: unknown): string {
  const id = raw !== null && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : '';
}

function checkSize(n: number, deps: NgsiDeps): void {
  if (n === 0) throw badRequest('a batch must not be empty');
  if (n > deps.limits.maxBatch) {
    throw new NgsiError('BadRequestData', `a batch holds at most ${deps.limits.maxBatch} entities`, {
      status: 413,
    });
  }
}

function merge(result: BatchResult, failed: BatchResult['errors']): BatchResult {
  return { success: result.success, errors: [...failed, ...result.errors] };
}

/** Full success: `okStatus` (with the ids for create); partial or none: 207 BatchOperationResult. */
function sendBatch(
  reply: FastifyReply,
  result: BatchResult,
  okStatus: number,
  idsInBody: boolean,
): FastifyReply {
  if (result.errors.length === 0) {
    return idsInBody
      ? reply.status(okStatus).type('application/json').send(result.success)
      : reply.status(okStatus).send();
  }
  return reply
    .status(207)
    .type('application/json')
    .send({
      success: result.success,
      errors: result.errors.map((e) => ({ entityId: e.entityId, error: e.error.toProblem() })),
    });
}
