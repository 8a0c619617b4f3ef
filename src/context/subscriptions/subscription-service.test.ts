// The subscription service over a real (in-memory) SQLite store: CRUD rules of clause 5.8, the
// endpoint policy, the reactor, start-up loading, and the NotificationSource side.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NgsiError } from '../../core/errors.js';
import { ContextResolver } from '../../core/jsonld/context-resolver.js';
import { CORE_CONTEXT_URL } from '../../core/jsonld/core-context-v1-8.js';
import type { Entity } from '../../core/model/entity.js';
import type { Subscription } from '../../core/subscription/model.js';
import { parseSubscription, patchSubscription } from '../../core/subscription/parse-subscription.js';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/index.js';
import type { EndpointPolicy } from '../notify/contracts.js';
import { SubscriptionService } from './subscription-service.js';

const D = 'https://uri.etsi.org/ngsi-ld/default-context/';
const NOW = '2030-01-01T00:00:00.000Z';
const CTX_URL = 'https://example.org/ctx.jsonld';
const resolver = new ContextResolver({
  load: async (url) => {
    if (url === CTX_URL) return { '@context': { Building: 'https://example.org/Building' } };
    throw new Error(`offline: ${url}`);
  },
});

let store: SqliteStore;
let service: SubscriptionService;
let vetted: string[];
const policy: EndpointPolicy = {
  vet: async (uri) => {
    vetted.push(uri);
    if (uri.includes('169.254.')) throw new NgsiError('BadRequestData', `endpoint ${uri} is not allowed`);
  },
};

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  await store.migrate();
  vetted = [];
  service = new SubscriptionService({ store, contexts: resolver, endpointPolicy: policy, now: () => NOW });
  await service.start();
});
afterEach(async () => {
  await service.stop();
  await store.close();
});

function sub(body: Record<string, unknown> = {}, context?: unknown): Subscription {
  return parseSubscription(
    {
      id: 'urn:ngsi-ld:Subscription:1',
      type: 'Subscription',
      entities: [{ type: 'Building' }],
      notification: { endpoint: { uri: 'http://receiver.example/notify' } },
      ...body,
    },
    resolver.core,
    { now: NOW, context },
  );
}

async function rejection(p: Promise<unknown>): Promise<NgsiError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(NgsiError);
  return e as NgsiError;
}

const building = (id = 'urn:ngsi-ld:Building:1', height = 10): Entity => ({
  id,
  type: [`${D}Building`],
  attrs: { [`${D}height`]: [{ type: 'Property', value: height, modifiedAt: NOW }] },
});

describe('SubscriptionService CRUD (5.8.1 – 5.8.5)', () => {
  it('creates, retrieves, lists, updates and deletes', async () => {
    await service.create({ tenant: '' }, sub());
    expect((await service.retrieve({ tenant: '' }, 'urn:ngsi-ld:Subscription:1')).subscription.id).toBe(
      'urn:ngsi-ld:Subscription:1',
    );
    await service.create({ tenant: '' }, sub({ id: 'urn:ngsi-ld:Subscription:2' }));
    const page = await service.list({ tenant: '' }, 1, 1);
    expect(page.count).toBe(2);
    expect(page.items.map((r) => r.subscription.id)).toEqual(['urn:ngsi-ld:Subscription:2']);
    await service.update({ tenant: '' }, 'urn:ngsi-ld:Subscription:1', (current) =>
      patchSubscription(current, { q: 'height>5' }, resolver.core, { now: NOW }),
    );
    expect((await service.retrieve({ tenant: '' }, 'urn:ngsi-ld:Subscription:1')).subscription.q?.text).toBe(
      'height>5',
    );
    expect(service.subscription('', 'urn:ngsi-ld:Subscription:1')?.q?.text).toBe('height>5');
    await service.delete({ tenant: '' }, 'urn:ngsi-ld:Subscription:1');
    expect((await rejection(service.retrieve({ tenant: '' }, 'urn:ngsi-ld:Subscription:1'))).kind).toBe(
      'ResourceNotFound',
    );
    expect(service.subscription('', 'urn:ngsi-ld:Subscription:1')).toBeUndefined();
  });

  it('409 AlreadyExists for a taken id, also when two creates race', async () => {
    await service.create({ tenant: '' }, sub());
    expect((await rejection(service.create({ tenant: '' }, sub()))).kind).toBe('AlreadyExists');
    const results = await Promise.allSettled([
      service.create({ tenant: '' }, sub({ id: 'urn:ngsi-ld:Subscription:race' })),
      service.create({ tenant: '' }, sub({ id: 'urn:ngsi-ld:Subscription:race' })),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    // The same id in another tenant is another subscription.
    await service.create({ tenant: 'other' }, sub());
  });

  it('404 for an unknown subscription; NonexistentTenant for reads, updates and deletes of an unknown tenant', async () => {
    expect((await rejection(service.retrieve({ tenant: '' }, 'urn:x:none'))).kind).toBe('ResourceNotFound');
    expect((await rejection(service.update({ tenant: '' }, 'urn:x:none', (s) => s))).kind).toBe(
      'ResourceNotFound',
    );
    expect((await rejection(service.delete({ tenant: '' }, 'urn:x:none'))).kind).toBe('ResourceNotFound');
    for (const p of [
      service.retrieve({ tenant: 'nowhere' }, 'urn:x:1'),
      service.list({ tenant: 'nowhere' }, 10, 0),
      service.update({ tenant: 'nowhere' }, 'urn:x:1', (s) => s),
      service.delete({ tenant: 'nowhere' }, 'urn:x:1'),
    ]) {
      expect((await rejection(p)).kind).toBe('NonexistentTenant');
    }
    await service.create({ tenant: 'fresh' }, sub());
    expect((await service.list({ tenant: 'fresh' }, 10, 0)).count).toBe(1);
  });

  it('vets the endpoint on create and when an update changes it, storing nothing refused', async () => {
    await service.create({ tenant: '' }, sub());
    expect(vetted).toEqual(['http://receiver.example/notify']);
    const bad = sub({
      id: 'urn:x:bad',
      notification: { endpoint: { uri: 'http://169.254.169.254/latest' } },
    });
    expect((await rejection(service.create({ tenant: '' }, bad))).kind).toBe('BadRequestData');
    expect(await store.subscriptions.get('', 'urn:x:bad')).toBeUndefined();
    expect(service.subscription('', 'urn:x:bad')).toBeUndefined();
    await service.update({ tenant: '' }, 'urn:ngsi-ld:Subscription:1', (s) =>
      patchSubscription(s, { description: 'same endpoint' }, resolver.core, { now: NOW }),
    );
    expect(vetted).toHaveLength(2);
    const refused = service.update({ tenant: '' }, 'urn:ngsi-ld:Subscription:1', (s) =>
      patchSubscription(s, { notification: { endpoint: { uri: 'http://169.254.1.1/x' } } }, resolver.core, {
        now: NOW,
      }),
    );
    expect((await rejection(refused)).kind).toBe('BadRequestData');
    expect(service.subscription('', 'urn:ngsi-ld:Subscription:1')?.notification.endpoint.uri).toBe(
      'http://receiver.example/notify',
    );
  });

  it('checks that the @context for notifications can be loaded (503 otherwise)', async () => {
    const unavailable = sub({ jsonldContext: 'https://unreachable.example/ctx.jsonld' });
    expect((await rejection(service.create({ tenant: '' }, unavailable))).kind).toBe('LdContextNotAvailable');
    await service.create({ tenant: '' }, sub({ id: 'urn:x:ok', jsonldContext: CTX_URL }));
  });

  it('loads the stored subscriptions at start', async () => {
    await service.create({ tenant: 't' }, sub());
    const again = new SubscriptionService({
      store,
      contexts: resolver,
      endpointPolicy: policy,
      now: () => NOW,
    });
    expect(again.subscription('t', 'urn:ngsi-ld:Subscription:1')).toBeUndefined();
    await again.start();
    expect(again.subscription('t', 'urn:ngsi-ld:Subscription:1')).toBeDefined();
    expect(
      again.react({ tenant: 't', id: 'urn:ngsi-ld:Building:1', after: building(), at: NOW }),
    ).toHaveLength(1);
    await again.stop();
  });

  it('announces every change, and another replica reloads what was announced (or forgets it)', async () => {
    const announced: string[] = [];
    const a = new SubscriptionService({
      store,
      contexts: resolver,
      endpointPolicy: policy,
      now: () => NOW,
      announce: (k) => announced.push(`${k.tenant}|${k.id}`),
    });
    const b = new SubscriptionService({ store, contexts: resolver, endpointPolicy: policy, now: () => NOW });
    await a.start();
    await b.start();
    const id = 'urn:ngsi-ld:Subscription:1';
    await a.create({ tenant: 't' }, sub());
    expect(b.subscription('t', id)).toBeUndefined();
    await b.refresh({ tenant: 't', id });
    expect(b.react({ tenant: 't', id: 'urn:ngsi-ld:Building:1', after: building(), at: NOW })).toHaveLength(
      1,
    );
    await a.update({ tenant: 't' }, id, (current) =>
      patchSubscription(current, { q: 'height>50' }, resolver.core, { now: NOW }),
    );
    await b.refresh({ tenant: 't', id });
    expect(b.react({ tenant: 't', id: 'urn:ngsi-ld:Building:1', after: building(), at: NOW })).toHaveLength(
      0,
    );
    await a.delete({ tenant: 't' }, id);
    await b.refresh({ tenant: 't', id });
    expect(b.subscription('t', id)).toBeUndefined();
    expect(announced).toEqual([`t|${id}`, `t|${id}`, `t|${id}`]);
    await a.stop();
    await b.stop();
  });
});

describe('SubscriptionService as the reactor', () => {
  it('turns a change into the notices of the subscriptions it concerns', async () => {
    await service.create({ tenant: '' }, sub());
    await service.create({ tenant: '' }, sub({ id: 'urn:x:tall', q: 'height>100' }));
    const notices = service.react({ tenant: '', id: 'urn:ngsi-ld:Building:1', after: building(), at: NOW });
    expect(notices).toEqual([
      {
        subscriptionId: 'urn:ngsi-ld:Subscription:1',
        entityId: 'urn:ngsi-ld:Building:1',
        payload: { trigger: 'attributeCreated', entity: building(), at: NOW },
      },
    ]);
    expect(
      service.react({ tenant: 'other', id: 'urn:ngsi-ld:Building:1', after: building(), at: NOW }),
    ).toEqual([]);
  });

  it('with 10,000 subscriptions of other types, a write evaluates only the relevant ones', async () => {
    for (let i = 0; i < 10_000; i++) {
      await service.create(
        { tenant: '' },
        sub({ id: `urn:x:other:${i}`, entities: [{ type: `Other${i % 100}` }] }),
      );
    }
    await service.create({ tenant: '' }, sub({ id: 'urn:x:mine' }));
    await service.create(
      { tenant: '' },
      sub({ id: 'urn:x:mine-by-id', entities: [{ type: 'Building', id: 'urn:ngsi-ld:Building:1' }] }),
    );
    const before = service.stats.evaluations;
    const notices = service.react({ tenant: '', id: 'urn:ngsi-ld:Building:1', after: building(), at: NOW });
    expect(service.stats.evaluations - before).toBe(2);
    expect(notices.map((n) => n.subscriptionId).sort()).toEqual(['urn:x:mine', 'urn:x:mine-by-id']);
  });

  it('a subscription that fails to evaluate is reported and skipped, never failing the write', async () => {
    const errors: unknown[] = [];
    const s = new SubscriptionService({
      store,
      contexts: resolver,
      endpointPolicy: policy,
      onError: (e) => errors.push(e),
    });
    await s.create({ tenant: '' }, sub());
    // A stored subscription whose q cannot run (corrupted by hand): matching throws inside.
    const broken = structuredClone(sub({ id: 'urn:x:broken' }));
    broken.q = {
      text: 'x',
      expr: {
        kind: 'compare',
        path: { attr: 'a', sub: [], keys: [] },
        op: '~=',
        value: { kind: 'number', value: 1 },
      },
    };
    await s.create({ tenant: '' }, broken);
    const notices = s.react({
      tenant: '',
      id: 'urn:ngsi-ld:Building:1',
      after: { ...building(), attrs: { ...building().attrs, a: [{ type: 'Property', value: 'x' }] } },
      at: NOW,
    });
    expect(notices.map((n) => n.subscriptionId)).toEqual(['urn:ngsi-ld:Subscription:1']);
    expect(errors).toHaveLength(1);
  });
});

describe('SubscriptionService as the NotificationSource', () => {
  const payload = { trigger: 'attributeUpdated' as const, entity: building(), at: NOW };
  const exampleBuilding: Entity = {
    id: 'urn:ngsi-ld:Building:1',
    type: ['https://example.org/Building'],
    attrs: { 'https://example.org/height': [{ type: 'Property', value: 10 }] },
  };
  const examplePayload = { ...payload, entity: exampleBuilding };

  it('renders application/json with a Link to the subscription context, receiverInfo and the tenant', async () => {
    const s = sub(
      {
        notification: {
          endpoint: {
            uri: 'http://receiver.example/notify',
            receiverInfo: [
              { key: 'Authorization', value: 'Bearer t' },
              { key: 'NGSILD-Tenant', value: 'spoofed' },
            ],
          },
        },
      },
      CTX_URL,
    );
    const n = await service.render('city', s, 'urn:ngsi-ld:Notification:1', [examplePayload], NOW);
    expect(n.contentType).toBe('application/json');
    expect(n.headers).toEqual({
      Authorization: 'Bearer t',
      'NGSILD-Tenant': 'city',
      Link: `<${CTX_URL}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`,
    });
    expect(JSON.parse(n.body)).toEqual({
      id: 'urn:ngsi-ld:Notification:1',
      type: 'Notification',
      subscriptionId: 'urn:ngsi-ld:Subscription:1',
      notifiedAt: NOW,
      data: [
        {
          id: 'urn:ngsi-ld:Building:1',
          type: 'Building',
          'https://example.org/height': { type: 'Property', value: 10 },
        },
      ],
    });
  });

  it('renders application/ld+json with the @context in the body and no Link', async () => {
    const s = sub({ notification: { endpoint: { uri: 'http://r/n', accept: 'application/ld+json' } } }, [
      CTX_URL,
      { height: 'https://example.org/height' },
    ]);
    const n = await service.render('', s, 'urn:n:2', [examplePayload], NOW);
    expect(n.contentType).toBe('application/ld+json');
    expect(n.headers).toEqual({});
    const body = JSON.parse(n.body) as Record<string, unknown>;
    expect(body['@context']).toEqual([CTX_URL, { height: 'https://example.org/height' }]);
    expect((body.data as Array<Record<string, unknown>>)[0]).toEqual({
      id: 'urn:ngsi-ld:Building:1',
      type: 'Building',
      height: { type: 'Property', value: 10 },
    });
  });

  it('names the core context in the Link header when the subscription has none of its own', async () => {
    const n = await service.render('', sub(), 'urn:n:3', [payload], NOW);
    expect(n.headers.Link).toContain(CORE_CONTEXT_URL);
    expect(n.headers).not.toHaveProperty('NGSILD-Tenant');
  });
});
