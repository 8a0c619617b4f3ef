/**
 * GET /live — the live feed as Server-Sent Events (issue #7): the dashboard's map and panels follow
 * entity changes pushed by the server (src/context/live/live-feed.ts), not by polling.
 *
 *   GET /live?type=AirQualityObserved,Alert&format=normalized|concise|keyValues
 *   headers: Authorization (optional where the tenant's policy opens data), NGSILD-Tenant, Link (@context)
 *
 *   event: entity   data: the entity as the caller may read it, compacted with the Link context, with
 *                         createdAt/modifiedAt (freshness)
 *   event: deleted  data: {"id", "type"}
 *   event: reconnect      the stream ends (its time is up, or the client reads too slowly): reconnect,
 *                         reload, follow again
 *
 * Each stream coalesces what it has not sent yet per entity (only the latest state of an entity goes
 * out) and flushes every FLUSH_MS while the socket is not backed up, so a slow client costs at most one
 * pending state per entity — and past MAX_PENDING entities it is told to reconnect and reload rather
 * than buffered without bound. A stream lasts at most MAX_STREAM_MS, so that a revoked key or a changed
 * policy takes effect at the next connection.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest } from '../../core/errors.js';
import { renderEntity, type Format } from '../../core/entity/render-entity.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import type { LiveEvent, LiveFeed } from '../../context/live/live-feed.js';
import { linkContext, scopeOf, type ContextSource } from '../ngsi-ld/ld-request.js';

export const FLUSH_MS = 250;
export const KEEPALIVE_MS = 15_000;
export const MAX_STREAM_MS = 10 * 60_000;
export const MAX_PENDING = 20_000;
const FORMATS: readonly Format[] = ['normalized', 'concise', 'keyValues'];

export interface LiveRouteDeps {
  feed: LiveFeed;
  contexts: ContextSource;
  /** Shorter limits for tests. */
  limits?: { flushMs?: number; keepaliveMs?: number; maxStreamMs?: number; maxPending?: number };
}

export function liveRoutes(app: FastifyInstance, deps: LiveRouteDeps): void {
  const open = new Set<() => void>();
  // Open streams would hold the server's close for ever: end them first.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });
  app.get<{ Querystring: { type?: string; format?: string } }>(
    '/live',
    {
      schema: {
        tags: ['Entities'],
        summary: 'Entity changes as Server-Sent Events (the dashboard’s live updates)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            type: { type: 'string', maxLength: 4096 },
            format: { type: 'string', enum: [...FORMATS] },
          },
        },
      },
    },
    async (request, reply) => {
      const ld = await linkContext(request, deps.contexts);
      const types = typesOf(request.query.type, ld.mapper);
      const format = (request.query.format ?? 'normalized') as Format;
      const scope = scopeOf(request);
      stream(request, reply, (send) =>
        deps.feed.listen({ scope, ...(types ? { types } : {}) }, (event) => send(event)),
      );
      function stream(
        req: FastifyRequest,
        res: FastifyReply,
        follow: (send: (e: LiveEvent) => void) => () => void,
      ): void {
        const limits = deps.limits ?? {};
        const raw = res.raw;
        res.hijack();
        raw.writeHead(200, {
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-cache, no-transform',
          Connection: 'keep-alive',
          // Proxies (nginx) must pass events through as they come.
          'X-Accel-Buffering': 'no',
          'X-Content-Type-Options': 'nosniff',
          'X-Request-Id': String(req.id),
        });
        raw.write('retry: 3000\n: following\n\n');
        const pending = new Map<string, LiveEvent>();
        let seq = 0;
        let ended = false;
        const end = (reconnect: boolean) => {
          if (ended) return;
          ended = true;
          stop();
          clearInterval(flusher);
          clearInterval(keepalive);
          clearTimeout(lifetime);
          open.delete(endNow);
          if (reconnect && !raw.destroyed) raw.write('event: reconnect\ndata: {}\n\n');
          raw.end();
        };
        const endNow = () => end(true);
        const stop = follow((event) => {
          const id = event.kind === 'entity' ? event.entity.id : event.id;
          pending.delete(id); // re-inserted last: the map stays in the order of latest change
          pending.set(id, event);
          if (pending.size > (limits.maxPending ?? MAX_PENDING)) end(true);
        });
        const flusher = setInterval(() => {
          if (pending.size === 0 || raw.writableNeedDrain) return;
          let chunk = '';
          for (const event of pending.values()) chunk += frame(event, ++seq, ld.mapper, format);
          pending.clear();
          raw.write(chunk);
        }, limits.flushMs ?? FLUSH_MS);
        const keepalive = setInterval(
          () => raw.write(': keep-alive\n\n'),
          limits.keepaliveMs ?? KEEPALIVE_MS,
        );
        const lifetime = setTimeout(endNow, limits.maxStreamMs ?? MAX_STREAM_MS);
        open.add(endNow);
        req.raw.on('close', () => end(false));
        raw.on('error', () => end(false));
      }
    },
  );
}

/** One SSE frame. Entity JSON never holds a raw newline (JSON.stringify escapes them), so one data line. */
function frame(event: LiveEvent, seq: number, mapper: TermMapper, format: Format): string {
  const data =
    event.kind === 'entity'
      ? renderEntity(event.entity, mapper, { format, sysAttrs: true })
      : { id: event.id, type: event.type.map((t) => mapper.compactIri(t)) };
  return `event: ${event.kind}\nid: ${seq}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The `type` parameter: a comma-separated list of type names, expanded with the request's context. */
function typesOf(raw: string | undefined, mapper: TermMapper): Set<string> | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const names = raw.split(',').map((t) => t.trim());
  if (names.some((t) => !/^[^\s<>"{}|\\^`]+$/.test(t)))
    throw badRequest(`invalid type list ${JSON.stringify(raw)}`);
  if (names.length > 100) throw badRequest('at most 100 types in one live feed');
  return new Set(names.map((t) => mapper.expandTerm(t)));
}
