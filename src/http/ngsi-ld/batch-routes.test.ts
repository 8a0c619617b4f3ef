// Batch operations through HTTP (clauses 5.6.7–5.6.10, 5.6.20; 6.14–6.18, 6.31).
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/support/app.js';

let app: FastifyInstance;
beforeEach(async () => {
  app = await testApp();
});
afterEach(async () => {
  await app.close();
});

const op = (name: string, payload: unknown, qs = '') =>
  app.inject({
    method: 'POST',
    url: `/ngsi-ld/v1/entityOperations/${name}${qs}`,
    payload: payload as object,
  });
const meter = (i: number, value = i) => ({
  id: `urn:ngsi-ld:WaterMeter:${i}`,
  type: 'WaterMeter',
  volume: { type: 'Property', value, unitCode: 'MTQ' },
});
const get = async (i: number) =>
  app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities/urn:ngsi-ld:WaterMeter:${i}` });

describe('batch create (5.6.7)', () => {
  it('creates all: 201 with the ids', async () => {
    const res = await op('create', [meter(1), meter(2)]);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual(['urn:ngsi-ld:WaterMeter:1', 'urn:ngsi-ld:WaterMeter:2']);
  });

  it('partial success: 207 with per-entity ProblemDetails, the good ones stored', async () => {
    await op('create', [meter(1)]);
    const res = await op('create', [meter(1), meter(2), { id: 'bad id', type: 'WaterMeter' }]);
    expect(res.statusCode).toBe(207);
    const body = res.json();
    expect(body.success).toEqual(['urn:ngsi-ld:WaterMeter:2']);
    expect(body.errors).toHaveLength(2);
    expect(
      body.errors.find((e: { entityId: string }) => e.entityId === 'urn:ngsi-ld:WaterMeter:1').error.type,
    ).toBe('https://uri.etsi.org/ngsi-ld/errors/AlreadyExists');
    expect((await get(2)).statusCode).toBe(200);
  });

  it('handles 2,000 entities in one request', async () => {
    const res = await op(
      'create',
      Array.from({ length: 2000 }, (_, i) => meter(i)),
    );
    expect(res.statusCode).toBe(201);
    const count = await app.inject({
      method: 'GET',
      url: '/ngsi-ld/v1/entities?type=WaterMeter&count=true&limit=1',
    });
    expect(count.headers['ngsild-results-count']).toBe('2000');
  });

  it('refuses an empty or non-array body with 400', async () => {
    expect((await op('create', [])).statusCode).toBe(400);
    expect((await op('create', { id: 'urn:x:1' })).statusCode).toBe(400);
  });
});

describe('batch upsert (5.6.8)', () => {
  it('creates the missing (201 with their ids) and replaces the existing', async () => {
    await op('create', [{ ...meter(1), serial: { type: 'Property', value: 'A' } }]);
    const res = await op('upsert', [meter(1, 99), meter(2)]);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual(['urn:ngsi-ld:WaterMeter:2']);
    const one = (await get(1)).json();
    expect(one.volume.value).toBe(99);
    expect(one.serial).toBeUndefined();
  });

  it('with options=update keeps attributes not named; 204 when nothing was created', async () => {
    await op('create', [{ ...meter(1), serial: { type: 'Property', value: 'A' } }]);
    const res = await op('upsert', [meter(1, 5)], '?options=update');
    expect(res.statusCode).toBe(204);
    const one = (await get(1)).json();
    expect(one.volume.value).toBe(5);
    expect(one.serial.value).toBe('A');
  });
});

describe('batch update, merge and delete (5.6.9, 5.6.20, 5.6.10)', () => {
  beforeEach(async () => {
    await op('create', [meter(1), meter(2)]);
  });

  it('update: 204; a missing entity makes it 207', async () => {
    expect((await op('update', [meter(1, 10)])).statusCode).toBe(204);
    expect((await get(1)).json().volume.value).toBe(10);
    const res = await op('update', [meter(2, 20), meter(3, 30)]);
    expect(res.statusCode).toBe(207);
    expect(res.json().errors[0]).toMatchObject({
      entityId: 'urn:ngsi-ld:WaterMeter:3',
      error: { status: 404 },
    });
  });

  it('update with noOverwrite leaves existing attributes', async () => {
    await op(
      'update',
      [{ ...meter(1, 77), leak: { type: 'Property', value: false } }],
      '?options=noOverwrite',
    );
    const one = (await get(1)).json();
    expect(one.volume.value).toBe(1);
    expect(one.leak.value).toBe(false);
  });

  it('merge keeps unnamed members', async () => {
    expect((await op('merge', [{ id: 'urn:ngsi-ld:WaterMeter:1', volume: 12 }])).statusCode).toBe(204);
    expect((await get(1)).json().volume).toEqual({ type: 'Property', value: 12, unitCode: 'MTQ' });
  });

  it('delete: 204, then 207 for ids that are gone', async () => {
    expect((await op('delete', ['urn:ngsi-ld:WaterMeter:1'])).statusCode).toBe(204);
    const res = await op('delete', ['urn:ngsi-ld:WaterMeter:1', 'urn:ngsi-ld:WaterMeter:2']);
    expect(res.statusCode).toBe(207);
    expect(res.json().success).toEqual(['urn:ngsi-ld:WaterMeter:2']);
  });
});
