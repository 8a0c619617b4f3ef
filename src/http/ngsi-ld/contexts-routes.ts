/**
 * @context management routes (clause 6.29 – 6.30): host, list, serve and delete contexts. The
 * bundled core context is served here too, so clients can use it without the internet.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CORE_CONTEXT, CORE_CONTEXT_URL } from '../../core/jsonld/core-context-v1-8.js';
import { BASE, type NgsiDeps } from './deps.js';
import { booleanParam, single, type QueryString } from './query-params.js';

const CORE_ID = 'ngsi-ld-core-context-v1.8.jsonld';

const listQs = {
  type: 'object',
  additionalProperties: false,
  properties: { details: { type: 'string' }, kind: { type: 'string' } },
} as const;
const oneQs = {
  type: 'object',
  additionalProperties: false,
  properties: { details: { type: 'string' }, reload: { type: 'string' } },
} as const;

/** Mount the @context routes. */
export function contextsRoutes(app: FastifyInstance, deps: NgsiDeps): void {
  const urlFor = (request: FastifyRequest) => (id: string) =>
    `${request.protocol}://${request.host}${BASE}/jsonldContexts/${id}`;

  app.post(
    `${BASE}/jsonldContexts`,
    { schema: { tags: ['Contexts'], summary: 'Host a @context', body: { type: 'object' } } },
    async (request, reply) => {
      const stored = await deps.hostedContexts.add(request.body, urlFor(request));
      return reply.status(201).header('Location', stored.url).send();
    },
  );

  app.get<{ Querystring: QueryString }>(
    `${BASE}/jsonldContexts`,
    { schema: { tags: ['Contexts'], summary: 'List @contexts', querystring: listQs } },
    async (request, reply) => {
      const all = await deps.hostedContexts.list(single(request.query, 'kind'));
      if (booleanParam(request.query, 'details')) {
        return reply.type('application/json').send(
          all.map((c) => ({
            URL: c.url,
            localId: `urn:ngsi-ld:${c.id}`,
            kind: c.kind,
            createdAt: c.createdAt,
            lastUsage: c.lastUsage,
            numberOfHits: c.numberOfHits,
          })),
        );
      }
      return reply.type('application/json').send([CORE_CONTEXT_URL, ...all.map((c) => c.url)]);
    },
  );

  app.get<{ Params: { contextId: string }; Querystring: QueryString }>(
    `${BASE}/jsonldContexts/:contextId`,
    { schema: { tags: ['Contexts'], summary: 'Serve a @context', querystring: oneQs } },
    async (request, reply) => {
      if (request.params.contextId === CORE_ID) return reply.type('application/ld+json').send(CORE_CONTEXT);
      const stored = await deps.hostedContexts.get(request.params.contextId);
      if (booleanParam(request.query, 'details')) {
        return reply.type('application/json').send({
          URL: stored.url,
          localId: `urn:ngsi-ld:${stored.id}`,
          kind: stored.kind,
          createdAt: stored.createdAt,
          numberOfHits: stored.numberOfHits,
        });
      }
      return reply.type('application/ld+json').send(stored.body);
    },
  );

  app.delete<{ Params: { contextId: string }; Querystring: QueryString }>(
    `${BASE}/jsonldContexts/:contextId`,
    { schema: { tags: ['Contexts'], summary: 'Delete a hosted @context', querystring: oneQs } },
    async (request, reply) => {
      await deps.hostedContexts.delete(request.params.contextId);
      return reply.status(204).send();
    },
  );
}
