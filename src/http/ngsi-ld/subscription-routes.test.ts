// Subscriptions through HTTP (ETSI GS CIM 009 v1.8 clauses 5.8.1 – 5.8.5, 6.10, 6.11): create,
// query, retrieve, update, delete; contexts; tenants; every error a ProblemDetails.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LD, testApp } from '../../../test/support/app.js';

const CTX = 'https://example.org/ctx.jsonld';
const LINK = `<${CTX}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;
const loader = {
  load: async (url: string) => {
    if (url === CTX)
      return { '@context': { Building: 'https://example.org/Building', name: 'https://example.org/name' } };
    throw new Error(`offline: ${url}`);
  },
};
const SUBS = '/ngsi-ld/v1/subscriptions';
const ID = 'urn:ngsi-ld:Subscription:1';

let app: FastifyInstance;
beforeEach(async () => {
  app = await testApp({ loader });
});
afterEach(async () => {
  await app.close();
});

const subscription = (extra: Record<string, unknown> = {}, notification: Record<string, unknown> = {}) => ({
  id: ID,
  type: 'Subscription',
  entities: [{ type: 'Building' }],
  notification: { endpoint: { uri: 'http://receiver.example/notify' }, ...notification },
  ...extra,
});

const create = (body: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: SUBS, payload: body as object, headers });
const get = (id: string, headers: Record<string, string> = {}, qs = '') =>
  app.inject({ method: 'GET', url: `${SUBS}/${encodeURIComponent(id)}${qs}`, headers });
const patch = (id: string, body: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'PATCH', url: `${SUBS}/${encodeURIComponent(id)}`, payload: body as object, headers });
const remove = (id: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'DELETE', url: `${SUBS}/${encodeURIComponent(id)}`, headers });
const list = (qs = '', headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url: `${SUBS}${qs}`, headers });

function expectProblem(res: LightMyRequestResponse, status: number, kind: string, detail?: RegExp): void {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json() as { type: string; title: string; detail: string };
  expect(body.type).toBe(`https://uri.etsi.org/ngsi-ld/errors/${kind}`);
  expect(body.title).toEqual(expect.any(String));
  if (detail) expect(body.detail).toMatch(detail);
}

describe('create subscription (5.8.1, 6.10.3.1)', () => {
  it('answers 201 with a Location, and the subscription reads back as given', async () => {
    const res = await create(subscription({ timeInterval: 5 }, { format: 'keyValues' }), { link: LINK });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers.location).toBe(`${SUBS}/${encodeURIComponent(ID)}`);
    const back = await get(ID, { link: LINK });
    expect(back.statusCode).toBe(200);
    expect(back.headers.link).toContain(CTX);
    expect(back.json()).toEqual({
      id: ID,
      type: 'Subscription',
      entities: [{ type: 'Building' }],
      notificationTrigger: ['attributeCreated', 'attributeUpdated'],
      timeInterval: 5,
      status: 'active',
      notification: {
        format: 'keyValues',
        endpoint: { uri: 'http://receiver.example/notify', accept: 'application/json' },
        timesSent: 0,
        timesFailed: 0,
      },
      jsonldContext: CTX,
    });
  });

  it('takes the @context from an application/ld+json body and renders with the reader context', async () => {
    const res = await create({ ...subscription(), '@context': [CTX] }, { 'content-type': LD });
    expect(res.statusCode, res.body).toBe(201);
    expect((await get(ID, { link: LINK })).json().entities).toEqual([{ type: 'Building' }]);
    // Without the context, the reader sees the expanded type.
    expect((await get(ID)).json().entities).toEqual([{ type: 'https://example.org/Building' }]);
    const ld = await get(ID, { accept: LD, link: LINK });
    expect(ld.headers['content-type']).toContain(LD);
    expect(ld.json()['@context']).toBe(CTX);
  });

  it('generates an id when the body has none, and names it in Location', async () => {
    const { id: _id, ...body } = subscription();
    const res = await create(body);
    expect(res.statusCode).toBe(201);
    const id = decodeURIComponent(res.headers.location!.toString().split('/').pop()!);
    expect(id).toMatch(/^urn:ngsi-ld:Subscription:[0-9a-f-]{36}$/);
    expect((await get(id)).statusCode).toBe(200);
  });

  it('isActive false creates a paused subscription', async () => {
    await create(subscription({ isActive: false }));
    expect((await get(ID)).json()).toMatchObject({ isActive: false, status: 'paused' });
  });

  it('ignores read-only members a client sends', async () => {
    await create(
      subscription({ status: 'expired', __context: 'http://hijacked.example/' }, { timesSent: 42 }),
    );
    const back = await get(ID);
    expect(back.body).not.toContain('hijacked');
    expect(back.json()).toMatchObject({ status: 'active', notification: { timesSent: 0 } });
  });

  it('refuses a second subscription with the same id: 409 AlreadyExists', async () => {
    expect((await create(subscription())).statusCode).toBe(201);
    expectProblem(await create(subscription()), 409, 'AlreadyExists');
  });

  it.each<[string, unknown, RegExp]>([
    ['an empty body', {}, /type is mandatory/],
    ['an invalid id', subscription({ id: 'invalidId' }), /subscription id must be an absolute URI/],
    ['an empty id', subscription({ id: '' }), /subscription id must be an absolute URI/],
    ['no endpoint', subscription({ notification: { format: 'keyValues' } }), /endpoint is mandatory/],
    [
      'throttling with timeInterval',
      subscription({ throttling: 30, timeInterval: 10 }),
      /timeInterval and throttling/,
    ],
    ['a negative throttling', subscription({ throttling: -5 }), /throttling/],
    ['an unknown trigger', subscription({ notificationTrigger: ['entityChanged'] }), /entityChanged/],
    ['expiresAt in the past', subscription({ expiresAt: '2000-01-01T00:00:00Z' }), /not in the future/],
    ['a bad q', subscription({ q: 'speed>>3' }), /^q: /],
    ['a bad csf', subscription({ csf: '((' }), /^csf: /],
    ['a ReDoS idPattern', subscription({ entities: [{ type: 'T', idPattern: '(a+)+$' }] }), /idPattern/],
    [
      'showChanges with keyValues',
      subscription({}, { format: 'keyValues', showChanges: true }),
      /showChanges/,
    ],
    ['pick with attributes', subscription({}, { pick: ['name'], attributes: ['name'] }), /pick or omit/],
    ['the same member in pick and omit', subscription({}, { pick: ['name'], omit: ['name'] }), /both in/],
    ['empty attributes', subscription({}, { attributes: [] }), /attributes must be a non-empty/],
    ['a file: endpoint', subscription({}, { endpoint: { uri: 'file:///etc/passwd' } }), /endpoint.uri/],
    [
      'a numeric receiverInfo value',
      subscription({}, { endpoint: { uri: 'http://r/n', receiverInfo: [{ key: 'K', value: 42 }] } }),
      /receiverInfo/,
    ],
    [
      'MQTT-QoS 5',
      subscription(
        {},
        { endpoint: { uri: 'mqtt://b:1883/t', notifierInfo: [{ key: 'MQTT-QoS', value: '5' }] } },
      ),
      /MQTT-QoS/,
    ],
    ['a type that is not Subscription', subscription({ type: 'Entity' }), /Subscription/],
    ['an array body', [subscription()], /./],
  ])('refuses %s with 400 BadRequestData and a precise detail', async (_name, body, detail) => {
    expectProblem(await create(body), 400, 'BadRequestData', detail);
  });

  it('refuses malformed JSON (400), other media types (415), and misplaced contexts (400)', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: SUBS,
      payload: '{"id":',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.statusCode).toBe(400);
    const text = await app.inject({
      method: 'POST',
      url: SUBS,
      payload: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    expectProblem(text, 415, 'UnsupportedMediaType');
    expectProblem(await create(subscription(), { 'content-type': LD }), 400, 'BadRequestData', /@context/);
    expectProblem(await create({ ...subscription(), '@context': CTX }), 400, 'BadRequestData', /@context/);
    expectProblem(
      await create({ ...subscription(), '@context': CTX }, { 'content-type': LD, link: LINK }),
      400,
      'BadRequestData',
    );
  });

  it('an unreachable jsonldContext is 503 LdContextNotAvailable', async () => {
    const res = await create(subscription({ jsonldContext: 'https://unreachable.example/ctx.jsonld' }));
    expectProblem(res, 503, 'LdContextNotAvailable');
  });

  it('join other than none is 422 OperationNotSupported', async () => {
    expectProblem(await create(subscription({}, { join: 'inline' })), 422, 'OperationNotSupported');
  });
});

describe('query subscriptions (5.8.4, 6.10.3.2)', () => {
  beforeEach(async () => {
    for (const n of [1, 2, 3]) {
      expect((await create(subscription({ id: `urn:ngsi-ld:Subscription:${n}` }))).statusCode).toBe(201);
    }
  });

  it('lists the tenant subscriptions ordered by id', async () => {
    const res = await list();
    expect(res.statusCode).toBe(200);
    expect(res.json().map((s: { id: string }) => s.id)).toEqual([
      'urn:ngsi-ld:Subscription:1',
      'urn:ngsi-ld:Subscription:2',
      'urn:ngsi-ld:Subscription:3',
    ]);
  });

  it('pages with limit and offset; count=true gives NGSILD-Results-Count', async () => {
    const res = await list('?limit=1&offset=1&count=true');
    expect(res.json().map((s: { id: string }) => s.id)).toEqual(['urn:ngsi-ld:Subscription:2']);
    expect(res.headers['ngsild-results-count']).toBe('3');
    const none = await list('?limit=0&count=true');
    expect(none.json()).toEqual([]);
    expect(none.headers['ngsild-results-count']).toBe('3');
  });

  it('shows createdAt and modifiedAt with options=sysAttrs', async () => {
    const [first] = (await list('?options=sysAttrs')).json();
    expect(first.createdAt).toEqual(expect.any(String));
    expect(first.modifiedAt).toEqual(expect.any(String));
  });

  it.each([
    ['?limit=-1', 400, 'BadRequestData'],
    ['?limit=abc', 400, 'BadRequestData'],
    ['?limit=0', 400, 'BadRequestData'],
    ['?limit=5000', 403, 'TooManyResults'],
    ['?count=maybe', 400, 'BadRequestData'],
    ['?options=keyValues', 400, 'BadRequestData'],
    ['?type=Building', 400, 'InvalidRequest'],
  ])('refuses %s', async (qs, status, kind) => {
    expectProblem(await list(qs), status, kind);
  });

  it('406 for an Accept it cannot answer', async () => {
    expectProblem(await list('', { accept: 'text/html' }), 406, 'NotAcceptable');
  });
});

describe('retrieve subscription (5.8.3, 6.11.3.1)', () => {
  it('400 for an id that is not a URI, 404 for an unknown one', async () => {
    expectProblem(await get('not a uri'), 400, 'BadRequestData');
    expectProblem(await get('urn:ngsi-ld:Subscription:unknown'), 404, 'ResourceNotFound');
  });

  it('refuses unknown query parameters', async () => {
    await create(subscription());
    expectProblem(await get(ID, {}, '?attrs=x'), 400, 'InvalidRequest');
  });
});

describe('update subscription (5.8.2, 6.11.3.2)', () => {
  beforeEach(async () => {
    expect(
      (await create(subscription({ watchedAttributes: ['name'] }, { format: 'keyValues' }))).statusCode,
    ).toBe(201);
  });

  it('merges a fragment: 204, members replaced, others kept', async () => {
    const res = await patch(ID, {
      type: 'Subscription',
      notification: {
        format: 'normalized',
        endpoint: { uri: 'http://my.second.endpoint.org/notify', accept: 'application/json' },
      },
    });
    expect(res.statusCode, res.body).toBe(204);
    expect(res.body).toBe('');
    const back = (await get(ID)).json();
    expect(back.notification).toMatchObject({
      format: 'normalized',
      endpoint: { uri: 'http://my.second.endpoint.org/notify', accept: 'application/json' },
    });
    expect(back.watchedAttributes).toEqual(['name']);
  });

  it('expands the fragment terms with its own context', async () => {
    expect((await patch(ID, { entities: [{ type: 'Building' }] }, { link: LINK })).statusCode).toBe(204);
    expect((await get(ID, { link: LINK })).json().entities).toEqual([{ type: 'Building' }]);
    expect((await get(ID)).json().entities).toEqual([{ type: 'https://example.org/Building' }]);
  });

  it('isActive false pauses, true reactivates; a future expiresAt with isActive true is active', async () => {
    await patch(ID, { isActive: false });
    expect((await get(ID)).json().status).toBe('paused');
    await patch(ID, { isActive: true });
    expect((await get(ID)).json().status).toBe('active');
    await patch(ID, { isActive: true, expiresAt: '2100-01-01T00:00:00Z' });
    expect((await get(ID)).json()).toMatchObject({ status: 'active', expiresAt: '2100-01-01T00:00:00Z' });
  });

  it('null removes an optional member', async () => {
    await patch(ID, { q: 'name=="x"' });
    expect((await get(ID)).json().q).toBe('name=="x"');
    await patch(ID, { q: null });
    expect((await get(ID)).json()).not.toHaveProperty('q');
  });

  it.each<[string, unknown, RegExp]>([
    [
      'removing the endpoint',
      { type: 'Subscription', notification: { format: 'keyValues', endpoint: null } },
      /endpoint/,
    ],
    ['an expiresAt in the past', { expiresAt: '2000-01-01T00:00:00Z' }, /not in the future/],
    ['another id', { id: 'urn:ngsi-ld:Subscription:2' }, /differs/],
    ['an invalid member', { throttling: 'fast' }, /throttling/],
    ['a rule broken by the merge', { timeInterval: 10 }, /timeInterval and watchedAttributes/],
    ['an empty fragment', {}, /changes nothing/],
  ])('refuses %s with 400', async (_name, fragment, detail) => {
    expectProblem(await patch(ID, fragment), 400, 'BadRequestData', detail);
  });

  it('400 for an invalid id, 404 for an unknown one, 405 without an id', async () => {
    expectProblem(await patch('InvalidUri', { isActive: false }), 400, 'BadRequestData');
    expectProblem(
      await patch('urn:ngsi-ld:Subscription:unknowSubscription', { isActive: false }),
      404,
      'ResourceNotFound',
    );
    const noId = await app.inject({ method: 'PATCH', url: SUBS, payload: { isActive: false } });
    expectProblem(noId, 405, 'MethodNotAllowed');
    const emptyId = await app.inject({ method: 'PATCH', url: `${SUBS}/`, payload: { isActive: false } });
    expectProblem(emptyId, 405, 'MethodNotAllowed');
    expect(emptyId.headers.allow).toBe('GET, POST');
    expectProblem(await app.inject({ method: 'DELETE', url: `${SUBS}/` }), 405, 'MethodNotAllowed');
  });
});

describe('delete subscription (5.8.5, 6.11.3.3)', () => {
  it('204, then 404', async () => {
    await create(subscription());
    expect((await remove(ID)).statusCode).toBe(204);
    expectProblem(await get(ID), 404, 'ResourceNotFound');
    expectProblem(await remove(ID), 404, 'ResourceNotFound');
    expectProblem(await remove('nope'), 400, 'BadRequestData');
  });
});

describe('tenants (clause 6.3.14)', () => {
  const city = { 'ngsild-tenant': 'city' };

  it('a subscription lives in its tenant only; an unknown tenant is 404 NonexistentTenant on reads', async () => {
    expectProblem(await list('', { 'ngsild-tenant': 'nowhere' }), 404, 'NonexistentTenant');
    expect((await create(subscription(), city)).statusCode).toBe(201);
    const inCity = await get(ID, city);
    expect(inCity.statusCode).toBe(200);
    expect(inCity.headers['ngsild-tenant']).toBe('city');
    expectProblem(await get(ID), 404, 'ResourceNotFound');
    expect((await list('', city)).json()).toHaveLength(1);
    expect((await list()).json()).toHaveLength(0);
    expectProblem(await get(ID, { 'ngsild-tenant': 'elsewhere' }), 404, 'NonexistentTenant');
    expectProblem(
      await patch(ID, { isActive: false }, { 'ngsild-tenant': 'elsewhere' }),
      404,
      'NonexistentTenant',
    );
    expectProblem(await remove(ID, { 'ngsild-tenant': 'elsewhere' }), 404, 'NonexistentTenant');
    expect((await remove(ID, city)).statusCode).toBe(204);
  });

  it('refuses a malformed tenant name', async () => {
    expectProblem(await create(subscription(), { 'ngsild-tenant': '../x y' }), 400, 'BadRequestData');
  });
});

describe('OpenAPI', () => {
  it('documents the subscription endpoints', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, object>;
    };
    expect(Object.keys(doc.paths['/ngsi-ld/v1/subscriptions']!)).toEqual(
      expect.arrayContaining(['get', 'post']),
    );
    expect(Object.keys(doc.paths['/ngsi-ld/v1/subscriptions/{subscriptionId}']!)).toEqual(
      expect.arrayContaining(['get', 'patch', 'delete']),
    );
  });
});
