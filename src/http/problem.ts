/**
 * The one place where failures become HTTP responses: NgsiErrors keep their status; Fastify's own
 * errors (bad JSON, too large, bad media type, schema validation) are mapped to the NGSI-LD kinds;
 * anything else is a 500 InternalError, logged with its cause and never shown to the client.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NgsiError, isNgsiError } from '../core/errors.js';

/** Translate any thrown value into an NgsiError. */
export function toNgsiError(error: unknown): NgsiError {
  if (isNgsiError(error)) return error;
  const e = error as Partial<FastifyError> & { validation?: unknown };
  if (e.validation !== undefined) {
    // A malformed request line (unknown or repeated parameter) is InvalidRequest; a body that does not
    // fit is BadRequestData (ETSI 059_01).
    const where = (error as { validationContext?: string }).validationContext;
    const kind = where === 'body' ? 'BadRequestData' : 'InvalidRequest';
    return new NgsiError(kind, e.message ?? 'request failed validation');
  }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new NgsiError('UnsupportedMediaType', e.message ?? 'unsupported media type');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new NgsiError('PayloadTooLarge', 'request body is too large');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new NgsiError('InvalidRequest', 'request body is empty');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new NgsiError('InvalidRequest', 'invalid Content-Length');
    case 'FST_ERR_BAD_URL':
      return new NgsiError('BadRequestData', 'malformed URL');
    case 'FST_ERR_ASYNC_CONSTRAINT':
      return new NgsiError('BadRequestData', 'malformed request');
  }
  if (error instanceof SyntaxError || e.statusCode === 400) {
    return new NgsiError('InvalidRequest', `malformed request: ${e.message ?? 'invalid JSON'}`);
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new NgsiError('BadRequestData', e.message ?? 'bad request', { status: e.statusCode });
  }
  return new NgsiError('InternalError', 'internal error', { cause: error });
}

/** Send an error as ProblemDetails. */
export function sendProblem(reply: FastifyReply, error: NgsiError): FastifyReply {
  return reply.status(error.status).type('application/json').send(error.toProblem());
}

/** Install the error and not-found handlers on an app. */
export function installProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const ngsi = toNgsiError(error);
    if (ngsi.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, ngsi);
  });
  // Remember every route's path pattern, so that a known path with another method is a 405, not a 404.
  const routes: Array<{ pattern: RegExp; method: string }> = [];
  app.addHook('onRoute', (route) => {
    const source = route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+');
    for (const method of [route.method].flat()) routes.push({ pattern: new RegExp(`^${source}$`), method });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))];
    if (allowed.length > 0) {
      reply.header('Allow', allowed.join(', '));
      return sendProblem(
        reply,
        new NgsiError('MethodNotAllowed', `${request.method} is not allowed on ${path}`),
      );
    }
    return sendProblem(reply, new NgsiError('ResourceNotFound', `no resource at ${request.method} ${path}`));
  });
}
