/**
 * Operations endpoints: /health (the process answers), /ready (the store answers) and /metrics.
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Store } from '../store/port.js';

/** Mount the operations routes. */
export function opsRoutes(app: FastifyInstance, deps: { store: Store; registry: Registry }): void {
  app.get('/health', { schema: { tags: ['Operations'], summary: 'Liveness' } }, async () => ({
    status: 'ok',
  }));

  app.get(
    '/ready',
    { schema: { tags: ['Operations'], summary: 'Readiness: the store answers' } },
    async (request, reply) => {
      const ok = await deps.store.ping().catch((err: unknown) => {
        request.log.warn({ err }, 'store ping failed');
        return false;
      });
      return reply
        .status(ok ? 200 : 503)
        .send({ status: ok ? 'ready' : 'unavailable', store: deps.store.capabilities.dialect });
    },
  );

  app.get(
    '/metrics',
    { schema: { tags: ['Operations'], summary: 'Prometheus metrics' } },
    async (_request, reply) => {
      const text = await deps.registry.metrics();
      return reply.type(deps.registry.contentType).send(text);
    },
  );
}
