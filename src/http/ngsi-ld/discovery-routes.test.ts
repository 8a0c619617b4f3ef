// Discovery and @context management through HTTP (clauses 5.7.5–5.7.10, 5.13; 6.25–6.30).
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/support/app.js';

let app: FastifyInstance;
beforeEach(async () => {
  app = await testApp();
  await app.inject({
    method: 'POST',
    url: '/ngsi-ld/v1/entityOperations/create',
    payload: [
      {
        id: 'urn:x:p1',
        type: 'ParkingSpot',
        status: { type: 'Property', value: 'free' },
        location: { type: 'Point', coordinates: [0, 0] },
      },
      { id: 'urn:x:p2', type: 'ParkingSpot', status: { type: 'Property', value: 'occupied' } },
      {
        id: 'urn:x:s1',
        type: 'Streetlight',
        status: { type: 'Property', value: 'on' },
        refDevice: { type: 'Relationship', object: 'urn:x:d' },
      },
    ],
  });
});
afterEach(async () => {
  await app.close();
});

const get = async (url: string) => app.inject({ method: 'GET', url: `/ngsi-ld/v1${url}` });

describe('types', () => {
  it('lists the types in use', async () => {
    const res = await get('/types');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ type: 'EntityTypeList', typeList: ['ParkingSpot', 'Streetlight'] });
  });

  it('details=true gives each type with its attribute names', async () => {
    const body = (await get('/types?details=true')).json() as Array<{
      typeName: string;
      attributeNames: string[];
    }>;
    expect(body.find((t) => t.typeName === 'Streetlight')?.attributeNames.sort()).toEqual([
      'refDevice',
      'status',
    ]);
  });

  it('one type: entity count and attribute details; 404 for an unknown type', async () => {
    const body = (await get('/types/ParkingSpot')).json();
    expect(body).toMatchObject({ type: 'EntityTypeInfo', typeName: 'ParkingSpot', entityCount: 2 });
    const loc = body.attributeDetails.find((a: { attributeName: string }) => a.attributeName === 'location');
    expect(loc.attributeTypes).toEqual(['GeoProperty']);
    expect((await get('/types/Nothing')).statusCode).toBe(404);
  });
});

describe('attributes', () => {
  it('lists attributes, with details and one by name', async () => {
    expect((await get('/attributes')).json().attributeList.sort()).toEqual([
      'location',
      'refDevice',
      'status',
    ]);
    const status = (await get('/attributes/status')).json();
    expect(status).toMatchObject({
      type: 'Attribute',
      attributeName: 'status',
      attributeCount: 3,
      attributeTypes: ['Property'],
    });
    expect(status.typeNames.sort()).toEqual(['ParkingSpot', 'Streetlight']);
    expect((await get('/attributes/nothing')).statusCode).toBe(404);
  });
});

describe('@context management (/jsonldContexts)', () => {
  it('hosts a context, serves it, uses it in a Link header, and deletes it', async () => {
    const ctx = {
      '@context': {
        ParkingSpot: 'https://smartdatamodels.org/dataModel.Parking/ParkingSpot',
        status: 'https://smartdatamodels.org/status',
      },
    };
    const created = await app.inject({ method: 'POST', url: '/ngsi-ld/v1/jsonldContexts', payload: ctx });
    expect(created.statusCode).toBe(201);
    const url = created.headers.location as string;
    const path = new URL(url).pathname;
    expect((await app.inject({ method: 'GET', url: path })).json()).toEqual(ctx);
    expect((await get('/jsonldContexts')).json()).toContain(url);
    const link = `<${url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;
    const withLink = await app.inject({
      method: 'GET',
      url: '/ngsi-ld/v1/entities?type=ParkingSpot',
      headers: { link },
    });
    expect(withLink.statusCode).toBe(200);
    expect(withLink.json()).toEqual([]);
    const expanded = await app.inject({
      method: 'GET',
      url: `/ngsi-ld/v1/entities?type=${encodeURIComponent('https://uri.etsi.org/ngsi-ld/default-context/ParkingSpot')}`,
      headers: { link },
    });
    expect(expanded.json()).toHaveLength(2);
    // The term ParkingSpot now means another IRI, so the type compacts to a compact IRI instead.
    expect(expanded.json()[0].type).toBe('ngsi-ld:default-context/ParkingSpot');
    const del = await app.inject({ method: 'DELETE', url: path });
    expect(del.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: path })).statusCode).toBe(404);
  });

  it('serves the bundled core context', async () => {
    const res = await get('/jsonldContexts/ngsi-ld-core-context-v1.8.jsonld');
    expect(res.statusCode).toBe(200);
    expect(res.json()['@context']).toBeDefined();
  });
});
