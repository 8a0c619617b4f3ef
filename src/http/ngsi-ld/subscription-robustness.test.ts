// Property-based robustness of the subscription endpoints: no body, fragment or query string gives a
// 5xx, and every error is a ProblemDetails.
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/support/app.js';

const SUBS = '/ngsi-ld/v1/subscriptions';
const ID = 'urn:ngsi-ld:Subscription:seed';
let app: FastifyInstance;

beforeAll(async () => {
  app = await testApp();
  const res = await app.inject({
    method: 'POST',
    url: SUBS,
    payload: {
      id: ID,
      type: 'Subscription',
      entities: [{ type: 'T' }],
      notification: { endpoint: { uri: 'http://r/n' } },
    },
  });
  expect(res.statusCode).toBe(201);
});
afterAll(async () => {
  await app.close();
});

function expectClean(res: { statusCode: number; body: string }): void {
  if (res.statusCode >= 400) {
    const body = JSON.parse(res.body) as { type: string; detail: string };
    // The one 5xx allowed: a jsonldContext URL that cannot be loaded (this app is offline) is 503.
    if (body.type.endsWith('/LdContextNotAvailable')) expect(res.statusCode).toBe(503);
    else expect(res.statusCode, res.body).toBeLessThan(500);
    expect(body.type).toMatch(/^https:\/\/uri\.etsi\.org\/ngsi-ld\/errors\//);
    expect(typeof body.detail).toBe('string');
  }
}

const member = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    'Building',
    'urn:x:1',
    'http://r/n',
    'mqtt://b/t',
    'a==1',
    '(a+)+',
    null,
    'urn:ngsi-ld:null',
  ),
);
const body = fc.dictionary(
  fc.constantFrom(
    'id',
    'type',
    'entities',
    'watchedAttributes',
    'notificationTrigger',
    'q',
    'geoQ',
    'scopeQ',
    'notification',
    'expiresAt',
    'throttling',
    'timeInterval',
    'isActive',
    'lang',
    'jsonldContext',
    '@context',
  ),
  fc.oneof(
    member,
    fc.record(
      { endpoint: fc.oneof(member, fc.record({ uri: member, accept: member })), format: member },
      { requiredKeys: [] },
    ),
    fc.array(fc.record({ type: member, id: member, idPattern: member }, { requiredKeys: [] }), {
      maxLength: 2,
    }),
  ),
);

describe('subscription endpoints robustness', () => {
  it('random creation bodies never give a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(body, fc.jsonValue({ maxDepth: 4 })), async (b) => {
        expectClean(
          await app.inject({
            method: 'POST',
            url: SUBS,
            payload: JSON.stringify(b),
            headers: { 'content-type': 'application/json' },
          }),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('random fragments never give a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(body, fc.jsonValue({ maxDepth: 4 })), async (b) => {
        const url = `${SUBS}/${encodeURIComponent(ID)}`;
        expectClean(
          await app.inject({
            method: 'PATCH',
            url,
            payload: JSON.stringify(b),
            headers: { 'content-type': 'application/json' },
          }),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('random ids and query strings never give a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 40 }),
        fc.dictionary(
          fc.constantFrom('limit', 'offset', 'count', 'options', 'x'),
          fc.string({ maxLength: 6 }),
        ),
        async (id, qs) => {
          const query = new URLSearchParams(qs).toString();
          expectClean(await app.inject({ method: 'GET', url: `${SUBS}?${query}` }));
          expectClean(await app.inject({ method: 'GET', url: `${SUBS}/${encodeURIComponent(id)}?${query}` }));
          expectClean(await app.inject({ method: 'DELETE', url: `${SUBS}/${encodeURIComponent(id)}x` }));
        },
      ),
      { numRuns: 200 },
    );
  });
});
