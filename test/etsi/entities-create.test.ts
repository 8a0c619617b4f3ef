// ETSI GS CIM 009 clause 5.6.1 (Create Entity), 5.6.6 (Delete Entity), 6.3.4–6.3.5 (media types, @context):
// derived from ETSI test groups 001, 002, 048, 049.
import { describe, expect, it } from 'vitest';
import { CORE_CONTEXT, TEST_NS, expectProblem, expectStatus, uid, useBroker } from './harness.js';
import { INLINE_CONTEXT, building, buildingLd, languageBuilding, minimal } from './fixtures.js';

const b = useBroker();

async function createOk(entity: Record<string, unknown>, contentType = 'application/json', link?: string) {
  const res = await b.call('POST', 'entities', { body: entity, contentType, link });
  expectStatus(res, 201);
  return res;
}

describe('001 create entity', () => {
  it('001_01_01 MinimalEntity: 201, empty body, Location names the entity', async () => {
    const id = uid('Building');
    const res = await createOk(minimal(id));
    expect(res.text).toBe('');
    const loc = decodeURIComponent(res.headers.get('location') ?? '');
    expect(loc.endsWith(`/ngsi-ld/v1/entities/${id}`)).toBe(true);
    const got = await b.call('GET', `entities/${encodeURIComponent(id)}`);
    expectStatus(got, 200);
    expect(got.body).toMatchObject({ id, type: 'Building' });
  });

  it('001_01_02 EntityWithSimpleProperties (application/ld+json, body @context)', async () => {
    const id = uid('Building');
    await createOk(buildingLd(id), 'application/ld+json');
    const got = await b.call('GET', `entities/${encodeURIComponent(id)}`, { link: b.contextUrl });
    expectStatus(got, 200);
    expect(got.body.type).toBe('Building');
    expect(got.body.name).toMatchObject({ type: 'Property', value: 'Tour Part-Dieu' });
    expect(got.body.almostFull).toMatchObject({ type: 'Property', value: false });
    expect(got.body.airQualityLevel).toMatchObject({ type: 'Property', value: 4, unitCode: 'C62' });
    expect(got.body.category.value).toEqual(['office', 'commercial']);
    expect(got.body.locatedIn).toMatchObject({ type: 'Relationship', object: 'urn:ngsi-ld:City:Lyon' });
  });

  it('001_01_03 EntityWithRelationshipsProperties (sub-attributes kept)', async () => {
    const id = uid('Building');
    const body = {
      ...minimal(id),
      locatedIn: {
        type: 'Relationship',
        object: 'urn:ngsi-ld:City:Lyon',
        since: { type: 'Property', value: 1998 },
        observedAt: '2024-03-01T10:00:00Z',
      },
      '@context': INLINE_CONTEXT,
    };
    await createOk(body, 'application/ld+json');
    const got = await b.call('GET', `entities/${encodeURIComponent(id)}`, { link: b.contextUrl });
    expectStatus(got, 200);
    expect(got.body.locatedIn.object).toBe('urn:ngsi-ld:City:Lyon');
    expect(got.body.locatedIn.since).toMatchObject({ type: 'Property', value: 1998 });
    expect(new Date(got.body.locatedIn.observedAt).toISOString()).toBe('2024-03-01T10:00:00.000Z');
  });

  it('001_01_04 EntityWithLocationAttribute', async () => {
    const id = uid('Building');
    const point = { type: 'Point', coordinates: [4.8357, 45.764] };
    await createOk({ ...minimal(id), location: { type: 'GeoProperty', value: point } });
    const got = await b.call('GET', `entities/${encodeURIComponent(id)}`);
    expectStatus(got, 200);
    expect(got.body.location).toMatchObject({ type: 'GeoProperty', value: point });
  });

  it('001_01_05 EntityWithNonCoreGeoProperty', async () => {
    const id = uid('Building');
    const line = {
      type: 'LineString',
      coordinates: [
        [4.83, 45.76],
        [4.84, 45.77],
      ],
    };
    await createOk({ ...minimal(id), footpath: { type: 'GeoProperty', value: line } });
    const got = await b.call('GET', `entities/${encodeURIComponent(id)}`);
    expect(got.body.footpath).toMatchObject({ type: 'GeoProperty', value: line });
  });

  it('001_02_01 InvalidJson → 400 InvalidRequest', async () => {
    const res = await b.call('POST', 'entities', {
      body: '{"id": "urn:ngsi-ld:X:1", "type": ',
      contentType: 'application/json',
    });
    expectProblem(res, 400, 'InvalidRequest');
  });

  it('001_02_02 EmptyJson → 400', async () => {
    const res = await b.call('POST', 'entities', { body: '', contentType: 'application/json' });
    expectProblem(res, 400, ['InvalidRequest', 'BadRequestData']);
  });

  it('001_02_03 EntityWithNoContext (ld+json without @context) → 400 BadRequestData', async () => {
    const res = await b.call('POST', 'entities', {
      body: minimal(uid()),
      contentType: 'application/ld+json',
    });
    expectProblem(res, 400, 'BadRequestData');
  });

  it('001_02_04 EntityWithInvalidType → 400 BadRequestData', async () => {
    const res = await b.call('POST', 'entities', { body: { id: uid(), type: 'Bui<ld>ing' } });
    expectProblem(res, 400, 'BadRequestData');
  });

  it('001_02_x EntityWithInvalidId (not a URI) → 400 BadRequestData', async () => {
    const res = await b.call('POST', 'entities', { body: { id: 'thisisaninvaliduri', type: 'Building' } });
    expectProblem(res, 400, 'BadRequestData');
  });

  it('001_02_x EntityWithoutType → 400 BadRequestData', async () => {
    const res = await b.call('POST', 'entities', { body: { id: uid() } });
    expectProblem(res, 400, 'BadRequestData');
  });

  it('001_02_x EntityWithInvalidAttribute (Property without value) → 400 BadRequestData', async () => {
    const res = await b.call('POST', 'entities', {
      body: { ...minimal(uid()), speed: { type: 'Property' } },
    });
    expectProblem(res, 400, 'BadRequestData');
  });

  it('001_02_x EntityWithUnknownAttributeType → 400 BadRequestData', async () => {
    const res = await b.call('POST', 'entities', {
      body: { ...minimal(uid()), speed: { type: 'Gizmo', value: 1 } },
    });
    expectProblem(res, 400, 'BadRequestData');
  });

  it('001_02_x EntityWithInvalidAttributeName → 400 BadRequestData', async () => {
    const res = await b.call('POST', 'entities', {
      body: { ...minimal(uid()), 'sp(e)ed': { type: 'Property', value: 1 } },
    });
    expectProblem(res, 400, 'BadRequestData');
  });

  it('001_02_x RelationshipWithNonUriObject → 400 BadRequestData', async () => {
    const res = await b.call('POST', 'entities', {
      body: { ...minimal(uid()), owner: { type: 'Relationship', object: 'not a uri' } },
    });
    expectProblem(res, 400, 'BadRequestData');
  });

  it('001_02_x GeoPropertyWithInvalidGeometry → 400 BadRequestData', async () => {
    const res = await b.call('POST', 'entities', {
      body: {
        ...minimal(uid()),
        location: { type: 'GeoProperty', value: { type: 'Point', coordinates: 'x' } },
      },
    });
    expectProblem(res, 400, 'BadRequestData');
  });

  it('001_03_01 create an entity whose id exists → 409 AlreadyExists', async () => {
    const id = uid('Building');
    await createOk(minimal(id));
    const res = await b.call('POST', 'entities', { body: minimal(id) });
    expectProblem(res, 409, 'AlreadyExists');
  });

  it('001_06_01 application/json body containing @context → 400 BadRequestData', async () => {
    const res = await b.call('POST', 'entities', {
      body: buildingLd(uid()),
      contentType: 'application/json',
    });
    expectProblem(res, 400, 'BadRequestData');
  });

  it('001_07_01 ld+json with core context URL in body; terms compact with the same context', async () => {
    const id = uid('Building');
    const body = { ...building(id), '@context': [...INLINE_CONTEXT, CORE_CONTEXT] };
    await createOk(body, 'application/ld+json');
    const got = await b.call('GET', `entities/${encodeURIComponent(id)}`, { link: b.contextUrl });
    expectStatus(got, 200);
    expect(got.body.almostFull).toBeDefined();
  });

  it('001_07_02 …and without the user context the attribute comes back as its IRI', async () => {
    const id = uid('Building');
    await createOk(buildingLd(id), 'application/ld+json');
    const got = await b.call('GET', `entities/${encodeURIComponent(id)}`);
    expectStatus(got, 200);
    expect(got.body[`${TEST_NS}almostFull`]).toBeDefined();
    expect(got.body.almostFull).toBeUndefined();
  });

  it('001_08_01 ld+json without @context → 400 BadRequestData', async () => {
    const res = await b.call('POST', 'entities', {
      body: building(uid()),
      contentType: 'application/ld+json',
    });
    expectProblem(res, 400, 'BadRequestData');
  });

  it('001_09_01 ld+json with a JSON-LD Link header → 400 BadRequestData', async () => {
    const res = await b.call('POST', 'entities', {
      body: buildingLd(uid()),
      contentType: 'application/ld+json',
      link: b.contextUrl,
    });
    expectProblem(res, 400, 'BadRequestData');
  });

  it('001_10_01 EntityWithLanguageProperty', async () => {
    const id = uid('Building');
    await createOk(languageBuilding(id));
    const got = await b.call('GET', `entities/${encodeURIComponent(id)}`);
    expectStatus(got, 200);
    expect(got.body.street).toMatchObject({
      type: 'LanguageProperty',
      languageMap: { en: 'Grand Street', fr: 'Grande Rue', de: 'Große Straße' },
    });
  });

  it('001_11_01 EntityWithOneScope', async () => {
    const id = uid('Building');
    await createOk({ ...minimal(id), scope: '/Lyon/Parks/TeteDOr' });
    const got = await b.call('GET', `entities/${encodeURIComponent(id)}`);
    const scope = [got.body.scope].flat();
    expect(scope).toEqual(['/Lyon/Parks/TeteDOr']);
  });

  it('001_11_02 EntityWithManyScopes', async () => {
    const id = uid('Building');
    await createOk({ ...minimal(id), scope: ['/Lyon/Parks/TeteDOr', '/CompanyA/Unit1'] });
    const got = await b.call('GET', `entities/${encodeURIComponent(id)}`);
    expect([got.body.scope].flat().sort()).toEqual(['/CompanyA/Unit1', '/Lyon/Parks/TeteDOr']);
  });

  it('001_12 Create Entity With observationSpace Geospatial Property', async () => {
    const id = uid('Building');
    const value = { type: 'Point', coordinates: [4.84, 45.76] };
    await createOk({ ...minimal(id), observationSpace: { type: 'GeoProperty', value } });
    const got = await b.call('GET', `entities/${encodeURIComponent(id)}`);
    expect(got.body.observationSpace).toMatchObject({ type: 'GeoProperty', value });
  });

  it('001_13 Create Entity With operationSpace Geospatial Property', async () => {
    const id = uid('Building');
    const value = { type: 'Point', coordinates: [4.85, 45.77] };
    await createOk({ ...minimal(id), operationSpace: { type: 'GeoProperty', value } });
    const got = await b.call('GET', `entities/${encodeURIComponent(id)}`);
    expect(got.body.operationSpace).toMatchObject({ type: 'GeoProperty', value });
  });

  it('001_x EntityWithListProperty and JsonProperty (clauses 4.5.21, 4.5.24)', async () => {
    const id = uid('Building');
    await createOk({
      ...minimal(id),
      readings: { type: 'ListProperty', valueList: [1, 2, 3] },
      config: { type: 'JsonProperty', json: { a: { b: [1, null] } } },
    });
    const got = await b.call('GET', `entities/${encodeURIComponent(id)}`);
    expect(got.body.readings).toMatchObject({ type: 'ListProperty', valueList: [1, 2, 3] });
    expect(got.body.config).toMatchObject({ type: 'JsonProperty', json: { a: { b: [1, null] } } });
  });

  it('001_15_01 EntityWithVocabPropertyAsString', async () => {
    const id = uid('Building');
    await createOk({ ...minimal(id), category: { type: 'VocabProperty', vocab: 'Building' } });
    const got = await b.call('GET', `entities/${encodeURIComponent(id)}`);
    expect(got.body.category).toMatchObject({ type: 'VocabProperty', vocab: 'Building' });
  });

  it('001_15_02 EntityWithVocabPropertyAsArray', async () => {
    const id = uid('Building');
    await createOk({ ...minimal(id), category: { type: 'VocabProperty', vocab: ['Building', 'Vehicle'] } });
    const got = await b.call('GET', `entities/${encodeURIComponent(id)}`);
    expect(got.body.category.vocab).toEqual(['Building', 'Vehicle']);
  });
});

describe('002 delete entity', () => {
  it('002_01_01 delete an existing entity → 204, then 404', async () => {
    const id = uid('Building');
    await createOk(minimal(id));
    const del = await b.call('DELETE', `entities/${encodeURIComponent(id)}`);
    expectStatus(del, 204);
    const got = await b.call('GET', `entities/${encodeURIComponent(id)}`);
    expectProblem(got, 404, 'ResourceNotFound');
  });

  it('002_02_01 delete an unknown entity → 404 ResourceNotFound', async () => {
    const res = await b.call('DELETE', `entities/${encodeURIComponent(uid())}`);
    expectProblem(res, 404, 'ResourceNotFound');
  });

  it('002_03_01 delete with an invalid id → 400 BadRequestData', async () => {
    const res = await b.call('DELETE', 'entities/thisisaninvaliduri');
    expectProblem(res, 400, 'BadRequestData');
  });
});

describe('048/049 media types', () => {
  it('048_01_01 POST /entities with an unsupported Content-Type → 415', async () => {
    const res = await b.call('POST', 'entities', {
      body: JSON.stringify(minimal(uid())),
      contentType: 'text/plain',
    });
    expectStatus(res, 415);
  });

  it('048_01_x PATCH attrs with an unsupported Content-Type → 415', async () => {
    const id = uid();
    await createOk(minimal(id));
    const res = await b.call('PATCH', `entities/${encodeURIComponent(id)}/attrs`, {
      body: '<xml/>',
      contentType: 'application/xml',
    });
    expectStatus(res, 415);
  });

  it('049_01_01 GET /entities/{id} with Accept: application/xml → 406', async () => {
    const id = uid();
    await createOk(minimal(id));
    const res = await b.call('GET', `entities/${encodeURIComponent(id)}`, { accept: 'application/xml' });
    expectStatus(res, 406);
  });

  it('049_01_x GET /entities with Accept: text/csv → 406', async () => {
    const res = await b.call('GET', 'entities?type=Building', { accept: 'text/csv' });
    expectStatus(res, 406);
  });

  it('045_01 GET without Accept answers application/json', async () => {
    const id = uid();
    await createOk(minimal(id));
    const res = await b.call('GET', `entities/${encodeURIComponent(id)}`);
    expectStatus(res, 200);
    expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  });
});
