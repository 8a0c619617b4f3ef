// Property-based robustness of the HTTP layer: no input yields a 5xx, and every error is a
// ProblemDetails body (issue #2: malformed JSON, huge bodies, deep nesting, bad URIs, bad geometry,
// absurd q expressions).
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/support/app.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await testApp();
  await app.inject({
    method: 'POST',
    url: '/ngsi-ld/v1/entities',
    payload: {
      id: 'urn:x:seed',
      type: 'T',
      p: { type: 'Property', value: 1 },
      location: { type: 'Point', coordinates: [0, 0] },
    },
  });
});
afterAll(async () => {
  await app.close();
});

function expectClean(res: { statusCode: number; body: string }): void {
  expect(res.statusCode, res.body).toBeLessThan(500);
  if (res.statusCode >= 400) {
    const body = JSON.parse(res.body) as { type: string; title: string; detail: string };
    expect(body.type).toMatch(/^https:\/\/uri\.etsi\.org\/ngsi-ld\/errors\//);
    expect(typeof body.detail).toBe('string');
  }
}

const attrName = fc.oneof(
  fc.constantFrom('p', 'location', 'q', 'name', 'refX', '@context', 'id', 'type'),
  fc.string({ maxLength: 8 }),
);
const attrValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record(
    {
      type: fc.constantFrom('Property', 'Relationship', 'GeoProperty', 'LanguageProperty', 'Nope'),
      value: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: [] },
  ),
  fc.record({ type: fc.constant('Relationship'), object: fc.oneof(fc.string(), fc.webUrl()) }),
  fc.record({
    type: fc.constant('GeoProperty'),
    value: fc.record({
      type: fc.constantFrom('Point', 'Polygon', 'LineString', 'Circle'),
      coordinates: fc.jsonValue({ maxDepth: 4 }),
    }),
  }),
);
const entityish = fc
  .record(
    {
      id: fc.oneof(fc.constant('urn:x:fuzz'), fc.string({ maxLength: 20 }), fc.webUrl(), fc.integer()),
      type: fc.oneof(fc.string({ maxLength: 10 }), fc.array(fc.string({ maxLength: 6 })), fc.constant('T')),
      attrs: fc.dictionary(attrName, attrValue, { maxKeys: 4 }),
    },
    { requiredKeys: [] },
  )
  .map(({ attrs, ...rest }) => ({ ...attrs, ...rest }));

describe('HTTP robustness', () => {
  it('random entity bodies on every write route never give a 5xx', async () => {
    const routes = [
      ['POST', '/ngsi-ld/v1/entities'],
      ['PATCH', '/ngsi-ld/v1/entities/urn:x:seed'],
      ['PUT', '/ngsi-ld/v1/entities/urn:x:seed'],
      ['POST', '/ngsi-ld/v1/entities/urn:x:seed/attrs'],
      ['PATCH', '/ngsi-ld/v1/entities/urn:x:seed/attrs'],
      ['PATCH', '/ngsi-ld/v1/entities/urn:x:seed/attrs/p'],
      ['PUT', '/ngsi-ld/v1/entities/urn:x:seed/attrs/p'],
    ] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), entityish, async ([method, url], body) => {
        expectClean(await app.inject({ method, url, payload: body }));
      }),
      { numRuns: 300 },
    );
  });

  it('random batches never give a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('create', 'upsert', 'update', 'merge', 'delete'),
        fc.oneof(fc.array(entityish, { maxLength: 5 }), fc.jsonValue({ maxDepth: 3 })),
        async (op, body) => {
          const res = await app.inject({
            method: 'POST',
            url: `/ngsi-ld/v1/entityOperations/${op}`,
            payload: JSON.stringify(body),
            headers: { 'content-type': 'application/json' },
          });
          expectClean(res);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('random query strings never give a 5xx', async () => {
    const param = fc.constantFrom(
      'type',
      'id',
      'idPattern',
      'q',
      'attrs',
      'georel',
      'geometry',
      'coordinates',
      'scopeQ',
      'limit',
      'offset',
      'count',
      'options',
      'orderBy',
      'pick',
      'omit',
      'lang',
    );
    const value = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom(
        'T',
        'p>0',
        'p==1..',
        '((((p',
        'near;maxDistance==1',
        '[0,0]',
        'Point',
        '/a/#',
        '-1',
        '1e9',
        'keyValues,concise',
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(param, value), { minLength: 1, maxLength: 5 }), async (pairs) => {
        const qs = pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
        expectClean(await app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities?${qs}` }));
      }),
      { numRuns: 400 },
    );
  });

  it('raw bytes as JSON, deep nesting and huge bodies give 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        expectClean(
          await app.inject({
            method: 'POST',
            url: '/ngsi-ld/v1/entities',
            payload: text,
            headers: { 'content-type': 'application/json' },
          }),
        );
      }),
      { numRuns: 200 },
    );
    const deep = `{"id":"urn:x:deep","type":"T","p":{"type":"Property","value":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    const resDeep = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entities',
      payload: deep,
      headers: { 'content-type': 'application/json' },
    });
    expect(resDeep.statusCode).toBe(400);
    const huge = JSON.stringify({
      id: 'urn:x:huge',
      type: 'T',
      p: { type: 'Property', value: 'x'.repeat(2 * 1024 * 1024) },
    });
    const resHuge = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entities',
      payload: huge,
      headers: { 'content-type': 'application/json' },
    });
    expect(resHuge.statusCode).toBe(413);
    expectClean(resHuge);
  });

  it('random ids in the URL never give a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 60 }), async (id) => {
        expectClean(
          await app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities/${encodeURIComponent(id)}` }),
        );
      }),
      { numRuns: 200 },
    );
  });
});
