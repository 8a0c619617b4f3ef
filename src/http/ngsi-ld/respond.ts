/**
 * Writes NGSI-LD response bodies in the negotiated media type: application/json with the @context
 * in a Link header, application/ld+json with it in the body, or GeoJSON (clause 6.3.6).
 */
import type { FastifyReply } from 'fastify';
import { CORE_CONTEXT_URL } from '../../core/jsonld/core-context-v1-8.js';
import { linkHeader, type ResponseType } from './negotiation.js';
import type { LdContext } from './ld-request.js';

/** Send one object or a list of objects in the negotiated representation. */
export function sendLd(
  reply: FastifyReply,
  ld: LdContext,
  type: ResponseType,
  payload: Record<string, unknown> | Array<Record<string, unknown>>,
  status = 200,
): FastifyReply {
  const context = ld.ref ?? CORE_CONTEXT_URL;
  if (type === 'application/ld+json') {
    const withContext = (o: Record<string, unknown>) => ({ '@context': context, ...o });
    const body = Array.isArray(payload) ? payload.map(withContext) : withContext(payload);
    return reply.status(status).type('application/ld+json').send(body);
  }
  reply.header('Link', linkHeader(typeof context === 'string' ? context : CORE_CONTEXT_URL));
  return reply.status(status).type(type).send(payload);
}
