// ETSI GS CIM 009 clause 5.7.1 (Retrieve Entity), 4.5 (representations), 4.15 (lang), 4.21 (pick/omit),
// 6.3.7 (GeoJSON): derived from ETSI test group 018.
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_NS, expectProblem, expectStatus, uid, useBroker, type Res } from './harness.js';
import { building, buildingLd, languageBuilding, minimal } from './fixtures.js';

const b = useBroker();
const path = (id: string, query = '') => `entities/${encodeURIComponent(id)}${query}`;

let id = '';
let langId = '';
let geoId = '';

beforeAll(async () => {
  id = uid('Building');
  langId = uid('Building');
  geoId = uid('Building');
  const r1 = await b.call('POST', 'entities', { body: buildingLd(id), contentType: 'application/ld+json' });
  expectStatus(r1, 201);
  const r2 = await b.call('POST', 'entities', { body: languageBuilding(langId) });
  expectStatus(r2, 201);
  const r3 = await b.call('POST', 'entities', {
    body: {
      ...building(geoId),
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [4.8357, 45.764] } },
      observationSpace: {
        type: 'GeoProperty',
        value: {
          type: 'Polygon',
          coordinates: [
            [
              [4.83, 45.76],
              [4.84, 45.76],
              [4.84, 45.77],
              [4.83, 45.76],
            ],
          ],
        },
      },
    },
    link: b.contextUrl,
  });
  expectStatus(r3, 201);
});

const get = (q = '', accept?: string): Promise<Res> =>
  b.call('GET', path(id, q), { link: b.contextUrl, accept });

describe('018 retrieve entity', () => {
  it('018_01_01 Get An Entity By Id (application/ld+json carries @context)', async () => {
    const res = await get('', 'application/ld+json');
    expectStatus(res, 200);
    expect(res.headers.get('content-type') ?? '').toMatch(/^application\/ld\+json/);
    expect(res.body['@context']).toBeDefined();
    expect(res.body).toMatchObject({ id, type: 'Building' });
    expect(res.body.name).toMatchObject({ type: 'Property', value: 'Tour Part-Dieu' });
  });

  it('018_01_02 Get An Entity By Id With attrs', async () => {
    const res = await get('?attrs=name,almostFull');
    expectStatus(res, 200);
    expect(Object.keys(res.body).sort()).toEqual(['almostFull', 'id', 'name', 'type']);
  });

  it('018_01_x attrs naming no attribute of the entity → the entity with no attributes (or 404)', async () => {
    const res = await get('?attrs=nothingHere');
    expectStatus(res, [200, 404]);
    if (res.status === 200) expect(Object.keys(res.body).sort()).toEqual(['id', 'type']);
  });

  it('018_02_01 Get An Entity If The Entity Id Is Not A Valid URI → 400 BadRequestData', async () => {
    const res = await b.call('GET', 'entities/thisisaninvaliduri');
    expectProblem(res, 400, 'BadRequestData');
  });

  it('018_03_01 Get An Entity If The Entity Id Is Not Known To The System → 404 ResourceNotFound', async () => {
    const res = await b.call('GET', path(uid('Building')));
    expectProblem(res, 404, 'ResourceNotFound');
  });

  it('018_04_01 Get An Entity In A Simplified Representation (options=keyValues)', async () => {
    const res = await get('?options=keyValues');
    expectStatus(res, 200);
    expect(res.body).toMatchObject({
      id,
      type: 'Building',
      name: 'Tour Part-Dieu',
      almostFull: false,
      airQualityLevel: 4,
      category: ['office', 'commercial'],
      locatedIn: 'urn:ngsi-ld:City:Lyon',
    });
  });

  it('018_04_02 Get An Entity In A Simplified Representation (format=simplified)', async () => {
    const res = await get('?format=simplified');
    expectStatus(res, 200);
    expect(res.body).toMatchObject({ id, name: 'Tour Part-Dieu', locatedIn: 'urn:ngsi-ld:City:Lyon' });
  });

  it('018_04_x Get An Entity In The Concise Representation (options=concise)', async () => {
    const res = await get('?options=concise');
    expectStatus(res, 200);
    // 4.5.3: "type" is dropped from attributes; a Property with nothing but a value may be its value.
    const name = res.body.name;
    expect(name === 'Tour Part-Dieu' || (name?.value === 'Tour Part-Dieu' && name.type === undefined)).toBe(
      true,
    );
    expect(res.body.airQualityLevel).toEqual({ value: 4, unitCode: 'C62' });
    expect(res.body.locatedIn).toEqual({ object: 'urn:ngsi-ld:City:Lyon' });
  });

  it('018_05_01 GeoJSON Simplified (Accept: application/geo+json, keyValues)', async () => {
    const res = await b.call('GET', path(geoId, '?options=keyValues'), {
      link: b.contextUrl,
      accept: 'application/geo+json',
    });
    expectStatus(res, 200);
    expect(res.headers.get('content-type') ?? '').toMatch(/^application\/geo\+json/);
    expect(res.body).toMatchObject({
      id: geoId,
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [4.8357, 45.764] },
    });
    expect(res.body.properties).toMatchObject({ type: 'Building', name: 'Tour Part-Dieu' });
  });

  it('018_05_02 GeoJSON Normalized', async () => {
    const res = await b.call('GET', path(geoId), { link: b.contextUrl, accept: 'application/geo+json' });
    expectStatus(res, 200);
    expect(res.body.type).toBe('Feature');
    expect(res.body.geometry).toEqual({ type: 'Point', coordinates: [4.8357, 45.764] });
    expect(res.body.properties.name).toMatchObject({ type: 'Property', value: 'Tour Part-Dieu' });
  });

  it('018_05_03 GeoJSON With geometryProperty=observationSpace', async () => {
    const res = await b.call('GET', path(geoId, '?geometryProperty=observationSpace'), {
      link: b.contextUrl,
      accept: 'application/geo+json',
    });
    expectStatus(res, 200);
    expect(res.body.geometry.type).toBe('Polygon');
  });

  it('018_05_04 GeoJSON With Nonexistent geometryProperty → geometry null', async () => {
    const res = await b.call('GET', path(geoId, '?geometryProperty=operationSpace'), {
      link: b.contextUrl,
      accept: 'application/geo+json',
    });
    expectStatus(res, 200);
    expect(res.body.geometry).toBeNull();
  });

  it('018_06_01 EmptyJsonLdContext: created with a Link context, read without → IRIs', async () => {
    const res = await b.call('GET', path(geoId), { accept: 'application/json' });
    expectStatus(res, 200);
    expect(res.body[`${TEST_NS}name`]).toBeDefined();
    expect(res.body.type).toBe(`${TEST_NS}Building`);
  });

  it('018_06_02 CreationTimeJsonLdContext: read with the creation context → terms', async () => {
    const res = await b.call('GET', path(geoId), { accept: 'application/json', link: b.contextUrl });
    expectStatus(res, 200);
    expect(res.body.name).toBeDefined();
    expect(res.body.type).toBe('Building');
  });

  it('018_07_01 Retrieve An Entity Using A Specific Natural Language (lang=fr)', async () => {
    const res = await b.call('GET', path(langId, '?lang=fr'));
    expectStatus(res, 200);
    expect(res.body.street).toMatchObject({ type: 'Property', value: 'Grande Rue', lang: 'fr' });
  });

  it('018_07_02 Multiple Natural Languages With No Ranked Preference (lang=fr-CH,fr)', async () => {
    const res = await b.call('GET', path(langId, '?lang=fr-CH,fr'));
    expectStatus(res, 200);
    expect(res.body.street).toMatchObject({ type: 'Property', value: 'Grande Rue', lang: 'fr' });
  });

  it('018_07_03 Retrieve An Entity With Any Supported Language (lang=*)', async () => {
    const res = await b.call('GET', path(langId, '?lang=*'));
    expectStatus(res, 200);
    expect(res.body.street.type).toBe('Property');
    expect(['Grand Street', 'Grande Rue', 'Große Straße']).toContain(res.body.street.value);
  });

  it('018_07_04 Multiple Natural Languages With Ranked Preferences', async () => {
    const res = await b.call(
      'GET',
      path(langId, `?lang=${encodeURIComponent('fr-CH,fr;q=0.9,en;q=0.8,*;q=0.5')}`),
    );
    expectStatus(res, 200);
    expect(res.body.street).toMatchObject({ value: 'Grande Rue', lang: 'fr' });
  });

  it('018_07_05 Specific Natural Language With Simplified Representation', async () => {
    const res = await b.call('GET', path(langId, '?lang=fr&options=keyValues'));
    expectStatus(res, 200);
    expect(res.body.street).toBe('Grande Rue');
  });

  it('018_07_x LanguageProperty without lang keeps its languageMap (keyValues)', async () => {
    const res = await b.call('GET', path(langId, '?options=keyValues'));
    expectStatus(res, 200);
    expect(res.body.street).toEqual({
      languageMap: { en: 'Grand Street', fr: 'Grande Rue', de: 'Große Straße' },
    });
  });

  it('018_08_01 observationSpace retrieved Simplified', async () => {
    const res = await b.call('GET', path(geoId, '?options=keyValues'), { link: b.contextUrl });
    expectStatus(res, 200);
    expect(res.body.observationSpace.type).toBe('Polygon');
  });

  it('018_x options=sysAttrs adds createdAt/modifiedAt to entity and attributes (4.8)', async () => {
    const res = await get('?options=sysAttrs');
    expectStatus(res, 200);
    for (const t of [
      res.body.createdAt,
      res.body.modifiedAt,
      res.body.name.createdAt,
      res.body.name.modifiedAt,
    ]) {
      expect(typeof t).toBe('string');
      expect(Number.isNaN(Date.parse(t))).toBe(false);
    }
  });

  it('018_x without sysAttrs no createdAt/modifiedAt are shown', async () => {
    const res = await get();
    expect(res.body.createdAt).toBeUndefined();
    expect(res.body.name.createdAt).toBeUndefined();
  });

  it('018_x pick=id,name returns only those members (4.21)', async () => {
    const res = await get('?pick=id,name');
    expectStatus(res, 200);
    expect(Object.keys(res.body).sort()).toEqual(['id', 'name']);
  });

  it('018_x omit=type,name drops those members (4.21)', async () => {
    const res = await get('?omit=type,name');
    expectStatus(res, 200);
    expect(res.body.type).toBeUndefined();
    expect(res.body.name).toBeUndefined();
    expect(res.body.id).toBe(id);
    expect(res.body.almostFull).toBeDefined();
  });

  it('019_18_01 (retrieve) same member in pick and omit → 400 BadRequestData', async () => {
    expectProblem(await get('?pick=name&omit=name'), 400, 'BadRequestData');
  });

  it('019_18_02 (retrieve) pick together with attrs → 400 BadRequestData', async () => {
    expectProblem(await get('?pick=name&attrs=category'), 400, 'BadRequestData');
  });

  it('019_18_07 (retrieve) pick with consecutive separators → 400 BadRequestData', async () => {
    expectProblem(await get('?pick=id,,name'), 400, 'BadRequestData');
  });

  it('018_x retrieve with Accept application/json puts the @context in a Link header (6.3.6)', async () => {
    const res = await get('', 'application/json');
    expectStatus(res, 200);
    expect(res.body['@context']).toBeUndefined();
    expect(res.headers.get('link') ?? '').toMatch(/rel="?http:\/\/www\.w3\.org\/ns\/json-ld#context"?/);
  });

  it('018_x minimal entity retrieved keyValues is just id and type', async () => {
    const mid = uid();
    expectStatus(await b.call('POST', 'entities', { body: minimal(mid) }), 201);
    const res = await b.call('GET', path(mid, '?options=keyValues'));
    expect(res.body).toEqual({ id: mid, type: 'Building' });
  });
});
