// Temporal pagination through HTTP (clause 6.3.10): beyond the maximum of instances per attribute,
// 206 Partial Content with `Content-Range: date-time <start>-<end>/<size>`, forwards without lastN
// and backwards with it. The app here pages at 3 instances so that histories stay small.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/support/app.js';

let app: FastifyInstance;
const MAX = 3;
const V = 'urn:ngsi-ld:Vehicle:paged';
const minute = (m: number) => `2026-06-01T10:${String(m).padStart(2, '0')}:00Z`;
const ms = (iso: string) => Date.parse(iso);

beforeAll(async () => {
  app = await testApp({ maxLimit: 100, maxInstances: MAX });
  // speed every minute 0..9, fuel at minutes 0, 5 and 9 (fits in a page alone).
  const res = await app.inject({
    method: 'POST',
    url: '/ngsi-ld/v1/temporal/entities',
    payload: {
      id: V,
      type: 'Vehicle',
      speed: Array.from({ length: 10 }, (_, m) => ({ type: 'Property', value: m, observedAt: minute(m) })),
      fuel: [0, 5, 9].map((m) => ({ type: 'Property', value: 100 - m, observedAt: minute(m) })),
    },
  });
  expect(res.statusCode, res.body).toBe(201);
});
afterAll(async () => {
  await app.close();
});

type Instance = { value: number; observedAt: string };

/** Content-Range of a temporal page: start and end as epoch ms, and the size. */
function range(header: unknown): { start: number; end: number; size: string } {
  const m = /^date-time (\S+Z)-(\S+Z)\/(\*|\d+)$/.exec(String(header));
  expect(m, String(header)).not.toBeNull();
  return { start: ms(m![1]!), end: ms(m![2]!), size: m![3]! };
}

describe('temporal pagination (6.3.10)', () => {
  it('forwards: the earliest instances, every attribute cut to the same time range', async () => {
    const res = await app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal/entities/${V}` });
    expect(res.statusCode, res.body).toBe(206);
    expect(range(res.headers['content-range'])).toEqual({
      start: ms(minute(0)),
      end: ms(minute(2)),
      size: '*',
    });
    const body = res.json() as { speed: Instance[]; fuel: Instance[] };
    expect(body.speed.map((i) => i.value)).toEqual([0, 1, 2]);
    expect(body.fuel.map((i) => i.value)).toEqual([100]);
  });

  it('forwards with after: the range starts at timeAt', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/ngsi-ld/v1/temporal/entities/${V}?timerel=after&timeAt=${minute(3)}&attrs=speed`,
    });
    expect(res.statusCode, res.body).toBe(206);
    const r = range(res.headers['content-range']);
    expect(r.start).toBe(ms(minute(3)));
    const speed = (res.json() as { speed: Instance[] }).speed;
    expect(speed).toHaveLength(MAX);
    expect(r.end).toBe(ms(speed[MAX - 1]!.observedAt));
  });

  it('backwards with lastN: the most recent instances, size = lastN', async () => {
    const res = await app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal/entities/${V}?lastN=5` });
    expect(res.statusCode, res.body).toBe(206);
    expect(range(res.headers['content-range'])).toEqual({
      start: ms(minute(9)),
      end: ms(minute(7)),
      size: '5',
    });
    const body = res.json() as { speed: Instance[]; fuel: Instance[] };
    expect(body.speed.map((i) => i.value)).toEqual([7, 8, 9]);
    expect(body.fuel.map((i) => i.value)).toEqual([91]);
  });

  it('no paging when lastN fits in a page', async () => {
    const res = await app.inject({ method: 'GET', url: `/ngsi-ld/v1/temporal/entities/${V}?lastN=2` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-range']).toBeUndefined();
    expect((res.json() as { speed: Instance[] }).speed.map((i) => i.value)).toEqual([8, 9]);
  });

  it('pages queries and temporalValues the same way', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/ngsi-ld/v1/temporal/entities?type=Vehicle&options=temporalValues',
    });
    expect(res.statusCode, res.body).toBe(206);
    expect(range(res.headers['content-range']).end).toBe(ms(minute(2)));
    const [e] = res.json() as Array<{ speed: { values: unknown[][] } }>;
    expect(e!.speed.values.map((p) => p[0])).toEqual([0, 1, 2]);
    const post = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/temporal/entityOperations/query',
      payload: { type: 'Query', entities: [{ type: 'Vehicle' }], temporalQ: { lastN: 4 } },
    });
    expect(post.statusCode, post.body).toBe(206);
    expect(range(post.headers['content-range'])).toMatchObject({ start: ms(minute(9)), size: '4' });
  });

  it('a page that fits is a plain 200', async () => {
    const res = await app.inject({
      method: 'GET',
      url: `/ngsi-ld/v1/temporal/entities/${V}?attrs=fuel`,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-range']).toBeUndefined();
  });
});
