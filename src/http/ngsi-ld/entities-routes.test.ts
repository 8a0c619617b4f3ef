// Entity CRUD through HTTP (ETSI GS CIM 009 v1.8 clauses 5.6.1–5.6.6, 5.6.17, 5.7.1, 6.4, 6.5).
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/support/app.js';

const ID = 'urn:ngsi-ld:AirQualityObserved:1';
const airQuality = {
  id: ID,
  type: 'AirQualityObserved',
  pm25: { type: 'Property', value: 12.5, unitCode: 'GQ', observedAt: '2026-12-01T10:00:00Z' },
  name: { type: 'Property', value: 'Plaza Mayor' },
  refDevice: { type: 'Relationship', object: 'urn:ngsi-ld:Device:aq-1' },
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [-3.7038, 40.4168] } },
};

let app: FastifyInstance;
beforeEach(async () => {
  app = await testApp();
});
afterEach(async () => {
  await app.close();
});

const create = (body: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities', payload: body as object, headers });
const get = (id: string, qs = '', headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities/${encodeURIComponent(id)}${qs}`, headers });

describe('create entity (5.6.1)', () => {
  it('answers 201 with a Location and stores the entity', async () => {
    const res = await create(airQuality);
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe(`/ngsi-ld/v1/entities/${encodeURIComponent(ID)}`);
    const back = await get(ID);
    expect(back.statusCode).toBe(200);
    expect(back.json()).toEqual(airQuality);
  });

  it('refuses a second entity with the same id: 409 AlreadyExists', async () => {
    await create(airQuality);
    const res = await create(airQuality);
    expect(res.statusCode).toBe(409);
    expect(res.json().type).toBe('https://uri.etsi.org/ngsi-ld/errors/AlreadyExists');
  });

  it.each([
    ['no id', { type: 'T' }],
    ['id not a URI', { id: 'not a uri', type: 'T' }],
    ['no type', { id: 'urn:x:1' }],
    ['empty type list', { id: 'urn:x:1', type: [] }],
    ['Property without value', { id: 'urn:x:1', type: 'T', p: { type: 'Property' } }],
    [
      'Relationship object not a URI',
      { id: 'urn:x:1', type: 'T', r: { type: 'Relationship', object: 'x y' } },
    ],
    [
      'bad geometry',
      {
        id: 'urn:x:1',
        type: 'T',
        location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [500, 1] } },
      },
    ],
    [
      'bad observedAt',
      { id: 'urn:x:1', type: 'T', p: { type: 'Property', value: 1, observedAt: 'yesterday' } },
    ],
    ['forbidden attribute name', { id: 'urn:x:1', type: 'T', 'a(b)': { type: 'Property', value: 1 } }],
    ['an array body', [{ id: 'urn:x:1', type: 'T' }]],
  ])('refuses %s with 400 BadRequestData', async (_name, body) => {
    const res = await create(body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      type: expect.stringMatching(/BadRequestData|InvalidRequest/),
      detail: expect.any(String),
    });
  });

  it('refuses malformed JSON with 400 InvalidRequest, never 5xx', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entities',
      payload: '{"id": "urn:x:1", "type": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().type).toBe('https://uri.etsi.org/ngsi-ld/errors/InvalidRequest');
  });

  it('refuses an unsupported media type with 415', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entities',
      payload: 'id=1',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.statusCode).toBe(415);
  });

  it('accepts application/ld+json with @context in the body and refuses it without', async () => {
    const body = {
      ...airQuality,
      '@context': 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld',
    };
    expect((await create(body, { 'content-type': 'application/ld+json' })).statusCode).toBe(201);
    const res = await create({ ...airQuality, id: 'urn:x:2' }, { 'content-type': 'application/ld+json' });
    expect(res.statusCode).toBe(400);
  });

  it('refuses @context in an application/json body', async () => {
    const res = await create({
      ...airQuality,
      '@context': 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld',
    });
    expect(res.statusCode).toBe(400);
  });

  it('accepts the concise form and answers normalized', async () => {
    const res = await create({
      id: 'urn:x:concise',
      type: 'T',
      temperature: 21.5,
      note: { value: 'ok', observedAt: '2026-12-01T10:00:00Z' },
      owner: { object: 'urn:x:owner' },
      location: { type: 'Point', coordinates: [1, 2] },
    });
    expect(res.statusCode).toBe(201);
    expect((await get('urn:x:concise')).json()).toEqual({
      id: 'urn:x:concise',
      type: 'T',
      temperature: { type: 'Property', value: 21.5 },
      note: { type: 'Property', value: 'ok', observedAt: '2026-12-01T10:00:00Z' },
      owner: { type: 'Relationship', object: 'urn:x:owner' },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [1, 2] } },
    });
  });
});

describe('retrieve entity (5.7.1)', () => {
  beforeEach(async () => {
    await create(airQuality);
  });

  it('answers 404 ResourceNotFound for an unknown id and 400 for a non-URI id', async () => {
    const res = await get('urn:ngsi-ld:Nothing:1');
    expect(res.statusCode).toBe(404);
    expect(res.json().type).toBe('https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound');
    expect((await get('not-a-uri')).statusCode).toBe(400);
  });

  it('renders keyValues, simplified and concise', async () => {
    const kv = {
      id: ID,
      type: 'AirQualityObserved',
      pm25: 12.5,
      name: 'Plaza Mayor',
      refDevice: 'urn:ngsi-ld:Device:aq-1',
      location: { type: 'Point', coordinates: [-3.7038, 40.4168] },
    };
    expect((await get(ID, '?options=keyValues')).json()).toEqual(kv);
    expect((await get(ID, '?format=simplified')).json()).toEqual(kv);
    expect((await get(ID, '?options=concise')).json()).toEqual({
      id: ID,
      type: 'AirQualityObserved',
      pm25: { value: 12.5, unitCode: 'GQ', observedAt: '2026-12-01T10:00:00Z' },
      name: 'Plaza Mayor',
      refDevice: { object: 'urn:ngsi-ld:Device:aq-1' },
      location: { type: 'Point', coordinates: [-3.7038, 40.4168] },
    });
  });

  it('projects with attrs, pick and omit', async () => {
    expect(Object.keys((await get(ID, '?attrs=pm25')).json())).toEqual(['id', 'type', 'pm25']);
    expect((await get(ID, '?pick=id,name&options=keyValues')).json()).toEqual({
      id: ID,
      name: 'Plaza Mayor',
    });
    expect(Object.keys((await get(ID, '?omit=location,refDevice')).json()).sort()).toEqual([
      'id',
      'name',
      'pm25',
      'type',
    ]);
    expect((await get(ID, '?pick=id&omit=type')).statusCode).toBe(400);
  });

  it('adds createdAt and modifiedAt with sysAttrs', async () => {
    const body = (await get(ID, '?options=sysAttrs')).json();
    expect(body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(body.modifiedAt).toBe(body.createdAt);
    expect(body.pm25.createdAt).toBe(body.createdAt);
    expect((await get(ID)).json().createdAt).toBeUndefined();
  });

  it('answers GeoJSON with Accept: application/geo+json', async () => {
    const res = await get(ID, '', { accept: 'application/geo+json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/geo\+json/);
    expect(res.json()).toMatchObject({
      id: ID,
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [-3.7038, 40.4168] },
    });
    expect(res.json().properties.type).toBe('AirQualityObserved');
  });

  it('answers JSON-LD with the @context in the body, JSON with a Link header', async () => {
    const ld = await get(ID, '', { accept: 'application/ld+json' });
    expect(ld.json()['@context']).toBe('https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld');
    const json = await get(ID);
    expect(json.headers.link).toContain('rel="http://www.w3.org/ns/json-ld#context"');
  });

  it('answers 406 to an Accept it cannot serve and 400 to an unknown parameter', async () => {
    expect((await get(ID, '', { accept: 'text/html' })).statusCode).toBe(406);
    const res = await get(ID, '?colour=blue');
    expect(res.statusCode).toBe(400);
    expect(res.json().type).toBe('https://uri.etsi.org/ngsi-ld/errors/InvalidRequest');
  });

  it('selects a language with lang', async () => {
    await create({
      id: 'urn:x:lang',
      type: 'T',
      street: { type: 'LanguageProperty', languageMap: { en: 'Main Street', es: 'Calle Mayor' } },
    });
    expect((await get('urn:x:lang', '?lang=es')).json().street).toEqual({
      type: 'Property',
      value: 'Calle Mayor',
      lang: 'es',
    });
    expect((await get('urn:x:lang', '?lang=es&options=keyValues')).json().street).toBe('Calle Mayor');
    expect((await get('urn:x:lang')).json().street.languageMap.en).toBe('Main Street');
  });
});

describe('replace, merge and delete entity (5.6.6, 5.6.17, 5.6.18)', () => {
  beforeEach(async () => {
    await create(airQuality);
  });

  it('replaces the whole entity with PUT', async () => {
    const res = await app.inject({
      method: 'PUT',
      url: `/ngsi-ld/v1/entities/${ID}`,
      payload: { type: 'AirQualityObserved', no2: { type: 'Property', value: 40 } },
    });
    expect(res.statusCode).toBe(204);
    expect((await get(ID)).json()).toEqual({
      id: ID,
      type: 'AirQualityObserved',
      no2: { type: 'Property', value: 40 },
    });
  });

  it('merges with PATCH, keeping what is not named and deleting urn:ngsi-ld:null', async () => {
    const res = await app.inject({
      method: 'PATCH',
      url: `/ngsi-ld/v1/entities/${ID}`,
      payload: { pm25: 30, name: 'urn:ngsi-ld:null', no2: { type: 'Property', value: 40 } },
    });
    expect(res.statusCode).toBe(204);
    const after = (await get(ID)).json();
    expect(after.pm25).toEqual({
      type: 'Property',
      value: 30,
      unitCode: 'GQ',
      observedAt: '2026-12-01T10:00:00Z',
    });
    expect(after.name).toBeUndefined();
    expect(after.no2.value).toBe(40);
    expect(after.refDevice.object).toBe('urn:ngsi-ld:Device:aq-1');
  });

  it('deletes, then 404s', async () => {
    const del = await app.inject({ method: 'DELETE', url: `/ngsi-ld/v1/entities/${ID}` });
    expect(del.statusCode).toBe(204);
    expect((await get(ID)).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/ngsi-ld/v1/entities/${ID}` })).statusCode).toBe(404);
  });
});

describe('tenants (clause 4.14)', () => {
  it('isolates tenants and answers 404 NonexistentTenant for an unknown one', async () => {
    await create(airQuality, { 'NGSILD-Tenant': 'valencia' });
    expect((await get(ID, '', { 'NGSILD-Tenant': 'valencia' })).statusCode).toBe(200);
    expect((await get(ID)).statusCode).toBe(404);
    const res = await get(ID, '', { 'NGSILD-Tenant': 'nowhere' });
    expect(res.statusCode).toBe(404);
    expect(res.json().type).toBe('https://uri.etsi.org/ngsi-ld/errors/NonexistentTenant');
  });
});
