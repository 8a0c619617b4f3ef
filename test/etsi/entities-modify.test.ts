// ETSI GS CIM 009 clauses 5.6.2–5.6.5 (attributes), 5.6.17 (merge), 5.6.18 (replace entity), 5.6.19
// (replace attribute): derived from ETSI test groups 010, 011, 012, 013, 054, 055, 056.
import { describe, expect, it } from 'vitest';
import { expectProblem, expectStatus, uid, useBroker } from './harness.js';
import { building, minimal } from './fixtures.js';

const b = useBroker();
const enc = encodeURIComponent;

async function fresh(extra: Record<string, unknown> = {}): Promise<string> {
  const id = uid('Building');
  const res = await b.call('POST', 'entities', { body: { ...building(id), ...extra } });
  expectStatus(res, 201);
  return id;
}
const read = async (id: string, q = '') => (await b.call('GET', `entities/${enc(id)}${q}`)).body;

describe('054 replace entity (PUT /entities/{id})', () => {
  it('054_01_01 replace an entity: 204 and old attributes are gone', async () => {
    const id = await fresh();
    const res = await b.call('PUT', `entities/${enc(id)}`, {
      body: { id, type: 'Building', height: { type: 'Property', value: 120 } },
    });
    expectStatus(res, 204);
    const e = await read(id);
    expect(e.height).toMatchObject({ value: 120 });
    expect(e.name).toBeUndefined();
    expect(e.locatedIn).toBeUndefined();
  });

  it('054_02_01 replace an unknown entity → 404 ResourceNotFound', async () => {
    const id = uid();
    const res = await b.call('PUT', `entities/${enc(id)}`, { body: minimal(id) });
    expectProblem(res, 404, 'ResourceNotFound');
  });

  it('054_03_01 replace with an invalid fragment (id differs from the path) → 400 BadRequestData', async () => {
    const id = await fresh();
    const res = await b.call('PUT', `entities/${enc(id)}`, { body: minimal(uid()) });
    expectProblem(res, 400, 'BadRequestData');
  });

  it('054_03_02 replace with an invalid attribute → 400 BadRequestData', async () => {
    const id = await fresh();
    const res = await b.call('PUT', `entities/${enc(id)}`, {
      body: { type: 'Building', bad: { type: 'Relationship', object: 'no uri' } },
    });
    expectProblem(res, 400, 'BadRequestData');
  });
});

describe('056 merge entity (PATCH /entities/{id})', () => {
  it('056_01_01 merge: changed attributes updated, new added, others kept', async () => {
    const id = await fresh();
    const res = await b.call('PATCH', `entities/${enc(id)}`, {
      body: { name: { type: 'Property', value: 'Renamed' }, height: { type: 'Property', value: 9 } },
    });
    expectStatus(res, 204);
    const e = await read(id, '?options=keyValues');
    expect(e).toMatchObject({
      name: 'Renamed',
      height: 9,
      almostFull: false,
      locatedIn: 'urn:ngsi-ld:City:Lyon',
    });
  });

  it('056_01_02 merge with concise values (type inferred)', async () => {
    const id = await fresh();
    const res = await b.call('PATCH', `entities/${enc(id)}`, { body: { airQualityLevel: { value: 7 } } });
    expectStatus(res, 204);
    const e = await read(id);
    expect(e.airQualityLevel).toMatchObject({ type: 'Property', value: 7 });
  });

  it('056_02_01 merge with "urn:ngsi-ld:null" deletes the attribute', async () => {
    const id = await fresh();
    const res = await b.call('PATCH', `entities/${enc(id)}`, { body: { subCategory: 'urn:ngsi-ld:null' } });
    expectStatus(res, 204);
    expect((await read(id)).subCategory).toBeUndefined();
  });

  it('056_03_01 merge an unknown entity → 404 ResourceNotFound', async () => {
    const res = await b.call('PATCH', `entities/${enc(uid())}`, {
      body: { name: { type: 'Property', value: 1 } },
    });
    expectProblem(res, 404, 'ResourceNotFound');
  });

  it('056_04_01 merge with an invalid id → 400 BadRequestData', async () => {
    const res = await b.call('PATCH', 'entities/notauri', { body: { name: { type: 'Property', value: 1 } } });
    expectProblem(res, 400, 'BadRequestData');
  });

  it('056_04_02 merge with invalid JSON → 400 InvalidRequest', async () => {
    const id = await fresh();
    const res = await b.call('PATCH', `entities/${enc(id)}`, {
      body: '{"name": ',
      contentType: 'application/json',
    });
    expectProblem(res, 400, 'InvalidRequest');
  });

  it('044_01 merge accepts Content-Type application/merge-patch+json', async () => {
    const id = await fresh();
    const res = await b.call('PATCH', `entities/${enc(id)}`, {
      body: { name: { type: 'Property', value: 'MergePatch' } },
      contentType: 'application/merge-patch+json',
    });
    expectStatus(res, 204);
    expect((await read(id, '?options=keyValues')).name).toBe('MergePatch');
  });
});

describe('010 append entity attributes (POST /entities/{id}/attrs)', () => {
  it('010_01_01 append new attributes → 204', async () => {
    const id = await fresh();
    const res = await b.call('POST', `entities/${enc(id)}/attrs`, {
      body: {
        height: { type: 'Property', value: 200 },
        owner: { type: 'Relationship', object: 'urn:ngsi-ld:Org:1' },
      },
    });
    expectStatus(res, 204);
    const e = await read(id, '?options=keyValues');
    expect(e).toMatchObject({ height: 200, owner: 'urn:ngsi-ld:Org:1', name: 'Tour Part-Dieu' });
  });

  it('010_01_03 append overwrites existing attributes by default → 204', async () => {
    const id = await fresh();
    const res = await b.call('POST', `entities/${enc(id)}/attrs`, {
      body: { name: { type: 'Property', value: 'New' } },
    });
    expectStatus(res, 204);
    expect((await read(id, '?options=keyValues')).name).toBe('New');
  });

  it('010_01_02 append with options=noOverwrite keeps existing → 207 with notUpdated', async () => {
    const id = await fresh();
    const res = await b.call('POST', `entities/${enc(id)}/attrs?options=noOverwrite`, {
      body: { name: { type: 'Property', value: 'Ignored' }, height: { type: 'Property', value: 3 } },
    });
    expectStatus(res, 207);
    expect(res.body.updated).toContain('height');
    expect(res.body.notUpdated.map((n: { attributeName: string }) => n.attributeName)).toContain('name');
    const e = await read(id, '?options=keyValues');
    expect(e).toMatchObject({ name: 'Tour Part-Dieu', height: 3 });
  });

  it('010_01_04 append with noOverwrite and only new attributes → 204', async () => {
    const id = await fresh();
    const res = await b.call('POST', `entities/${enc(id)}/attrs?options=noOverwrite`, {
      body: { width: { type: 'Property', value: 3 } },
    });
    expectStatus(res, 204);
  });

  it('010_03_01 append to an unknown entity → 404 ResourceNotFound', async () => {
    const res = await b.call('POST', `entities/${enc(uid())}/attrs`, {
      body: { a: { type: 'Property', value: 1 } },
    });
    expectProblem(res, 404, 'ResourceNotFound');
  });

  it('010_05_01 append with an invalid fragment → 400 BadRequestData', async () => {
    const id = await fresh();
    const res = await b.call('POST', `entities/${enc(id)}/attrs`, { body: { a: { type: 'Property' } } });
    expectProblem(res, 400, 'BadRequestData');
  });

  it('010_x_01 append a second instance with a datasetId (multi-attribute)', async () => {
    const id = await fresh();
    const res = await b.call('POST', `entities/${enc(id)}/attrs`, {
      body: { name: { type: 'Property', value: 'Tour (fr)', datasetId: 'urn:ngsi-ld:Dataset:fr' } },
    });
    expectStatus(res, 204);
    const e = await read(id);
    const names = [e.name].flat();
    expect(names).toHaveLength(2);
    expect(names.map((n: { value: string }) => n.value).sort()).toEqual(['Tour (fr)', 'Tour Part-Dieu']);
  });
});

describe('scope as an attribute (4.18)', () => {
  it('010_07_01 Append Scope To An Entity With Overwrite Enabled replaces the scope', async () => {
    const id = await fresh({ scope: '/Lyon/Old' });
    expectStatus(await b.call('POST', `entities/${enc(id)}/attrs`, { body: { scope: '/Lyon/New' } }), 204);
    expect([(await read(id)).scope].flat()).toEqual(['/Lyon/New']);
  });

  it('011_05_01 Update Scope To An Entity Already Having A Scope', async () => {
    const id = await fresh({ scope: '/Lyon/Old' });
    expectStatus(
      await b.call('PATCH', `entities/${enc(id)}/attrs`, { body: { scope: ['/A/B', '/C'] } }),
      204,
    );
    expect([(await read(id)).scope].flat().sort()).toEqual(['/A/B', '/C']);
  });

  it('013_04 Delete Scope From An Entity', async () => {
    const id = await fresh({ scope: '/Lyon/Old' });
    expectStatus(await b.call('DELETE', `entities/${enc(id)}/attrs/scope`), 204);
    expect((await read(id)).scope).toBeUndefined();
  });
});

describe('011 update entity attributes (PATCH /entities/{id}/attrs)', () => {
  it('011_01_01 update existing attributes → 204', async () => {
    const id = await fresh();
    const res = await b.call('PATCH', `entities/${enc(id)}/attrs`, {
      body: { almostFull: { type: 'Property', value: true } },
    });
    expectStatus(res, 204);
    expect((await read(id, '?options=keyValues')).almostFull).toBe(true);
  });

  it('011_02_01 update with a non-existing attribute → 207 notUpdated, existing ones updated', async () => {
    const id = await fresh();
    const res = await b.call('PATCH', `entities/${enc(id)}/attrs`, {
      body: { almostFull: { type: 'Property', value: true }, ghost: { type: 'Property', value: 1 } },
    });
    expectStatus(res, 207);
    expect(res.body.updated).toContain('almostFull');
    expect(res.body.notUpdated.map((n: { attributeName: string }) => n.attributeName)).toContain('ghost');
    const e = await read(id, '?options=keyValues');
    expect(e.almostFull).toBe(true);
    expect(e.ghost).toBeUndefined();
  });

  it('011_03_01 update attributes when the entity id is not known → 404', async () => {
    const res = await b.call('PATCH', `entities/${enc(uid())}/attrs`, {
      body: { a: { type: 'Property', value: 1 } },
    });
    expectProblem(res, 404, 'ResourceNotFound');
  });

  it('011_04_01 update with an invalid fragment (array) → 400', async () => {
    const id = await fresh();
    const res = await b.call('PATCH', `entities/${enc(id)}/attrs`, { body: [1, 2] });
    expectProblem(res, 400, ['BadRequestData', 'InvalidRequest']);
  });
});

describe('012 partial attribute update (PATCH /entities/{id}/attrs/{attrId})', () => {
  it('012_01_01 partial update of a Property value keeps other members → 204', async () => {
    const id = await fresh();
    const res = await b.call('PATCH', `entities/${enc(id)}/attrs/airQualityLevel`, { body: { value: 9 } });
    expectStatus(res, 204);
    const e = await read(id);
    expect(e.airQualityLevel).toMatchObject({ type: 'Property', value: 9, unitCode: 'C62' });
  });

  it('012_01_02 partial update of a Relationship object', async () => {
    const id = await fresh();
    const res = await b.call('PATCH', `entities/${enc(id)}/attrs/locatedIn`, {
      body: { type: 'Relationship', object: 'urn:ngsi-ld:City:Paris' },
    });
    expectStatus(res, 204);
    expect((await read(id)).locatedIn.object).toBe('urn:ngsi-ld:City:Paris');
  });

  it('012_02_01 partial update of an unknown attribute → 404', async () => {
    const id = await fresh();
    const res = await b.call('PATCH', `entities/${enc(id)}/attrs/ghost`, { body: { value: 1 } });
    expectProblem(res, 404, 'ResourceNotFound');
  });

  it('012_02_02 partial update on an unknown entity → 404', async () => {
    const res = await b.call('PATCH', `entities/${enc(uid())}/attrs/name`, { body: { value: 1 } });
    expectProblem(res, 404, 'ResourceNotFound');
  });

  it('012_03_01 partial update with a datasetId targets that instance', async () => {
    const id = await fresh({
      speed: [
        { type: 'Property', value: 10 },
        { type: 'Property', value: 20, datasetId: 'urn:ngsi-ld:Dataset:gps' },
      ],
    });
    const res = await b.call('PATCH', `entities/${enc(id)}/attrs/speed`, {
      body: { value: 25, datasetId: 'urn:ngsi-ld:Dataset:gps' },
    });
    expectStatus(res, 204);
    const speeds = [(await read(id)).speed].flat();
    const gps = speeds.find((s: { datasetId?: string }) => s.datasetId === 'urn:ngsi-ld:Dataset:gps');
    const def = speeds.find((s: { datasetId?: string }) => s.datasetId === undefined);
    expect(gps.value).toBe(25);
    expect(def.value).toBe(10);
  });
});

describe('055 replace attribute (PUT /entities/{id}/attrs/{attrId})', () => {
  it('055_01_01 replace an attribute → 204, old members gone', async () => {
    const id = await fresh();
    const res = await b.call('PUT', `entities/${enc(id)}/attrs/airQualityLevel`, {
      body: { type: 'Property', value: 1 },
    });
    expectStatus(res, 204);
    const a = (await read(id)).airQualityLevel;
    expect(a).toMatchObject({ type: 'Property', value: 1 });
    expect(a.unitCode).toBeUndefined();
  });

  it('055_02_01 replace an unknown attribute → 404', async () => {
    const id = await fresh();
    const res = await b.call('PUT', `entities/${enc(id)}/attrs/ghost`, {
      body: { type: 'Property', value: 1 },
    });
    expectProblem(res, 404, 'ResourceNotFound');
  });

  it('055_03_01 replace with an invalid attribute → 400', async () => {
    const id = await fresh();
    const res = await b.call('PUT', `entities/${enc(id)}/attrs/name`, { body: { type: 'Nope', value: 1 } });
    expectProblem(res, 400, 'BadRequestData');
  });
});

describe('013 delete entity attribute', () => {
  it('013_01_01 delete an attribute → 204 and it is gone', async () => {
    const id = await fresh();
    expectStatus(await b.call('DELETE', `entities/${enc(id)}/attrs/subCategory`), 204);
    const e = await read(id);
    expect(e.subCategory).toBeUndefined();
    expect(e.name).toBeDefined();
  });

  it('013_02_01 delete an unknown attribute → 404', async () => {
    const id = await fresh();
    expectProblem(await b.call('DELETE', `entities/${enc(id)}/attrs/ghost`), 404, 'ResourceNotFound');
  });

  it('013_02_02 delete an attribute of an unknown entity → 404', async () => {
    expectProblem(await b.call('DELETE', `entities/${enc(uid())}/attrs/name`), 404, 'ResourceNotFound');
  });

  it('013_x_01 delete the instance with a given datasetId only', async () => {
    const id = await fresh({
      speed: [
        { type: 'Property', value: 10 },
        { type: 'Property', value: 20, datasetId: 'urn:ngsi-ld:Dataset:gps' },
      ],
    });
    const res = await b.call(
      'DELETE',
      `entities/${enc(id)}/attrs/speed?datasetId=${enc('urn:ngsi-ld:Dataset:gps')}`,
    );
    expectStatus(res, 204);
    const speeds = [(await read(id)).speed].flat();
    expect(speeds).toHaveLength(1);
    expect(speeds[0].value).toBe(10);
  });

  it('013_x_02 without datasetId only the default instance is deleted', async () => {
    const id = await fresh({
      speed: [
        { type: 'Property', value: 10 },
        { type: 'Property', value: 20, datasetId: 'urn:ngsi-ld:Dataset:gps' },
      ],
    });
    expectStatus(await b.call('DELETE', `entities/${enc(id)}/attrs/speed`), 204);
    const speeds = [(await read(id)).speed].flat();
    expect(speeds).toHaveLength(1);
    expect(speeds[0].datasetId).toBe('urn:ngsi-ld:Dataset:gps');
  });

  it('013_x_03 deleteAll=true removes every instance', async () => {
    const id = await fresh({
      speed: [
        { type: 'Property', value: 10 },
        { type: 'Property', value: 20, datasetId: 'urn:ngsi-ld:Dataset:gps' },
      ],
    });
    expectStatus(await b.call('DELETE', `entities/${enc(id)}/attrs/speed?deleteAll=true`), 204);
    expect((await read(id)).speed).toBeUndefined();
  });

  it('013_x_04 unknown datasetId → 404', async () => {
    const id = await fresh();
    const res = await b.call(
      'DELETE',
      `entities/${enc(id)}/attrs/name?datasetId=${enc('urn:ngsi-ld:Dataset:none')}`,
    );
    expectProblem(res, 404, 'ResourceNotFound');
  });
});
