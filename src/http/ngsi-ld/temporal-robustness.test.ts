// Property-based robustness of the temporal API (as robustness.test.ts for the core API): no query
// string, body or URL yields a 5xx, and every error is a ProblemDetails body.
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/support/app.js';

let app: FastifyInstance;
const SEED = 'urn:x:seed';

beforeAll(async () => {
  app = await testApp();
  const res = await app.inject({
    method: 'POST',
    url: '/ngsi-ld/v1/entities',
    payload: { id: SEED, type: 'T', p: { type: 'Property', value: 1, observedAt: '2026-01-01T00:00:00Z' } },
  });
  expect(res.statusCode, res.body).toBe(201);
  await app.inject({
    method: 'PATCH',
    url: `/ngsi-ld/v1/entities/${SEED}/attrs/p`,
    payload: { value: 2, observedAt: '2026-01-01T01:00:00Z' },
  });
});
afterAll(async () => {
  await app.close();
});

function expectClean(res: { statusCode: number; body: string }): void {
  expect(res.statusCode, res.body).toBeLessThan(500);
  if (res.statusCode >= 400) {
    const body = JSON.parse(res.body) as { type: string; detail: string };
    expect(body.type).toMatch(/^https:\/\/uri\.etsi\.org\/ngsi-ld\/errors\//);
    expect(typeof body.detail).toBe('string');
  }
}

const param = fc.constantFrom(
  'type',
  'attrs',
  'q',
  'timerel',
  'timeAt',
  'endTimeAt',
  'timeproperty',
  'lastN',
  'options',
  'format',
  'aggrMethods',
  'aggrPeriodDuration',
  'limit',
  'offset',
  'count',
  'lang',
  'pick',
  'omit',
);
const value = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    'T',
    'p',
    'p>0',
    'before',
    'after',
    'between',
    '2026-01-01T00:30:00Z',
    '2026-01-01T02:00:00Z',
    '2026-13-01T00:00:00Z',
    'observedAt',
    'modifiedAt',
    '0',
    '1',
    '-1',
    '99999999999',
    'temporalValues',
    'aggregatedValues',
    'sysAttrs',
    'avg,sum,stddev',
    'totalCount,distinctCount,min,max,sumsq',
    'PT1H',
    'P1M',
    'PT0.001S',
    'P1Y2M3DT4H5M6.5S',
    'PT0S',
  ),
);
const queryString = fc
  .array(fc.tuple(param, value), { minLength: 1, maxLength: 6 })
  .map((pairs) => pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&'));

describe('temporal HTTP robustness', () => {
  it('random temporal query strings never give a 5xx (query and retrieve)', async () => {
    await fc.assert(
      fc.asyncProperty(queryString, fc.boolean(), async (qs, retrieve) => {
        const url = retrieve
          ? `/ngsi-ld/v1/temporal/entities/${SEED}?${qs}`
          : `/ngsi-ld/v1/temporal/entities?${qs}`;
        expectClean(await app.inject({ method: 'GET', url }));
      }),
      { numRuns: 400 },
    );
  });

  it('random temporal query bodies never give a 5xx', async () => {
    const temporalQ = fc.record(
      {
        timerel: value,
        timeAt: value,
        endTimeAt: value,
        lastN: fc.oneof(fc.integer(), fc.string({ maxLength: 3 })),
        timeproperty: value,
        aggrMethods: fc.oneof(value, fc.array(value, { maxLength: 3 })),
        aggrPeriodDuration: value,
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.record(
        {
          type: fc.constantFrom('Query', 'Nope'),
          entities: fc.array(fc.record({ type: value, id: value }, { requiredKeys: [] }), { maxLength: 2 }),
          attrs: fc.array(value, { maxLength: 2 }),
          q: value,
          temporalQ,
        },
        { requiredKeys: ['type'] },
      ),
      fc.jsonValue({ maxDepth: 3 }),
    );
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.constantFrom('', '?options=aggregatedValues', '?count=true&limit=0'),
        async (b, qs) => {
          expectClean(
            await app.inject({
              method: 'POST',
              url: `/ngsi-ld/v1/temporal/entityOperations/query${qs}`,
              payload: JSON.stringify(b),
              headers: { 'content-type': 'application/json' },
            }),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('random temporal entities and fragments never give a 5xx', async () => {
    const instance = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.record(
        {
          type: fc.constantFrom('Property', 'Relationship', 'GeoProperty', 'LanguageProperty', 'Nope'),
          value: fc.jsonValue({ maxDepth: 2 }),
          object: fc.oneof(fc.string(), fc.webUrl()),
          observedAt: value,
          datasetId: fc.oneof(fc.string({ maxLength: 8 }), fc.constant('urn:ds:1')),
        },
        { requiredKeys: [] },
      ),
    );
    const attrs = fc.dictionary(
      fc.oneof(fc.constantFrom('p', 'q', 'location', 'id', 'type', '@context'), fc.string({ maxLength: 6 })),
      fc.oneof(instance, fc.array(instance, { maxLength: 3 })),
      { maxKeys: 3 },
    );
    const entity = fc
      .record(
        {
          id: fc.oneof(fc.constant('urn:x:fuzz'), fc.constant(SEED), fc.string({ maxLength: 12 })),
          type: fc.oneof(
            fc.constant('T'),
            fc.string({ maxLength: 6 }),
            fc.array(fc.string({ maxLength: 4 })),
          ),
          attrs,
        },
        { requiredKeys: [] },
      )
      .map(({ attrs: a, ...rest }) => ({ ...a, ...rest }));
    const routes = [
      ['POST', '/ngsi-ld/v1/temporal/entities'],
      ['POST', `/ngsi-ld/v1/temporal/entities/${SEED}/attrs`],
      ['PATCH', `/ngsi-ld/v1/temporal/entities/${SEED}/attrs/p/urn:ngsi-ld:attribute:instance:x`],
    ] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), entity, async ([method, url], body) => {
        expectClean(await app.inject({ method, url, payload: body }));
      }),
      { numRuns: 300 },
    );
  });

  it('random ids, attribute names and instance ids in URLs never give a 5xx', async () => {
    const segment = fc.oneof(fc.string({ maxLength: 40 }), fc.constant(SEED), fc.constant('p'));
    await fc.assert(
      fc.asyncProperty(
        segment,
        segment,
        segment,
        fc.constantFrom('GET', 'DELETE', 'PATCH'),
        async (id, attr, instance, method) => {
          const e = encodeURIComponent;
          const url =
            method === 'GET'
              ? `/ngsi-ld/v1/temporal/entities/${e(id)}`
              : `/ngsi-ld/v1/temporal/entities/${e(id)}/attrs/${e(attr)}/${e(instance)}`;
          expectClean(
            await app.inject({ method, url, ...(method === 'PATCH' ? { payload: { value: 1 } } : {}) }),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
