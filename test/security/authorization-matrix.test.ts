/**
 * The authorization matrix: every route of the OpenAPI document × every kind of caller (an API key for
 * each built-in role in two tenants, a principal without roles, OpenID Connect tokens for three roles,
 * the platform administrator, anonymous) × both tenants, against the expected outcome written here as
 * the specification:
 * - /health, /ready, /docs, /openapi.json, /dashboard/config: open to anyone;
 * - /alerts…: reads any role, rule changes and acknowledgements the writers;
 * - /live (Server-Sent Events, a stream that never ends) is not in this table: test/live/live-feed.test.ts
 *   checks its gate the same way;
 * - /metrics, /admin/audit/verify and /admin/tenants: platform administrators only;
 * - /admin/*: the tenant's admin role; @context publication: admin; reads: any role; writes: admin,
 *   operator, editor (the built-in policy);
 * - device provisioning (/devices, /device-profiles): reads any role, changes admin; commands: admin
 *   and operator; LoRaWAN webhooks (/integrations/*): writers; device ingest (/ingest, ThingsBoard's
 *   /api/v1/{token}/…): a device credential, which no API key is (401);
 * - a principal of another tenant: 403, and never a byte of that tenant's data;
 * - anonymous: 401 (the built-in policy makes nothing public).
 * "Allowed" means the gate let the request through: any status but 401 and 403 (a route may still
 * answer 400 or 404 for the dummy input).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, testKit } from '../support/app.js';
import { makeCallers, type Caller } from './principals.js';

const TENANTS = ['city-a', 'city-b'];
const WRITERS = new Set(['admin', 'operator', 'editor']);
const READERS = new Set(['admin', 'operator', 'editor', 'viewer']);
const COMMANDERS = new Set(['admin', 'operator']);

type Expected = 'allowed' | 'unauthenticated' | 'forbidden';

/** What a route requires, as the specification says. */
function requirement(
  method: string,
  path: string,
): 'public' | 'platform' | 'admin' | 'read' | 'write' | 'command' | 'device' {
  if (/^\/(health|ready|openapi\.json|docs|dashboard\/config)/.test(path)) return 'public';
  if (path === '/metrics' || path === '/admin/audit/verify' || path === '/admin/tenants') return 'platform';
  if (path.startsWith('/admin/')) return 'admin';
  // Devices post with their own credential: no API key, of whatever role, is one.
  if (/^\/(ingest|iot\/json|api\/v1\/)/.test(path)) return 'device';
  // Network servers post uplinks with an API key allowed to write.
  if (path.startsWith('/integrations/')) return 'write';
  if (/^\/(devices|device-profiles|commands)(\/|$)/.test(path)) {
    if (method === 'GET' || method === 'HEAD') return 'read';
    return /\/commands(\/|$)/.test(path) ? 'command' : 'admin';
  }
  // Alerts: reading them is a read; rules, acknowledging and clearing are writes.
  if (/^\/alerts(\/|$)/.test(path)) return method === 'GET' ? 'read' : 'write';
  if (path.startsWith('/ngsi-ld/v1/jsonldContexts')) return method === 'GET' ? 'read' : 'admin';
  if (path.startsWith('/ngsi-ld/v1/subscriptions')) return 'read';
  if (path.endsWith('/entityOperations/query')) return 'read';
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}

function expected(caller: Caller, tenant: string, method: string, path: string): Expected {
  const need = requirement(method, path);
  if (need === 'public') return 'allowed';
  if (need === 'device') return 'unauthenticated';
  if (caller.authorization === undefined) return 'unauthenticated';
  if (caller.tenant === '*') return 'allowed';
  if (need === 'platform' || caller.tenant !== tenant) return 'forbidden';
  const role = caller.roles[0];
  if (role === undefined) return 'forbidden';
  if (need === 'admin') return role === 'admin' ? 'allowed' : 'forbidden';
  if (need === 'command') return COMMANDERS.has(role) ? 'allowed' : 'forbidden';
  if (need === 'read') return READERS.has(role) ? 'allowed' : 'forbidden';
  return WRITERS.has(role) ? 'allowed' : 'forbidden';
}

/** Concrete values for path parameters, in the addressed tenant. */
function fill(path: string, tenant: string): string {
  const values: Record<string, string> = {
    entityId: `urn:ngsi-ld:Marker:${tenant}`,
    attrId: 'secret',
    subscriptionId: `urn:ngsi-ld:Subscription:${tenant}`,
    type: 'Marker',
    contextId: 'no-such-context',
    instanceId: 'urn:ngsi-ld:no-such-instance',
    principalId: `ghost-${tenant}`, // not a caller: deleting it must not change later rows
    keyId: 'k_nosuchkey',
    version: '1',
  };
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? 'x'));
}

/** A plausible body per path, so that writes reach the services (which may still refuse the input). */
function bodyFor(method: string, path: string, tenant: string): unknown {
  if (method === 'GET' || method === 'DELETE' || method === 'HEAD') return undefined;
  if (path === '/ngsi-ld/v1/entities')
    return { id: `urn:ngsi-ld:Marker:new-${tenant}`, type: 'Marker', v: { type: 'Property', value: 1 } };
  if (path.startsWith('/ngsi-ld/v1/entityOperations/'))
    return path.endsWith('query') ? { type: 'Query', entities: [{ type: 'Marker' }] } : [];
  if (path === '/ngsi-ld/v1/subscriptions')
    return {
      type: 'Subscription',
      entities: [{ type: 'Marker' }],
      notification: { endpoint: { uri: 'http://127.0.0.1:9/n' } },
    };
  return {};
}

let app: FastifyInstance;
let callers: Caller[];
let routes: Array<{ method: string; path: string }>;
let jwks: Server;

const ISSUER = 'https://idp.city.example';

/** OpenID Connect callers: a bearer token per role of tenant city-a, signed by a local issuer. */
async function oidcCallers(): Promise<{ callers: Caller[]; jwksUri: string }> {
  const pair = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'm1', alg: 'ES256', use: 'sig' };
  jwks = createServer((_req, res) => res.end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((ok) => jwks.listen(0, '127.0.0.1', ok));
  const out: Caller[] = [];
  for (const role of ['admin', 'editor', 'viewer']) {
    const token = await new SignJWT({ tenant: 'city-a', groups: [`g-${role}`] })
      .setProtectedHeader({ alg: 'ES256', kid: 'm1' })
      .setIssuer(ISSUER)
      .setAudience('urbis')
      .setSubject(`${role}-person`)
      .setExpirationTime('10m')
      .sign(pair.privateKey);
    out.push({
      name: `oidc-${role}-city-a`,
      tenant: 'city-a',
      roles: [role],
      authorization: `Bearer ${token}`,
    });
  }
  return { callers: out, jwksUri: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks` };
}

beforeAll(async () => {
  const oidc = await oidcCallers();
  const kit = await testKit({
    oidc: {
      issuer: ISSUER,
      audience: 'urbis',
      jwksUri: oidc.jwksUri,
      algorithms: ['ES256'],
      rolesClaim: 'groups',
      tenantClaim: 'tenant',
      roleMap: { 'g-admin': 'admin', 'g-editor': 'editor', 'g-viewer': 'viewer' },
      clockToleranceSec: 5,
      timeoutMs: 1000,
    },
  });
  app = kit.app;
  for (const tenant of TENANTS) {
    const h = { 'ngsild-tenant': tenant };
    const created = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entities',
      headers: h,
      payload: {
        id: `urn:ngsi-ld:Marker:${tenant}`,
        type: 'Marker',
        secret: { type: 'Property', value: `${tenant}-data` },
      },
    });
    expect(created.statusCode).toBe(201);
    const sub = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/subscriptions',
      headers: h,
      payload: {
        id: `urn:ngsi-ld:Subscription:${tenant}`,
        type: 'Subscription',
        description: `${tenant}-data`,
        entities: [{ type: 'Marker' }],
        notification: { endpoint: { uri: 'http://127.0.0.1:9/n' } },
      },
    });
    expect(sub.statusCode).toBe(201);
  }
  callers = [
    ...(await makeCallers(kit.governance, TENANTS)),
    ...oidc.callers,
    { name: 'platform-admin', tenant: '*', roles: ['admin'], authorization: `Bearer ${ADMIN_KEY}` },
    { name: 'anonymous', roles: [] },
  ];
  const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.keys(methods)
      .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
      // A stream that never ends; its gate has its own test (see the header).
      .filter(() => path !== '/live')
      .map((m) => ({ method: m.toUpperCase(), path })),
  );
});
afterAll(async () => {
  await app.close();
  await new Promise<void>((ok) => jwks.close(() => ok()));
});

describe('authorization matrix', () => {
  it('covers the whole API: NGSI-LD, temporal, subscriptions, admin and operations routes', () => {
    const paths = new Set(routes.map((r) => r.path));
    for (const p of [
      '/ngsi-ld/v1/entities',
      '/ngsi-ld/v1/temporal/entities',
      '/ngsi-ld/v1/subscriptions',
      '/admin/keys',
      '/admin/policy',
      '/admin/audit',
      '/metrics',
    ])
      expect(paths, p).toContain(p);
    expect(routes.length).toBeGreaterThan(40);
  });

  it('gives every caller, on every route, in every tenant, the expected outcome and no other tenant’s data', async () => {
    const mismatches: string[] = [];
    let checked = 0;
    // Reads first, then writes, so that no write (a delete) removes what a later read must not see.
    const ordered = [...routes].sort((a, b) => Number(a.method !== 'GET') - Number(b.method !== 'GET'));
    for (const route of ordered) {
      for (const tenant of TENANTS) {
        for (const caller of callers) {
          const url = fill(route.path, tenant);
          const body = bodyFor(route.method, route.path, tenant);
          const res = await app.inject({
            method: route.method as 'GET',
            url,
            headers: {
              'ngsild-tenant': tenant,
              authorization: caller.authorization,
              ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            },
            ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
          });
          checked++;
          const want = expected(caller, tenant, route.method, route.path);
          const got: Expected =
            res.statusCode === 401 ? 'unauthenticated' : res.statusCode === 403 ? 'forbidden' : 'allowed';
          const where = `${caller.name} ${route.method} ${url} [${tenant}] → ${res.statusCode}`;
          if (got !== want) mismatches.push(`${where}: expected ${want}`);
          if (res.statusCode >= 500) mismatches.push(`${where}: server error ${res.body}`);
          if (caller.tenant !== undefined && caller.tenant !== '*' && caller.tenant !== tenant) {
            if (res.body.includes(`${tenant}-data`)) mismatches.push(`${where}: leaked ${tenant}'s data`);
          }
          if (got !== 'allowed') {
            expect(res.headers['content-type'], where).toMatch(/json/);
            expect(res.json(), where).toMatchObject({ status: res.statusCode });
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(40 * callers.length * TENANTS.length - 1);
  });
});
