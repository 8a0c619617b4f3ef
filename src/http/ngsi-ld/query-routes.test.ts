// Query and purge through HTTP (clauses 4.9, 4.10, 4.17, 4.19, 5.7.2, 6.4.3.2, 6.23).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/support/app.js';

let app: FastifyInstance;

const bins = Array.from({ length: 30 }, (_, i) => ({
  id: `urn:ngsi-ld:WasteContainer:${String(i).padStart(2, '0')}`,
  type: 'WasteContainer',
  fillingLevel: {
    type: 'Property',
    value: i / 30,
    observedAt: `2026-12-01T${String(i % 24).padStart(2, '0')}:00:00Z`,
  },
  status: { type: 'Property', value: i % 3 === 0 ? 'full' : 'ok' },
  refDistrict: { type: 'Relationship', object: `urn:ngsi-ld:District:${i % 2}` },
  address: { type: 'Property', value: { streetAddress: `Street ${i}`, postalCode: `280${i % 5}` } },
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [-3.7 + i * 0.001, 40.4] } },
  ...(i < 5 ? { scope: '/madrid/centro' } : {}),
}));

beforeAll(async () => {
  app = await testApp({ maxLimit: 100 });
  const res = await app.inject({ method: 'POST', url: '/ngsi-ld/v1/entityOperations/create', payload: bins });
  expect(res.statusCode).toBe(201);
  await app.inject({
    method: 'POST',
    url: '/ngsi-ld/v1/entities',
    payload: {
      id: 'urn:ngsi-ld:Streetlight:1',
      type: 'Streetlight',
      status: { type: 'Property', value: 'full' },
    },
  });
});
afterAll(async () => {
  await app.close();
});

const query = async (qs: string, headers: Record<string, string> = {}) =>
  app.inject({ method: 'GET', url: `/ngsi-ld/v1/entities?${qs}`, headers });
const ids = async (qs: string) => {
  const res = await query(qs);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as Array<{ id: string }>).map((e) => e.id);
};

describe('selection', () => {
  it('by type, with a default page of 20 in id order', async () => {
    const got = await ids('type=WasteContainer');
    expect(got).toHaveLength(20);
    expect(got[0]).toBe('urn:ngsi-ld:WasteContainer:00');
    expect([...got].sort()).toEqual(got);
  });

  it('by type list (A,B) and id list', async () => {
    expect(await ids('type=WasteContainer,Streetlight&q=status==%22full%22&limit=100')).toHaveLength(11);
    expect(
      await ids('type=WasteContainer&id=urn:ngsi-ld:WasteContainer:01,urn:ngsi-ld:WasteContainer:02'),
    ).toEqual(['urn:ngsi-ld:WasteContainer:01', 'urn:ngsi-ld:WasteContainer:02']);
  });

  it('by idPattern', async () => {
    expect(await ids('type=WasteContainer&idPattern=WasteContainer:2[0-4]$')).toHaveLength(5);
    expect((await query('idPattern=WasteContainer')).statusCode).toBe(400);
  });

  it('by q: comparisons, ranges, lists, AND, OR, sub-paths and relationships', async () => {
    expect(await ids('type=WasteContainer&q=fillingLevel>0.9')).toEqual([
      'urn:ngsi-ld:WasteContainer:28',
      'urn:ngsi-ld:WasteContainer:29',
    ]);
    expect(await ids('type=WasteContainer&q=fillingLevel==0.1..0.2')).toHaveLength(4);
    expect(await ids('type=WasteContainer&q=status=="full";fillingLevel<0.2')).toHaveLength(2);
    expect(await ids('type=WasteContainer&q=fillingLevel<0.05|fillingLevel>0.95')).toHaveLength(3);
    expect(await ids('type=WasteContainer&q=refDistrict==urn:ngsi-ld:District:1&limit=100')).toHaveLength(15);
    expect(await ids('type=WasteContainer&q=address[postalCode]=="2804"')).toHaveLength(6);
    expect(await ids('type=WasteContainer&q=fillingLevel.observedAt>=2026-12-01T22:00:00Z')).toHaveLength(2);
  });

  it('by geoQ near with maxDistance', async () => {
    const got = await ids(
      'type=WasteContainer&georel=near;maxDistance==200&geometry=Point&coordinates=[-3.7,40.4]',
    );
    expect(got).toEqual([
      'urn:ngsi-ld:WasteContainer:00',
      'urn:ngsi-ld:WasteContainer:01',
      'urn:ngsi-ld:WasteContainer:02',
    ]);
  });

  it('by geoQ within a polygon', async () => {
    const poly = JSON.stringify([
      [
        [-3.7005, 40.39],
        [-3.6965, 40.39],
        [-3.6965, 40.41],
        [-3.7005, 40.41],
        [-3.7005, 40.39],
      ],
    ]);
    expect(
      await ids(`type=WasteContainer&georel=within&geometry=Polygon&coordinates=${encodeURIComponent(poly)}`),
    ).toHaveLength(4);
  });

  it('by scopeQ', async () => {
    expect(await ids('type=WasteContainer&scopeQ=/madrid/%23')).toHaveLength(5);
    expect(await ids('type=WasteContainer&scopeQ=/valencia')).toHaveLength(0);
  });

  it('by attrs: entities having one of them', async () => {
    expect(await ids('attrs=refDistrict&limit=100')).toHaveLength(30);
  });
});

describe('paging and counting', () => {
  it('limit, offset and NGSILD-Results-Count', async () => {
    const res = await query('type=WasteContainer&limit=5&offset=10&count=true');
    expect(res.headers['ngsild-results-count']).toBe('30');
    expect((res.json() as Array<{ id: string }>).map((e) => e.id)[0]).toBe('urn:ngsi-ld:WasteContainer:10');
    const countOnly = await query('type=WasteContainer&limit=0&count=true');
    expect(countOnly.json()).toEqual([]);
    expect(countOnly.headers['ngsild-results-count']).toBe('30');
  });

  it('limit above the maximum: 403 TooManyResults; limit=0 without count: 400', async () => {
    const res = await query('type=WasteContainer&limit=101');
    expect(res.statusCode).toBe(403);
    expect(res.json().type).toBe('https://uri.etsi.org/ngsi-ld/errors/TooManyResults');
    expect((await query('type=WasteContainer&limit=0')).statusCode).toBe(400);
  });

  it('orderBy an attribute, descending', async () => {
    const got = await ids('type=WasteContainer&orderBy=-fillingLevel&limit=3');
    expect(got).toEqual([
      'urn:ngsi-ld:WasteContainer:29',
      'urn:ngsi-ld:WasteContainer:28',
      'urn:ngsi-ld:WasteContainer:27',
    ]);
  });
});

describe('errors', () => {
  it.each([
    ['no selector', ''],
    ['bad q', 'type=WasteContainer&q=fillingLevel>>1'],
    ['bad geometry', 'type=WasteContainer&georel=near;maxDistance==10&geometry=Point&coordinates=[1]'],
    ['bad georel', 'type=WasteContainer&georel=beside&geometry=Point&coordinates=[1,2]'],
    ['bad idPattern', 'type=WasteContainer&idPattern=(('],
    ['unknown parameter', 'type=WasteContainer&foo=bar'],
    ['bad limit', 'type=WasteContainer&limit=-1'],
  ])('%s → 400 ProblemDetails', async (_n, qs) => {
    const res = await query(qs);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      type: expect.stringContaining('https://uri.etsi.org/ngsi-ld/errors/'),
      detail: expect.any(String),
    });
  });
});

describe('representations of a query', () => {
  it('keyValues and GeoJSON FeatureCollection', async () => {
    const kv = (await query('type=WasteContainer&limit=1&options=keyValues')).json();
    expect(kv[0].status).toBe('full');
    const geo = await query('type=WasteContainer&limit=2', { accept: 'application/geo+json' });
    expect(geo.json().type).toBe('FeatureCollection');
    expect(geo.json().features[1].geometry.coordinates[0]).toBeCloseTo(-3.699);
  });
});

describe('POST /entityOperations/query (5.7.2, 6.23)', () => {
  it('takes a Query body', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entityOperations/query?limit=100&count=true',
      payload: {
        type: 'Query',
        entities: [{ type: 'WasteContainer' }],
        q: 'status=="full"',
        attrs: ['status'],
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['ngsild-results-count']).toBe('10');
    expect(Object.keys(res.json()[0]).sort()).toEqual(['id', 'scope', 'status', 'type']); // scope is a member, not an attribute
  });

  it('with a geoQ', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entityOperations/query',
      payload: {
        type: 'Query',
        geoQ: { georel: 'near;maxDistance==100', geometry: 'Point', coordinates: [-3.7, 40.4] },
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toHaveLength(2);
  });
});

describe('purge (DELETE /entities)', () => {
  it('deletes what matches and nothing else', async () => {
    const local = await testApp();
    await local.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entityOperations/create',
      payload: bins.slice(0, 6),
    });
    const res = await local.inject({
      method: 'DELETE',
      url: '/ngsi-ld/v1/entities?type=WasteContainer&q=status=="full"',
    });
    expect(res.statusCode).toBe(204);
    const left = await local.inject({ method: 'GET', url: '/ngsi-ld/v1/entities?type=WasteContainer' });
    expect(left.json()).toHaveLength(4);
    await local.close();
  });
});
