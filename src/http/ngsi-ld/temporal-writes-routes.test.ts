// The temporal API through HTTP: writes (5.6.11 – 5.6.16), tenants (6.3.14), JSON-LD contexts and
// negotiation (6.3.4 – 6.3.6) on /temporal.
import { describe, expect, it } from 'vitest';
import {
  AQ,
  at,
  get,
  ok,
  send,
  expectProblem,
  useTemporalApp,
  currentApp,
  type Instance,
  type Json,
} from '../../../test/support/temporal-kit.js';
import { LD } from '../../../test/support/app.js';

useTemporalApp();

describe('temporal API writes (5.6.11 – 5.6.16)', () => {
  const V = 'urn:ngsi-ld:Vehicle:w';
  const speeds = async () => ((await ok(`/entities/${V}`)).speed as Instance[] | undefined) ?? [];

  it('creates (201 + Location) then appends (204); several instances share a datasetId', async () => {
    const body = {
      id: V,
      type: 'Vehicle',
      speed: [
        { type: 'Property', value: 120, observedAt: at('12:03') },
        { type: 'Property', value: 80, observedAt: at('12:05') },
      ],
    };
    const created = await send('POST', '/temporal/entities', body);
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers.location).toBe(`/ngsi-ld/v1/temporal/entities/${encodeURIComponent(V)}`);
    const again = await send('POST', '/temporal/entities', {
      id: V,
      type: 'Vehicle',
      speed: { type: 'Property', value: 100, observedAt: at('12:07') },
    });
    expect(again.statusCode, again.body).toBe(204);
    expect((await speeds()).map((i) => i.value)).toEqual([120, 80, 100]);
    // Not the current state: the temporal API writes history only.
    expect((await send('DELETE', `/entities/${V}`)).statusCode).toBe(404);
  });

  it('adds attributes to an existing temporal entity only', async () => {
    const res = await send('POST', `/temporal/entities/${V}/attrs`, {
      fuel: [
        { type: 'Property', value: 67, observedAt: at('12:03') },
        { type: 'Property', value: 53, observedAt: at('13:05'), datasetId: 'urn:ngsi-ld:Dataset:tank2' },
      ],
    });
    expect(res.statusCode, res.body).toBe(204);
    expect(((await ok(`/entities/${V}?attrs=fuel`)).fuel as Instance[]).map((i) => i.value)).toEqual([
      67, 53,
    ]);
    expectProblem(
      await send('POST', '/temporal/entities/urn:ngsi-ld:Vehicle:none/attrs', { fuel: { value: 1 } }),
      404,
      'ResourceNotFound',
    );
    expectProblem(
      await send('POST', `/temporal/entities/${V}/attrs`, {}),
      400,
      'BadRequestData',
      'no attributes',
    );
  });

  it('modifies one instance, keeping its instanceId (PATCH …/{instanceId})', async () => {
    const [first] = await speeds();
    const res = await send('PATCH', `/temporal/entities/${V}/attrs/speed/${first!.instanceId}`, {
      speed: { type: 'Property', value: 150, observedAt: at('12:03') },
    });
    expect(res.statusCode, res.body).toBe(204);
    const after = await speeds();
    expect(after[0]).toMatchObject({ instanceId: first!.instanceId, value: 150 });
    expectProblem(
      await send('PATCH', `/temporal/entities/${V}/attrs/speed/urn:ngsi-ld:attribute:instance:nope`, {
        value: 1,
      }),
      404,
      'ResourceNotFound',
    );
    expectProblem(
      await send('PATCH', `/temporal/entities/${V}/attrs/speed/invalidId`, { value: 1 }),
      400,
      'BadRequestData',
    );
    expectProblem(
      await send('PATCH', `/temporal/entities/${V}/attrs/in(valid/${first!.instanceId}`, { value: 1 }),
      400,
      'BadRequestData',
    );
  });

  it('deletes one instance (DELETE …/{instanceId})', async () => {
    const before = await speeds();
    const gone = before[1]!.instanceId;
    expect((await send('DELETE', `/temporal/entities/${V}/attrs/speed/${gone}`)).statusCode).toBe(204);
    expect((await speeds()).map((i) => i.instanceId)).toEqual(
      before.filter((i) => i.instanceId !== gone).map((i) => i.instanceId),
    );
    expectProblem(
      await send('DELETE', `/temporal/entities/${V}/attrs/speed/${gone}`),
      404,
      'ResourceNotFound',
    );
  });

  it("deletes an attribute's history: default instances, one datasetId, or all", async () => {
    await send('POST', `/temporal/entities/${V}/attrs`, {
      fuel: { type: 'Property', value: 40, observedAt: at('14:07'), datasetId: 'urn:ngsi-ld:Dataset:tank2' },
    });
    const fuel = async () => ((await ok(`/entities/${V}?attrs=fuel`)).fuel as Instance[] | undefined) ?? [];
    expect((await send('DELETE', `/temporal/entities/${V}/attrs/fuel`)).statusCode).toBe(204);
    expect((await fuel()).map((i) => i.value)).toEqual([53, 40]);
    expectProblem(
      await send('DELETE', `/temporal/entities/${V}/attrs/fuel?datasetId=not-a-uri`),
      400,
      'BadRequestData',
    );
    expect(
      (await send('DELETE', `/temporal/entities/${V}/attrs/fuel?datasetId=urn:ngsi-ld:Dataset:tank2`))
        .statusCode,
    ).toBe(204);
    expect(await fuel()).toEqual([]);
    expectProblem(
      await send('DELETE', `/temporal/entities/${V}/attrs/fuel?deleteAll=true`),
      404,
      'ResourceNotFound',
    );
    expect((await send('DELETE', `/temporal/entities/${V}/attrs/speed?deleteAll=true`)).statusCode).toBe(204);
    expect(await speeds()).toEqual([]);
  });

  it('deletes the whole temporal representation', async () => {
    expect((await send('DELETE', `/temporal/entities/${V}`)).statusCode).toBe(204);
    expectProblem(await get(`/entities/${V}`), 404, 'ResourceNotFound');
    expectProblem(await send('DELETE', `/temporal/entities/${V}`), 404, 'ResourceNotFound');
  });

  it('refuses bad temporal entities with 400', async () => {
    const bad = [
      { type: 'Vehicle', speed: { value: 1 } },
      { id: 'urn:x:1', speed: { value: 1 } },
      { id: 'urn:x:1', type: 'Vehicle', speed: [] },
      { id: 'urn:x:1', type: 'Vehicle', speed: [{ type: 'Property', value: 1, observedAt: 'now' }] },
    ];
    for (const body of bad)
      expectProblem(await send('POST', '/temporal/entities', body), 400, 'BadRequestData');
    expectProblem(await send('POST', '/temporal/entities', [1, 2]), 400, 'BadRequestData');
  });
});

describe('tenants (6.3.14)', () => {
  const H = { 'NGSILD-Tenant': 'valencia' };

  it('keeps histories per tenant; reading an unknown tenant is NonexistentTenant', async () => {
    const id = 'urn:ngsi-ld:NoiseLevelObserved:v1';
    const res = await send(
      'POST',
      '/temporal/entities',
      { id, type: 'NoiseLevelObserved', laeq: { value: 60, observedAt: at('10:00') } },
      H,
    );
    expect(res.statusCode, res.body).toBe(201);
    const own = await get(`/entities/${id}`, H);
    expect(own.statusCode).toBe(200);
    expect(own.headers['ngsild-tenant']).toBe('valencia');
    expectProblem(await get(`/entities/${id}`), 404, 'ResourceNotFound');
    expectProblem(await get(`/entities/${id}`, { 'NGSILD-Tenant': 'nowhere' }), 404, 'NonexistentTenant');
    expectProblem(
      await get('/entities?type=NoiseLevelObserved', { 'NGSILD-Tenant': 'nowhere' }),
      404,
      'NonexistentTenant',
    );
    expectProblem(
      await send('DELETE', `/temporal/entities/${id}`, undefined, { 'NGSILD-Tenant': 'nowhere' }),
      404,
      'NonexistentTenant',
    );
    expectProblem(await get(`/entities/${id}`, { 'NGSILD-Tenant': 'bad tenant!' }), 400, 'BadRequestData');
    expect(((await ok('/entities?type=NoiseLevelObserved', H)) as Json[]).map((e) => e.id)).toEqual([id]);
    expect(await ok('/entities?type=NoiseLevelObserved')).toEqual([]);
  });
});

describe('JSON-LD contexts and negotiation (6.3.4 – 6.3.6)', () => {
  it('compacts with the Link context and answers ld+json with @context in the body', async () => {
    const link =
      '<http://ctx.example/aq.jsonld>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"';
    const res = await get(`/entities/${AQ}?attrs=pm&lastN=1`, { Link: link, Accept: LD });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('application/ld+json');
    const body = res.json() as Json;
    expect(body['@context']).toBe('http://ctx.example/aq.jsonld');
    expect((body.pm as Instance[]).map((i) => i.value)).toEqual([12]);
    const plain = await get(`/entities/${AQ}?attrs=pm25&lastN=1`);
    expect(plain.headers.link).toContain('ngsi-ld-core-context');
  });

  it('reads @context from an ld+json body', async () => {
    const id = 'urn:ngsi-ld:Vehicle:ld';
    const res = await send(
      'POST',
      '/temporal/entities',
      {
        id,
        type: 'Vehicle',
        velocity: { value: 3, observedAt: at('10:00') },
        '@context': [{ velocity: 'https://example.org/speed' }],
      },
      { 'content-type': LD },
    );
    expect(res.statusCode, res.body).toBe(201);
    const body = await ok(`/entities/${id}`);
    expect(body).toHaveProperty(['https://example.org/speed']);
  });

  it('406 for media types the temporal API does not speak, 415 for bodies it does not read', async () => {
    expectProblem(await get(`/entities/${AQ}`, { Accept: 'application/geo+json' }), 406, 'NotAcceptable');
    expectProblem(await get(`/entities/${AQ}`, { Accept: 'text/html' }), 406, 'NotAcceptable');
    expectProblem(
      await send('POST', '/temporal/entities', 'id=1', {
        'content-type': 'application/x-www-form-urlencoded',
      }),
      415,
      'UnsupportedMediaType',
    );
    expectProblem(
      await send('POST', '/temporal/entities', { id: 'urn:x:1', type: 'T', p: 1, '@context': [] }, {}),
      400,
      'BadRequestData',
    );
  });

  it('lists every temporal route in the OpenAPI document', async () => {
    const doc = (await currentApp().inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Json;
    };
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/ngsi-ld/v1/temporal/entities',
      '/ngsi-ld/v1/temporal/entities/{entityId}',
      '/ngsi-ld/v1/temporal/entities/{entityId}/attrs',
      '/ngsi-ld/v1/temporal/entities/{entityId}/attrs/{attrId}',
      '/ngsi-ld/v1/temporal/entities/{entityId}/attrs/{attrId}/{instanceId}',
      '/ngsi-ld/v1/temporal/entityOperations/query',
    ]) {
      expect(paths).toContain(p);
    }
  });
});
