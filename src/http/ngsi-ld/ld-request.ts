/**
 * Per-request NGSI-LD state: the tenant, and the @context that governs the request's terms (from
 * the Link header for application/json, from the body for application/ld+json; clause 6.3.5).
 */
import type { FastifyRequest } from 'fastify';
import { badRequest } from '../../core/errors.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import type { Scope } from '../../context/scope.js';
import { DEFAULT_TENANT } from '../../store/port.js';
import { bodyType, contextFromLink } from './negotiation.js';

// Tenant names end up in URLs, logs and SQL parameters: keep them to a safe alphabet.
const TENANT = /^[A-Za-z0-9][A-Za-z0-9_.:\-/]{0,127}$/;

/**
 * The tenant a request addresses: NGSILD-Tenant, or FIWARE's `Fiware-Service` (what IoT Agents and
 * NGSI-v2 clients send, so that migrating fleets keep their tenants) when NGSILD-Tenant is absent.
 */
export function tenantOf(request: FastifyRequest): string {
  const ngsi = request.headers['ngsild-tenant'];
  const header = ngsi !== undefined ? 'NGSILD-Tenant' : 'Fiware-Service';
  const raw = ngsi ?? request.headers['fiware-service'];
  if (raw === undefined) return DEFAULT_TENANT;
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || !TENANT.test(value)) throw badRequest(`${header} is not a valid tenant name`);
  return value;
}

/** Something that resolves a raw @context into a term mapper. */
export interface ContextSource {
  resolve(raw: unknown): Promise<TermMapper>;
}

/** The request's context: the term mapper, and what to echo back as the response's @context. */
export interface LdContext {
  mapper: TermMapper;
  /** The URL from the Link header, or the body's @context value; undefined when only the core context applies. */
  ref: unknown;
}

/** Context of a request without a body (GET, DELETE): from the Link header. */
export async function linkContext(request: FastifyRequest, source: ContextSource): Promise<LdContext> {
  const url = contextFromLink(headerOf(request, 'link'));
  return { mapper: await source.resolve(url), ref: url };
}

/**
 * Context of a request with a JSON body. For ld+json every object (or, for a batch, every element)
 * must carry @context and the Link header must not; for json the body must not carry @context.
 */
export async function bodyContext(
  request: FastifyRequest,
  body: unknown,
  source: ContextSource,
): Promise<LdContext> {
  const type = bodyType(request.headers['content-type']);
  const link = contextFromLink(headerOf(request, 'link'));
  const items = Array.isArray(body) ? body : [body];
  if (type === 'ld+json') {
    if (link !== undefined) throw badRequest('a JSON-LD Link header is not allowed with application/ld+json');
    const contexts = items.map((i) => contextMember(i));
    if (contexts.some((c) => c === undefined))
      throw badRequest('application/ld+json bodies must carry @context');
    const first = JSON.stringify(contexts[0]);
    if (contexts.some((c) => JSON.stringify(c) !== first)) {
      throw badRequest('all entities of a batch must carry the same @context');
    }
    return { mapper: await source.resolve(contexts[0]), ref: contexts[0] };
  }
  if (items.some((i) => contextMember(i) !== undefined)) {
    throw badRequest('@context in the body needs Content-Type application/ld+json');
  }
  return { mapper: await source.resolve(link), ref: link };
}

function contextMember(item: unknown): unknown {
  return item !== null && typeof item === 'object' && !Array.isArray(item)
    ? (item as Record<string, unknown>)['@context']
    : undefined;
}

function headerOf(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * The scope a request runs in: its tenant and the caller's access (set by the security hooks; absent
 * only in apps built without access control).
 */
export function scopeOf(request: FastifyRequest): Scope {
  const tenant = tenantOf(request);
  return request.access === undefined ? { tenant } : { tenant, access: request.access };
}
