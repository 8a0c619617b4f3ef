// Changes made through the entity API leave the right notices in the outbox, in the transaction of
// the change (issue #3 "A match is written to a persistent outbox in the same transaction as the
// change"; clause 5.8.6 notification behaviour).
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/support/app.js';
import type { OutboxEntry } from '../../store/port.js';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/index.js';

const D = 'https://uri.etsi.org/ngsi-ld/default-context/';
const SUB = 'urn:ngsi-ld:Subscription:s';
const E1 = 'urn:ngsi-ld:Building:1';

let app: FastifyInstance;
let store: SqliteStore;
let vetted: string[];

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  await store.migrate();
  vetted = [];
  app = await testApp({ store, endpointPolicy: { vet: async (uri) => void vetted.push(uri) } });
});
afterEach(async () => {
  await app.close();
  await store.close();
});

const inject = (
  method: 'POST' | 'PATCH' | 'DELETE' | 'PUT',
  url: string,
  payload?: unknown,
  tenant?: string,
) =>
  app.inject({
    method,
    url: `/ngsi-ld/v1${url}`,
    ...(payload === undefined ? {} : { payload: payload as object }),
    headers: tenant === undefined ? {} : { 'ngsild-tenant': tenant },
  });

async function subscribe(
  extra: Record<string, unknown> = {},
  notification: Record<string, unknown> = {},
  tenant?: string,
) {
  const res = await inject(
    'POST',
    '/subscriptions',
    {
      id: SUB,
      type: 'Subscription',
      entities: [{ type: 'Building' }],
      notification: { endpoint: { uri: 'http://receiver.example/notify' }, ...notification },
      ...extra,
    },
    tenant,
  );
  expect(res.statusCode, res.body).toBe(201);
}

const building = (extra: Record<string, unknown> = {}) => ({
  id: E1,
  type: 'Building',
  name: { type: 'Property', value: 'Eiffel Tower' },
  height: { type: 'Property', value: 300 },
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [2.2945, 48.8584] } },
  ...extra,
});

async function expectStatus(p: Promise<{ statusCode: number; body: string }>, status: number) {
  const res = await p;
  expect(res.statusCode, res.body).toBe(status);
}

const outbox = (tenant = '', sub = SUB): Promise<OutboxEntry[]> => store.outbox.take(tenant, sub, 0, 100);

describe('notices written by entity changes', () => {
  it('create, update, append: one notice each, with the entity after the change', async () => {
    await subscribe();
    await expectStatus(inject('POST', '/entities', building()), 201);
    await expectStatus(
      inject('PATCH', `/entities/${E1}/attrs`, { height: { type: 'Property', value: 330 } }),
      204,
    );
    await expectStatus(
      inject('POST', `/entities/${E1}/attrs`, { color: { type: 'Property', value: 'brown' } }),
      204,
    );
    const entries = await outbox();
    expect(entries.map((e) => e.payload.trigger)).toEqual([
      'attributeCreated',
      'attributeUpdated',
      'attributeCreated',
    ]);
    expect(entries.every((e) => e.entityId === E1 && e.attempts === 0)).toBe(true);
    expect(entries[0]!.oid).toBeLessThan(entries[1]!.oid);
    expect(entries[1]!.payload.entity.attrs[`${D}height`]?.[0]?.value).toBe(330);
    expect(entries[2]!.payload.entity.attrs[`${D}color`]?.[0]?.value).toBe('brown');
    expect(await store.outbox.pending()).toEqual([{ tenant: '', subscriptionId: SUB }]);
  });

  it('entityDeleted and attributeDeleted', async () => {
    await subscribe({ notificationTrigger: ['attributeDeleted', 'entityDeleted'] });
    await expectStatus(inject('POST', '/entities', building()), 201);
    await expectStatus(inject('DELETE', `/entities/${E1}/attrs/name`), 204);
    await expectStatus(inject('DELETE', `/entities/${E1}`), 204);
    const entries = await outbox();
    expect(entries.map((e) => e.payload.trigger)).toEqual(['attributeDeleted', 'entityDeleted']);
    expect(entries[0]!.payload.entity.attrs[`${D}name`]?.[0]?.value).toBe('urn:ngsi-ld:null');
    expect(entries[1]!.payload.entity).toMatchObject({ id: E1, type: [`${D}Building`], attrs: {} });
  });

  it('batch upsert and merge notify each entity of the batch', async () => {
    await subscribe({ notificationTrigger: ['entityCreated', 'entityUpdated'] });
    const batch = [
      building(),
      building({ id: 'urn:ngsi-ld:Building:2' }),
      { id: 'urn:ngsi-ld:Tree:1', type: 'Tree' },
    ];
    await expectStatus(inject('POST', '/entityOperations/upsert', batch), 201);
    await expectStatus(inject('PATCH', `/entities/${E1}`, { height: { type: 'Property', value: 1 } }), 204);
    const entries = await outbox();
    expect(entries.map((e) => [e.entityId, e.payload.trigger])).toEqual([
      [E1, 'entityCreated'],
      ['urn:ngsi-ld:Building:2', 'entityCreated'],
      [E1, 'entityUpdated'],
    ]);
  });

  it('watchedAttributes, q and geoQ decide; notification.attributes reduces the entity', async () => {
    await subscribe(
      {
        watchedAttributes: ['height'],
        q: 'height>310',
        geoQ: { georel: 'near;maxDistance==1000', geometry: 'Point', coordinates: [2.29, 48.86] },
      },
      { attributes: ['height'] },
    );
    await expectStatus(inject('POST', '/entities', building()), 201); // height 300: q fails
    await expectStatus(
      inject('PATCH', `/entities/${E1}/attrs`, { name: { type: 'Property', value: 'x' } }),
      204,
    );
    await expectStatus(
      inject('PATCH', `/entities/${E1}/attrs`, { height: { type: 'Property', value: 320 } }),
      204,
    );
    await expectStatus(
      inject('PATCH', `/entities/${E1}/attrs`, {
        height: { type: 'Property', value: 330 },
        location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [10, 10] } },
      }),
      204,
    );
    const entries = await outbox();
    expect(entries).toHaveLength(1);
    expect(Object.keys(entries[0]!.payload.entity.attrs)).toEqual([`${D}height`]);
    expect(entries[0]!.payload.entity.attrs[`${D}height`]?.[0]?.value).toBe(320);
  });

  it('a paused subscription notices nothing until reactivated; a deleted one nothing at all', async () => {
    await subscribe();
    await expectStatus(inject('PATCH', `/subscriptions/${SUB}`, { isActive: false }), 204);
    await expectStatus(inject('POST', '/entities', building()), 201);
    expect(await outbox()).toHaveLength(0);
    await expectStatus(inject('PATCH', `/subscriptions/${SUB}`, { isActive: true }), 204);
    await expectStatus(
      inject('PATCH', `/entities/${E1}/attrs`, { height: { type: 'Property', value: 1 } }),
      204,
    );
    expect(await outbox()).toHaveLength(1);
    await expectStatus(inject('DELETE', `/subscriptions/${SUB}`), 204);
    expect(await outbox()).toHaveLength(0); // its pending notices go with it
    await expectStatus(
      inject('PATCH', `/entities/${E1}/attrs`, { height: { type: 'Property', value: 2 } }),
      204,
    );
    expect(await outbox()).toHaveLength(0);
  });

  it('an update of the subscription applies to the next change', async () => {
    await subscribe({ notificationTrigger: ['entityDeleted'] });
    await expectStatus(inject('POST', '/entities', building()), 201);
    expect(await outbox()).toHaveLength(0);
    await expectStatus(
      inject('PATCH', `/subscriptions/${SUB}`, { notificationTrigger: ['attributeUpdated'] }),
      204,
    );
    await expectStatus(
      inject('PATCH', `/entities/${E1}/attrs`, { height: { type: 'Property', value: 1 } }),
      204,
    );
    expect((await outbox()).map((e) => e.payload.trigger)).toEqual(['attributeUpdated']);
  });

  it('keeps tenants apart', async () => {
    await subscribe({}, {}, 'city');
    await expectStatus(inject('POST', '/entities', building()), 201);
    expect(await outbox('city')).toHaveLength(0);
    await expectStatus(inject('POST', '/entities', building(), 'city'), 201);
    expect(await outbox('city')).toHaveLength(1);
    expect(await outbox('')).toHaveLength(0);
  });

  it('showChanges keeps the previous instance in the notice', async () => {
    await subscribe({}, { showChanges: true });
    await expectStatus(inject('POST', '/entities', building()), 201);
    await expectStatus(inject('PATCH', `/entities/${E1}/attrs/height`, { value: 310 }), 204);
    const [, updated] = await outbox();
    expect(updated!.payload.previous?.[`${D}height`]?.[0]?.value).toBe(300);
  });

  it('the endpoint was vetted by the policy at creation', async () => {
    await subscribe();
    expect(vetted).toEqual(['http://receiver.example/notify']);
  });

  it('subscriptions stored in the store are matched after a restart of the app', async () => {
    await subscribe();
    await app.close();
    app = await testApp({ store });
    await expectStatus(inject('POST', '/entities', building()), 201);
    expect(await outbox()).toHaveLength(1);
  });
});
