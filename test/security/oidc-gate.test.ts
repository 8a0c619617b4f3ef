/**
 * OpenID Connect bearer tokens at the gate, end to end: a token of the configured issuer acts as a
 * principal of the tenant its claim names, with the roles its claim maps to; it never reaches another
 * tenant; a bad or expired token is a 401; an unreachable issuer is a 503, not a 500.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKit } from '../support/app.js';

const ISSUER = 'https://idp.city.example/realms/city';
const AUDIENCE = 'urbis';
let jwks: Server;
let privateKey: CryptoKey;
let app: FastifyInstance;
let downApp: FastifyInstance;

async function token(claims: Record<string, unknown>, expiresIn = '5m'): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(String(claims.sub ?? 'ada'))
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(privateKey);
}

const settings = (jwksUri: string) => ({
  issuer: ISSUER,
  audience: AUDIENCE,
  jwksUri,
  algorithms: ['RS256'],
  rolesClaim: 'realm_access.roles',
  tenantClaim: 'tenant',
  roleMap: { 'city-viewers': 'viewer', 'city-editors': 'editor' },
  clockToleranceSec: 5,
  timeoutMs: 500,
});

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  jwks = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((ok) => jwks.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`;
  app = (await testKit({ oidc: settings(url) })).app;
  downApp = (await testKit({ oidc: settings('http://127.0.0.1:9/jwks') })).app;
  for (const tenant of ['city-a', 'city-b']) {
    const res = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entities',
      headers: { 'ngsild-tenant': tenant },
      payload: {
        id: `urn:ngsi-ld:Marker:${tenant}`,
        type: 'Marker',
        v: { type: 'Property', value: `${tenant}-data` },
      },
    });
    expect(res.statusCode).toBe(201);
  }
});
afterAll(async () => {
  await app.close();
  await downApp.close();
  await new Promise<void>((ok) => jwks.close(() => ok()));
});

const call = (
  method: 'GET' | 'POST',
  tenant: string,
  authorization: string,
  payload?: Record<string, unknown>,
) =>
  app.inject({
    method,
    url: method === 'GET' ? '/ngsi-ld/v1/entities?type=Marker' : '/ngsi-ld/v1/entities',
    headers: { 'ngsild-tenant': tenant, authorization },
    ...(payload !== undefined ? { payload } : {}),
  });

describe('OpenID Connect tokens at the gate', () => {
  it('a viewer token reads its own tenant and nothing else', async () => {
    const t = await token({ tenant: 'city-a', realm_access: { roles: ['city-viewers', 'unmapped'] } });
    const own = await call('GET', 'city-a', `Bearer ${t}`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('city-a-data');
    const other = await call('GET', 'city-b', `Bearer ${t}`);
    expect(other.statusCode).toBe(403);
    expect(other.body).not.toContain('city-b-data');
    const write = await call('POST', 'city-a', `Bearer ${t}`, { id: 'urn:x:1', type: 'Marker' });
    expect(write.statusCode).toBe(403);
  });

  it('an editor token writes, and the audit log names the token’s subject', async () => {
    const t = await token({ sub: 'bob', tenant: 'city-a', realm_access: { roles: ['city-editors'] } });
    const res = await call('POST', 'city-a', `Bearer ${t}`, { id: 'urn:x:bob', type: 'Marker' });
    expect(res.statusCode).toBe(201);
    // The gate appends its entry once the answer is sent: wait for it (bounded).
    let body = '';
    for (let i = 0; i < 50 && !body.includes('oidc:bob'); i++) {
      await new Promise((ok) => setTimeout(ok, 10));
      const audit = await app.inject({
        method: 'GET',
        url: '/admin/audit?limit=1000',
        headers: { 'ngsild-tenant': 'city-a' },
      });
      expect(audit.statusCode).toBe(200);
      body = audit.body;
    }
    expect(body).toContain('oidc:bob');
  });

  it('a token without a mapped role can do nothing; a token of no tenant claim is of the default tenant', async () => {
    const none = await token({ tenant: 'city-a', realm_access: { roles: ['something-else'] } });
    expect((await call('GET', 'city-a', `Bearer ${none}`)).statusCode).toBe(403);
    const noTenant = await token({ realm_access: { roles: ['city-viewers'] } });
    expect((await call('GET', 'city-a', `Bearer ${noTenant}`)).statusCode).toBe(403);
  });

  it('a token cannot make its bearer a platform principal: a tenant claim of * is refused', async () => {
    const t = await token({ tenant: '*', realm_access: { roles: ['city-editors'] } });
    const res = await call('GET', 'city-b', `Bearer ${t}`);
    expect(res.statusCode).toBe(401);
    expect(res.body).not.toContain('city-b-data');
  });

  it('expired, tampered and foreign tokens are 401', async () => {
    const expired = await token({ tenant: 'city-a', realm_access: { roles: ['city-viewers'] } }, '-1h');
    const good = await token({ tenant: 'city-a', realm_access: { roles: ['city-viewers'] } });
    const [h, p, s] = good.split('.') as [string, string, string];
    const forged = Buffer.from(
      JSON.stringify({ tenant: 'city-b', realm_access: { roles: ['city-editors'] } }),
    ).toString('base64url');
    for (const bad of [expired, `${h}.${forged}.${s}`, `${h}.${p}.${s.slice(0, -4)}AAAA`]) {
      const res = await call('GET', 'city-a', `Bearer ${bad}`);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ status: 401 });
    }
  });

  it('an unreachable identity provider is a 503, not a 500 or a pass', async () => {
    const t = await token({ tenant: 'city-a', realm_access: { roles: ['city-viewers'] } });
    const res = await downApp.inject({
      method: 'GET',
      url: '/ngsi-ld/v1/entities?type=Marker',
      headers: { 'ngsild-tenant': 'city-a', authorization: `Bearer ${t}` },
    });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 503 });
  });
});
