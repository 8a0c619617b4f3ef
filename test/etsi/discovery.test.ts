// ETSI GS CIM 009 clauses 5.7.5–5.7.10 (entity type and attribute discovery) and 5.2.24–5.2.29 (their
// data types): derived from ETSI test groups 022–027. Each test works in a fresh tenant.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, expectStatus, tenant, uid, useBroker, type Res } from './harness.js';
import { building } from './fixtures.js';

const b = useBroker();
const T = tenant();
const call = (path: string): Promise<Res> => b.call('GET', path, { tenant: T, link: b.contextUrl });

beforeAll(async () => {
  const opts = { tenant: T, link: b.contextUrl };
  expectStatus(await b.call('POST', 'entities', { body: building(uid('Building')), ...opts }), 201);
  expectStatus(await b.call('POST', 'entities', { body: building(uid('Building')), ...opts }), 201);
  const vehicle = { id: uid('Vehicle'), type: 'Vehicle', speed: { type: 'Property', value: 50 } };
  expectStatus(await b.call('POST', 'entities', { body: vehicle, ...opts }), 201);
});

describe('022–024 entity types', () => {
  it('022_01_01 Retrieve available entity types (EntityTypeList)', async () => {
    const res = await call('types');
    expectStatus(res, 200);
    expect(res.body.type).toBe('EntityTypeList');
    expect(typeof res.body.id).toBe('string');
    expect([...res.body.typeList].sort()).toEqual(['Building', 'Vehicle']);
  });

  it('023_01_01 Retrieve details of available entity types (details=true)', async () => {
    const res = await call('types?details=true');
    expectStatus(res, 200);
    expect(Array.isArray(res.body)).toBe(true);
    const bld = res.body.find((t: { typeName: string }) => t.typeName === 'Building');
    expect(bld.type).toBe('EntityType');
    expect([...bld.attributeNames].sort()).toEqual(
      ['airQualityLevel', 'almostFull', 'category', 'locatedIn', 'name', 'subCategory'].sort(),
    );
    const veh = res.body.find((t: { typeName: string }) => t.typeName === 'Vehicle');
    expect(veh.attributeNames).toEqual(['speed']);
  });

  it('024_01_01 Retrieve entity type information (/types/{type})', async () => {
    const res = await call('types/Building');
    expectStatus(res, 200);
    expect(res.body.type).toBe('EntityTypeInfo');
    expect(res.body.typeName).toBe('Building');
    expect(res.body.entityCount).toBe(2);
    const rel = res.body.attributeDetails.find(
      (a: { attributeName: string }) => a.attributeName === 'locatedIn',
    );
    expect(rel.attributeTypes).toEqual(['Relationship']);
    const prop = res.body.attributeDetails.find((a: { attributeName: string }) => a.attributeName === 'name');
    expect(prop.type).toBe('Attribute');
    expect(prop.attributeTypes).toEqual(['Property']);
  });

  it('024_02_01 Retrieve an unknown entity type → 404 ResourceNotFound', async () => {
    expectProblem(await call('types/Spaceship'), 404, 'ResourceNotFound');
  });

  it('022_x an empty tenant has an empty type list (or 404 NonexistentTenant)', async () => {
    const res = await b.call('GET', 'types', { tenant: tenant() });
    if (res.status === 404) expectProblem(res, 404, 'NonexistentTenant');
    else {
      expectStatus(res, 200);
      expect(res.body.typeList).toEqual([]);
    }
  });
});

describe('025–027 attributes', () => {
  it('025_01_01 Retrieve available attributes (AttributeList)', async () => {
    const res = await call('attributes');
    expectStatus(res, 200);
    expect(res.body.type).toBe('AttributeList');
    expect([...res.body.attributeList].sort()).toEqual(
      ['airQualityLevel', 'almostFull', 'category', 'locatedIn', 'name', 'speed', 'subCategory'].sort(),
    );
  });

  it('026_01_01 Retrieve details of available attributes (details=true)', async () => {
    const res = await call('attributes?details=true');
    expectStatus(res, 200);
    const speed = res.body.find((a: { attributeName: string }) => a.attributeName === 'speed');
    expect(speed.type).toBe('Attribute');
    expect(speed.typeNames).toEqual(['Vehicle']);
  });

  it('027_01_01 Retrieve available attribute information (/attributes/{attr})', async () => {
    const res = await call('attributes/name');
    expectStatus(res, 200);
    expect(res.body.type).toBe('Attribute');
    expect(res.body.attributeName).toBe('name');
    expect(res.body.attributeCount).toBe(2);
    expect(res.body.attributeTypes).toEqual(['Property']);
    expect(res.body.typeNames).toEqual(['Building']);
  });

  it('027_02_01 Retrieve an unknown attribute → 404 ResourceNotFound', async () => {
    expectProblem(await call('attributes/wingspan'), 404, 'ResourceNotFound');
  });

  it('059_01_05 RetrieveEntityTypes with an unknown query parameter → 400 InvalidRequest', async () => {
    expectProblem(await call('types?foo=bar'), 400, 'InvalidRequest');
  });
});
