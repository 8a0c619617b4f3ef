/**
 * Abuse resistance at the gate: per-principal and per-address token buckets (429 with Retry-After),
 * failed credentials spending the address budget, security headers on every answer, and CORS only
 * for the configured origins.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_KEY, testKit } from '../support/app.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const types = (authorization?: string) =>
  app!.inject({ method: 'GET', url: '/ngsi-ld/v1/types', headers: { authorization } });

describe('rate limits', () => {
  it('gives each principal its own bucket: a burst of twice the rate, then 429 with Retry-After', async () => {
    // One request per second, bursts of two: the third within the second is refused (a slow machine
    // would need a whole second between requests to earn another token).
    const kit = await testKit({ rateLimit: 1 });
    app = kit.app;
    await kit.governance.identity.createPrincipal({
      tenant: '',
      id: 'other',
      kind: 'service',
      roles: ['viewer'],
    });
    const other = `Bearer ${(await kit.governance.identity.createKey({ tenant: '', principalId: 'other' })).secret}`;
    expect((await types(`Bearer ${ADMIN_KEY}`)).statusCode).toBe(200);
    expect((await types(`Bearer ${ADMIN_KEY}`)).statusCode).toBe(200);
    const limited = await types(`Bearer ${ADMIN_KEY}`);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.json()).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect((await types(other)).statusCode).toBe(200); // another principal is not affected
  });

  it('limits anonymous callers per address, and counts failed credentials against it', async () => {
    app = (await testKit({ anonymousRateLimit: 1 })).app;
    expect((await types('Bearer urbis_wrong-guess-1')).statusCode).toBe(401);
    expect((await types('Bearer urbis_wrong-guess-2')).statusCode).toBe(401);
    expect((await types('Bearer urbis_wrong-guess-3')).statusCode).toBe(429);
    expect((await types(undefined)).statusCode).toBe(429);
    expect((await types(`Bearer ${ADMIN_KEY}`)).statusCode).toBe(200); // a valid key has its own budget
  });
});

describe('security headers and CORS', () => {
  it('sends security headers and a request id on every answer, errors included', async () => {
    app = (await testKit()).app;
    for (const res of [await types(), await types(`Bearer ${ADMIN_KEY}`), await app.inject('/health')]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['strict-transport-security']).toBeDefined();
      expect(String(res.headers['x-request-id'])).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('keeps a sane client request id and replaces anything else', async () => {
    app = (await testKit()).app;
    const kept = await app.inject({ url: '/health', headers: { 'x-request-id': 'trace-1234-abcd' } });
    expect(kept.headers['x-request-id']).toBe('trace-1234-abcd');
    const replaced = await app.inject({ url: '/health', headers: { 'x-request-id': 'bad id <script>' } });
    expect(replaced.headers['x-request-id']).not.toBe('bad id <script>');
  });

  it('answers CORS preflights only for configured origins', async () => {
    app = (await testKit({ corsOrigins: ['https://dashboard.city.example'] })).app;
    const preflight = (origin: string) =>
      app!.inject({
        method: 'OPTIONS',
        url: '/ngsi-ld/v1/entities',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization',
        },
      });
    const allowed = await preflight('https://dashboard.city.example');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://dashboard.city.example');
    expect(String(allowed.headers['access-control-allow-headers'])).toMatch(/Authorization/i);
    const denied = await preflight('https://evil.example');
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends no CORS headers at all when no origin is configured', async () => {
    app = (await testKit()).app;
    const res = await app.inject({ url: '/health', headers: { origin: 'https://dashboard.city.example' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
