/**
 * Malformed and hostile credentials and headers, thrown at the server by fast-check: never a 5xx,
 * never a crash, never access. Every refusal is a ProblemDetails body; a bad credential is a 401 with
 * a Bearer challenge whatever route it was sent to.
 */
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../support/app.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await testApp();
  const created = await app.inject({
    method: 'POST',
    url: '/ngsi-ld/v1/entities',
    payload: {
      id: 'urn:ngsi-ld:Marker:1',
      type: 'Marker',
      secret: { type: 'Property', value: 'kept-secret' },
    },
  });
  expect(created.statusCode).toBe(201);
});
afterAll(async () => app.close());

const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));
const b64url = fc.stringMatching(/^[A-Za-z0-9_-]{0,80}$/);
const jsonB64 = fc
  .jsonValue({ maxDepth: 3 })
  .map((v) => Buffer.from(JSON.stringify(v)).toString('base64url'));

const credential = fc.oneof(
  printable(200),
  printable(200).map((s) => `Bearer ${s}`),
  b64url.map((s) => `Bearer urbis_${s}`),
  b64url.map((s) => `bearer urbis_${s}`),
  fc.tuple(jsonB64, jsonB64, b64url).map(([h, p, s]) => `Bearer ${h}.${p}.${s}`),
  fc.constantFrom(
    'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiIsInJvbGVzIjpbImFkbWluIl19.',
    'Basic YWRtaW46YWRtaW4=',
    'Bearer',
    'Bearer ',
    'Bearer  urbis_',
    `Bearer ${'A'.repeat(20_000)}`,
    `Bearer urbis_${'x'.repeat(5_000)}`,
  ),
);

const routes = fc.constantFrom(
  ['GET', '/ngsi-ld/v1/entities/urn:ngsi-ld:Marker:1'],
  ['GET', '/ngsi-ld/v1/entities?type=Marker'],
  ['POST', '/ngsi-ld/v1/entities'],
  ['GET', '/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:Marker:1'],
  ['GET', '/ngsi-ld/v1/subscriptions'],
  ['GET', '/admin/keys'],
  ['GET', '/metrics'],
) as fc.Arbitrary<[string, string]>;

describe('hostile credentials and headers', () => {
  it('a bad credential is always a 401 ProblemDetails with a Bearer challenge, never data', async () => {
    await fc.assert(
      fc.asyncProperty(credential, routes, async (authorization, [method, url]) => {
        const res = await app.inject({
          method: method as 'GET',
          url,
          headers: { authorization, 'content-type': 'application/json' },
          ...(method === 'POST' ? { payload: '{"id":"urn:x:1","type":"T"}' } : {}),
        });
        expect(res.statusCode).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="urbis"/);
        expect(res.json()).toMatchObject({ status: 401, type: 'about:blank', title: 'Unauthorized' });
        expect(res.body).not.toContain('kept-secret');
        // The credential is never echoed back (a reflected token ends up in logs and proxies).
        // (checked on long credentials only, so that a short one cannot match an ordinary word by chance).
        if (authorization.length > 32) expect(res.body).not.toContain(authorization.slice(7));
      }),
      { numRuns: 300 },
    );
  });

  it('hostile tenant, request-id, link and accept headers never cause a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        printable(300),
        printable(300),
        printable(300),
        printable(100),
        routes,
        async (tenant, requestId, link, accept, [method, url]) => {
          const res = await app.inject({
            method: method as 'GET',
            url,
            headers: {
              'ngsild-tenant': tenant,
              'x-request-id': requestId,
              link,
              accept,
              'content-type': 'application/json',
            },
            ...(method === 'POST' ? { payload: '{"id":"urn:x:1","type":"T"}' } : {}),
          });
          expect(res.statusCode).toBeLessThan(500);
          if (res.statusCode >= 400) expect(res.json()).toHaveProperty('status', res.statusCode);
          // A client's request id is echoed only when it is sane (it reaches logs and audit entries).
          const echoed = res.headers['x-request-id'];
          expect(String(echoed)).toMatch(/^[A-Za-z0-9._:-]{8,128}$/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses two Authorization headers and deeply nested bodies, cleanly', async () => {
    const twice = await app.inject({
      method: 'GET',
      url: '/ngsi-ld/v1/types',
      headers: { authorization: ['Bearer a', 'Bearer b'] as unknown as string },
    });
    expect(twice.statusCode).toBe(401);
    const deep = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entities',
      headers: { 'content-type': 'application/json' },
      payload: `{"id":"urn:x:deep","type":"T","a":{"type":"Property","value":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`,
    });
    expect(deep.statusCode).toBe(400);
    expect(deep.json().detail).toMatch(/nested deeper/);
  });
});
