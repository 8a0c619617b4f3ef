/**
 * The gate every request passes, before any route runs: who is calling (Authenticator), whether it
 * is calling too often (token bucket per principal, per address for anonymous callers), which tenant
 * it addresses and what that tenant's policy lets it do there (Access, attached to the request for
 * the services' finer decisions). Afterwards, every state-changing request and every refusal of an
 * authenticated caller is appended to the audit trail. Nothing here knows NGSI-LD.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NgsiError, forbidden, unauthorized } from '../../core/errors.js';
import type { AuditTrail } from '../../governance/audit/trail.js';
import type { Authenticator } from '../../governance/identity/authenticator.js';
import type { PolicyService } from '../../governance/policy/policy-service.js';
import { ANONYMOUS, type Principal } from '../../governance/policy/model.js';
import { tenantOf } from '../ngsi-ld/ld-request.js';
import './request-principal.js';
import { requirementOf, type Requirement } from './route-actions.js';
import type { TokenBucketLimiter } from '../../core/rate/token-bucket.js';

export interface SecurityDeps {
  authenticator: Authenticator;
  policies: PolicyService;
  audit: AuditTrail;
  /** Per authenticated principal; absent: no limit. */
  principalLimiter?: TokenBucketLimiter;
  /** Per client address for anonymous callers; absent: no limit. */
  anonymousLimiter?: TokenBucketLimiter;
  /** Told of each refusal, for metrics. */
  onDenied?: (reason: 'unauthenticated' | 'forbidden' | 'rate-limited') => void;
}

const PLATFORM = '*';

/** Install the gate and the audit of requests on an app (before its routes are added). */
export function installSecurity(app: FastifyInstance, deps: SecurityDeps): void {
  const requirements = new Map<string, Requirement>();
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      requirements.set(`${method} ${route.url}`, requirementOf(method, route.url));
  });
  const requirementFor = (request: FastifyRequest): Requirement =>
    requirements.get(`${request.method} ${request.routeOptions.url ?? ''}`) ?? { kind: 'platform' };

  app.addHook('onRequest', async (request, reply) => {
    const requirement = requirementFor(request);
    if (
      requirement.kind === 'public' ||
      requirement.kind === 'device' ||
      request.routeOptions.url === undefined
    )
      return;
    let principal: Principal;
    try {
      principal = await deps.authenticator.authenticate(request.headers.authorization);
    } catch (e) {
      deps.onDenied?.('unauthenticated');
      // Failed credentials spend the caller's address budget, as anonymous calls do: guessing is slow.
      limit(request, reply, ANONYMOUS, deps);
      challenge(reply, deps.authenticator.oidcEnabled, e);
      throw e;
    }
    request.principal = principal;
    limit(request, reply, principal, deps);
    if (requirement.kind === 'platform') {
      if (principal.tenant === PLATFORM && principal.via !== 'anonymous') return;
      throw refuse(reply, principal, deps, 'this resource is for platform administrators');
    }
    const tenant = tenantOf(request);
    const access = await deps.policies.accessFor(tenant, principal);
    if (principal.via !== 'anonymous' && !access.member)
      throw refuse(reply, principal, deps, 'the credential is not valid for this tenant');
    if (requirement.authenticated === true && principal.via === 'anonymous')
      throw refuse(reply, principal, deps, 'this resource needs a credential');
    if (!access.may(requirement.action))
      throw refuse(reply, principal, deps, `not allowed to ${requirement.action} in this tenant`);
    request.access = access;
  });

  app.addHook('onResponse', async (request, reply) => {
    const url = request.routeOptions.url;
    if (url === undefined || request.audited === true) return; // admin routes audit themselves, in detail
    const principal = request.principal;
    const status = reply.statusCode;
    // Admin requests are audited even when refused or malformed before their route ran.
    const reads = (request.method === 'GET' || request.method === 'HEAD') && !url.startsWith('/admin/');
    const refusedCaller =
      (status === 401 || status === 403) && principal !== undefined && principal.via !== 'anonymous';
    if ((reads && !refusedCaller) || principal === undefined) return;
    if (!reads && status === 401 && principal.via === 'anonymous') return; // noise: no credential at all
    deps.audit.record({
      at: new Date().toISOString(),
      tenant: safeTenant(request),
      principal: principal.id,
      action: `${request.method} ${url}`,
      ...targetOf(request),
      requestId: String(request.id),
      outcome: status === 401 || status === 403 ? 'denied' : status < 400 ? 'success' : 'failure',
      status,
      ...(principal.keyId !== undefined ? { detail: { key: principal.keyId } } : {}),
    });
  });
}

/** 401 answers name the scheme (RFC 6750). */
function challenge(reply: FastifyReply, oidc: boolean, error: unknown): void {
  if (error instanceof NgsiError && error.status === 401) {
    reply.header(
      'WWW-Authenticate',
      `Bearer realm="urbis"${oidc ? '' : ', scope="api-key"'}, error="invalid_token"`,
    );
  }
}

/** Anonymous callers get 401 (a credential might help), authenticated ones 403. */
function refuse(reply: FastifyReply, principal: Principal, deps: SecurityDeps, detail: string): NgsiError {
  if (principal.via === 'anonymous') {
    deps.onDenied?.('unauthenticated');
    reply.header('WWW-Authenticate', 'Bearer realm="urbis"');
    return unauthorized(`${detail}; authenticate with Authorization: Bearer <API key or token>`);
  }
  deps.onDenied?.('forbidden');
  return forbidden(detail);
}

function limit(request: FastifyRequest, reply: FastifyReply, principal: Principal, deps: SecurityDeps): void {
  const anonymous = principal.via === 'anonymous';
  const limiter = anonymous ? deps.anonymousLimiter : deps.principalLimiter;
  if (limiter === undefined) return;
  const key = anonymous ? `ip:${request.ip}` : `p:${principal.tenant}:${principal.id}`;
  const taken = limiter.take(key, Date.now());
  if (taken.ok) return;
  deps.onDenied?.('rate-limited');
  reply.header('Retry-After', String(taken.retryAfterSec));
  throw new NgsiError('TooManyRequests', `rate limit exceeded; retry in ${taken.retryAfterSec} s`);
}

function safeTenant(request: FastifyRequest): string {
  try {
    return tenantOf(request);
  } catch {
    return '?';
  }
}

/** The resource a request addressed, from its path parameters. */
function targetOf(request: FastifyRequest): { target?: string } {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const id = params.entityId ?? params.subscriptionId ?? params.contextId ?? params.id;
  if (typeof id !== 'string') return {};
  const attr = params.attrId;
  return { target: typeof attr === 'string' ? `${id}#${attr}` : id };
}
