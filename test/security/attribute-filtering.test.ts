/**
 * Attribute-level access control (OWASP API3) end to end: a principal who may read a type but not an
 * attribute gets the entity without it — in retrieve, query, temporal and notifications alike — and
 * cannot learn its values through q, attrs or orderBy. Writes to it are refused. Public data is
 * readable anonymously only where a policy says so.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { testKit } from '../support/app.js';

const T = 'city';
const H = { 'ngsild-tenant': T };
const POLICY = {
  rules: [
    { roles: ['admin'], actions: ['read', 'write', 'command', 'admin'] },
    { id: 'analysts', roles: ['analyst'], actions: ['read'] },
    { roles: ['analyst'], effect: 'deny', actions: ['read'], types: ['ParkingSpot'], attrs: ['plate'] },
    { roles: ['analyst'], effect: 'deny', actions: ['read'], types: ['Person'] },
    { roles: ['meter-reader'], actions: ['read', 'write'], types: ['Meter'], attrs: ['reading'] },
    { id: 'open-air', public: true, actions: ['read'], types: ['AirQualityObserved'] },
  ],
};

let app: FastifyInstance;
let store: SqliteStore;
let analyst: string;
let reader: string;

const spot = (id: string, plate: string, status: string) => ({
  id,
  type: 'ParkingSpot',
  status: { type: 'Property', value: status, observedAt: '2026-11-01T10:00:00Z' },
  plate: { type: 'Property', value: plate, observedAt: '2026-11-01T10:00:00Z' },
});

async function keyFor(id: string, roles: string[]): Promise<string> {
  const kit = governance!;
  await kit.identity.createPrincipal({ tenant: T, id, kind: 'user', roles });
  return `Bearer ${(await kit.identity.createKey({ tenant: T, principalId: id })).secret}`;
}
let governance: Awaited<ReturnType<typeof testKit>>['governance'] | undefined;

beforeAll(async () => {
  const kit = await testKit();
  ({ app, store, governance } = kit);
  await kit.governance.policies.put(T, POLICY, 'test', new Date().toISOString());
  analyst = await keyFor('ana', ['analyst']);
  reader = await keyFor('mer', ['meter-reader']);
  for (const body of [
    spot('urn:ngsi-ld:ParkingSpot:1', 'AB-123', 'occupied'),
    spot('urn:ngsi-ld:ParkingSpot:2', 'CD-456', 'free'),
    { id: 'urn:ngsi-ld:Person:1', type: 'Person', name: { type: 'Property', value: 'Ada' } },
    {
      id: 'urn:ngsi-ld:Meter:1',
      type: 'Meter',
      reading: { type: 'Property', value: 10 },
      household: { type: 'Property', value: 'flat 3' },
    },
    {
      id: 'urn:ngsi-ld:AirQualityObserved:1',
      type: 'AirQualityObserved',
      NO2: { type: 'Property', value: 21 },
    },
  ]) {
    const res = await app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', headers: H, payload: body });
    expect(res.statusCode, res.body).toBe(201);
  }
});
afterAll(async () => app.close());

const get = (url: string, authorization: string | undefined) =>
  app.inject({ method: 'GET', url: `/ngsi-ld/v1/${url}`, headers: { ...H, authorization } });

describe('reading with a hidden attribute', () => {
  it('retrieve leaves the attribute out', async () => {
    const res = await get('entities/urn:ngsi-ld:ParkingSpot:1', analyst);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toHaveProperty('status');
    expect(res.json()).not.toHaveProperty('plate');
    expect(res.body).not.toContain('AB-123');
  });

  it('query leaves it out of every entity, and the count is of what may be seen', async () => {
    const res = await get('entities?type=ParkingSpot,Person&count=true', analyst);
    expect(res.statusCode).toBe(200);
    expect(res.headers['ngsild-results-count']).toBe('2');
    expect(
      res
        .json()
        .map((e: { id: string }) => e.id)
        .sort(),
    ).toEqual(['urn:ngsi-ld:ParkingSpot:1', 'urn:ngsi-ld:ParkingSpot:2']);
    expect(res.body).not.toMatch(/AB-123|CD-456|Ada/);
  });

  it('a withheld type is not found, not forbidden (its existence is not revealed)', async () => {
    expect((await get('entities/urn:ngsi-ld:Person:1', analyst)).statusCode).toBe(404);
    expect((await get('temporal/entities/urn:ngsi-ld:Person:1', analyst)).statusCode).toBe(404);
  });

  it('q, attrs and orderBy on the hidden attribute are refused (they would reveal its values)', async () => {
    for (const url of [
      'entities?type=ParkingSpot&q=plate==%22AB-123%22',
      'entities?type=ParkingSpot&attrs=plate',
      'entities?type=ParkingSpot&orderBy=plate',
      'temporal/entities?type=ParkingSpot&q=plate==%22AB-123%22',
    ]) {
      const res = await get(url, analyst);
      expect(res.statusCode, url).toBe(403);
      expect(res.json().detail).toContain('plate');
    }
  });

  it('temporal retrieve and query leave its history out', async () => {
    const one = await get('temporal/entities/urn:ngsi-ld:ParkingSpot:1', analyst);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toHaveProperty('status');
    expect(one.body).not.toContain('AB-123');
    const many = await get('temporal/entities?type=ParkingSpot', analyst);
    expect(many.statusCode).toBe(200);
    expect(many.body).not.toMatch(/AB-123|CD-456/);
    expect(many.json()).toHaveLength(2);
  });

  it('discovery lists only what may be seen', async () => {
    const types = await get('types?details=true', analyst);
    expect(types.statusCode).toBe(200);
    expect(types.body).not.toContain('Person');
    const attrs = await get('attributes', analyst);
    expect(attrs.body).not.toContain('plate');
    expect(attrs.body).toContain('status');
  });

  it('notifications carry only what the subscription’s owner may read, and a hidden attribute never triggers', async () => {
    const sub = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/subscriptions',
      headers: { ...H, authorization: analyst },
      payload: {
        id: 'urn:ngsi-ld:Subscription:ana',
        type: 'Subscription',
        entities: [{ type: 'ParkingSpot' }],
        notification: { endpoint: { uri: 'http://127.0.0.1:9/n' } },
      },
    });
    expect(sub.statusCode, sub.body).toBe(201);
    const patch = (attrs: Record<string, unknown>) =>
      app.inject({
        method: 'PATCH',
        url: '/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:2/attrs',
        headers: H,
        payload: attrs,
      });
    expect((await patch({ plate: { type: 'Property', value: 'EF-789' } })).statusCode).toBe(204);
    expect(await store.outbox.take(T, 'urn:ngsi-ld:Subscription:ana', 0, 10)).toHaveLength(0);
    expect((await patch({ status: { type: 'Property', value: 'occupied' } })).statusCode).toBe(204);
    const notices = await store.outbox.take(T, 'urn:ngsi-ld:Subscription:ana', 0, 10);
    expect(notices).toHaveLength(1);
    expect(JSON.stringify(notices)).not.toMatch(/EF-789|CD-456|plate/);
    expect(JSON.stringify(notices)).toContain('occupied');
  });

  it('another principal’s subscription is not even visible to the analyst', async () => {
    const mine = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/subscriptions',
      headers: H,
      payload: {
        id: 'urn:ngsi-ld:Subscription:admin',
        type: 'Subscription',
        entities: [{ type: 'Meter' }],
        notification: { endpoint: { uri: 'http://127.0.0.1:9/n' } },
      },
    });
    expect(mine.statusCode).toBe(201);
    expect((await get('subscriptions/urn:ngsi-ld:Subscription:admin', analyst)).statusCode).toBe(404);
    const list = await get('subscriptions', analyst);
    expect(list.json().map((s: { id: string }) => s.id)).toEqual(['urn:ngsi-ld:Subscription:ana']);
  });
});

describe('writing with attribute rules', () => {
  it('a principal may write the attribute it is granted and nothing else', async () => {
    const write = (payload: Record<string, unknown>) =>
      app.inject({
        method: 'PATCH',
        url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Meter:1/attrs',
        headers: { ...H, authorization: reader },
        payload,
      });
    expect((await write({ reading: { type: 'Property', value: 11 } })).statusCode).toBe(204);
    const refused = await write({ household: { type: 'Property', value: 'flat 4' } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().detail).toContain('household');
    const read = await get('entities/urn:ngsi-ld:Meter:1', reader);
    expect(read.json()).toHaveProperty('reading.value', 11);
    expect(read.json()).not.toHaveProperty('household');
    const del = await app.inject({
      method: 'DELETE',
      url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Meter:1',
      headers: { ...H, authorization: reader },
    });
    expect(del.statusCode).toBe(403);
  });

  it('in a batch, entities the caller may not write fail alone (207)', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entityOperations/upsert',
      headers: { ...H, authorization: reader },
      payload: [
        { id: 'urn:ngsi-ld:Meter:2', type: 'Meter', reading: { type: 'Property', value: 1 } },
        { id: 'urn:ngsi-ld:Street:1', type: 'Street', name: { type: 'Property', value: 'x' } },
      ],
    });
    expect(res.statusCode).toBe(207);
    expect(res.json().success).toEqual(['urn:ngsi-ld:Meter:2']);
    expect(res.json().errors[0]).toMatchObject({ entityId: 'urn:ngsi-ld:Street:1', error: { status: 403 } });
  });
});

describe('public data', () => {
  it('is readable anonymously exactly where a policy marks it public', async () => {
    const open = await get('entities/urn:ngsi-ld:AirQualityObserved:1', undefined);
    expect(open.statusCode).toBe(200);
    expect(open.json()).toHaveProperty('NO2.value', 21);
    const list = await get('entities?type=AirQualityObserved,ParkingSpot', undefined);
    expect(list.statusCode).toBe(200);
    expect(list.json().map((e: { id: string }) => e.id)).toEqual(['urn:ngsi-ld:AirQualityObserved:1']);
    expect((await get('entities/urn:ngsi-ld:ParkingSpot:1', undefined)).statusCode).toBe(404);
    const write = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entities',
      headers: H,
      payload: { id: 'urn:x:anon', type: 'AirQualityObserved' },
    });
    expect(write.statusCode).toBe(201); // the test's default caller is the administrator
    const anonymousWrite = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entities',
      headers: { ...H, authorization: undefined },
      payload: { id: 'urn:x:anon2', type: 'AirQualityObserved' },
    });
    expect(anonymousWrite.statusCode).toBe(401);
    expect((await get('subscriptions', undefined)).statusCode).toBe(401);
  });

  it('is not public in a tenant whose policy does not say so', async () => {
    const other = await app.inject({
      method: 'GET',
      url: '/ngsi-ld/v1/entities?type=AirQualityObserved',
      headers: { 'ngsild-tenant': 'elsewhere', authorization: undefined },
    });
    expect(other.statusCode).toBe(401);
  });
});

describe('subscriptions follow their owner', () => {
  it('a disabled owner’s subscription notifies nothing it could not read; re-enabled, it notifies again', async () => {
    const SUB = 'urn:ngsi-ld:Subscription:ana';
    const pending = async () => (await store.outbox.take(T, SUB, 0, 100)).length;
    const setDisabled = async (disabled: boolean) => {
      const res = await app.inject({
        method: 'PATCH',
        url: '/admin/principals/ana',
        headers: H,
        payload: { disabled },
      });
      expect(res.statusCode, res.body).toBe(200);
    };
    const touch = (value: string) =>
      app.inject({
        method: 'PATCH',
        url: '/ngsi-ld/v1/entities/urn:ngsi-ld:ParkingSpot:1/attrs',
        headers: H,
        payload: { status: { type: 'Property', value } },
      });
    const before = await pending();
    await setDisabled(true);
    expect((await touch('free')).statusCode).toBe(204);
    expect(await pending()).toBe(before);
    await setDisabled(false);
    expect((await touch('occupied')).statusCode).toBe(204);
    expect(await pending()).toBe(before + 1);
  });
});
