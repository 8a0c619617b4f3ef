// Attribute operations through HTTP (clauses 5.6.2–5.6.5, 5.6.19; 6.6, 6.7).
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp } from '../../../test/support/app.js';

const ID = 'urn:ngsi-ld:Streetlight:7';
const URL = `/ngsi-ld/v1/entities/${ID}`;

let app: FastifyInstance;
beforeEach(async () => {
  app = await testApp();
  await app.inject({
    method: 'POST',
    url: '/ngsi-ld/v1/entities',
    payload: {
      id: ID,
      type: 'Streetlight',
      powerState: { type: 'Property', value: 'on' },
      illuminance: { type: 'Property', value: 80, unitCode: 'LUX', accuracy: { type: 'Property', value: 2 } },
      speed: [
        { type: 'Property', value: 30, datasetId: 'urn:ngsi-ld:Dataset:radar' },
        { type: 'Property', value: 31 },
      ],
    },
  });
});
afterEach(async () => {
  await app.close();
});

const entity = async () => (await app.inject({ method: 'GET', url: URL })).json();

describe('append attributes (5.6.3)', () => {
  it('adds new attributes and overwrites existing ones: 204', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `${URL}/attrs`,
      payload: { powerState: { type: 'Property', value: 'off' }, dimLevel: { type: 'Property', value: 40 } },
    });
    expect(res.statusCode).toBe(204);
    const e = await entity();
    expect(e.powerState.value).toBe('off');
    expect(e.dimLevel.value).toBe(40);
  });

  it('with noOverwrite keeps existing attributes and answers 207 naming them', async () => {
    const res = await app.inject({
      method: 'POST',
      url: `${URL}/attrs?options=noOverwrite`,
      payload: { powerState: { type: 'Property', value: 'off' }, dimLevel: { type: 'Property', value: 40 } },
    });
    expect(res.statusCode).toBe(207);
    expect(res.json().updated).toEqual(['dimLevel']);
    expect(res.json().notUpdated[0].attributeName).toBe('powerState');
    expect((await entity()).powerState.value).toBe('on');
  });

  it('answers 404 for an unknown entity and 400 for an unknown option', async () => {
    const payload = { x: { type: 'Property', value: 1 } };
    expect(
      (await app.inject({ method: 'POST', url: '/ngsi-ld/v1/entities/urn:x:none/attrs', payload }))
        .statusCode,
    ).toBe(404);
    expect(
      (await app.inject({ method: 'POST', url: `${URL}/attrs?options=bogus`, payload })).statusCode,
    ).toBe(400);
  });
});

describe('update attributes (5.6.2)', () => {
  it('updates existing attributes and reports the missing ones in a 207', async () => {
    const res = await app.inject({
      method: 'PATCH',
      url: `${URL}/attrs`,
      payload: { powerState: { type: 'Property', value: 'off' }, nothing: { type: 'Property', value: 1 } },
    });
    expect(res.statusCode).toBe(207);
    expect(res.json()).toMatchObject({ updated: ['powerState'], notUpdated: [{ attributeName: 'nothing' }] });
    const e = await entity();
    expect(e.powerState.value).toBe('off');
    expect(e.nothing).toBeUndefined();
  });

  it('answers 204 when all were updated', async () => {
    const res = await app.inject({
      method: 'PATCH',
      url: `${URL}/attrs`,
      payload: { powerState: { type: 'Property', value: 'off' } },
    });
    expect(res.statusCode).toBe(204);
  });
});

describe('partial attribute update (5.6.4)', () => {
  it('changes only the given members and keeps sub-attributes', async () => {
    const res = await app.inject({
      method: 'PATCH',
      url: `${URL}/attrs/illuminance`,
      payload: { value: 95 },
    });
    expect(res.statusCode).toBe(204);
    const e = await entity();
    expect(e.illuminance).toEqual({
      type: 'Property',
      value: 95,
      unitCode: 'LUX',
      accuracy: { type: 'Property', value: 2 },
    });
  });

  it('selects the instance by datasetId', async () => {
    await app.inject({
      method: 'PATCH',
      url: `${URL}/attrs/speed`,
      payload: { value: 50, datasetId: 'urn:ngsi-ld:Dataset:radar' },
    });
    const speeds = (await entity()).speed as Array<{ value: number; datasetId?: string }>;
    expect(speeds.find((s) => s.datasetId === 'urn:ngsi-ld:Dataset:radar')?.value).toBe(50);
    expect(speeds.find((s) => s.datasetId === undefined)?.value).toBe(31);
  });

  it('answers 404 for a missing attribute', async () => {
    const res = await app.inject({ method: 'PATCH', url: `${URL}/attrs/missing`, payload: { value: 1 } });
    expect(res.statusCode).toBe(404);
  });
});

describe('replace attribute (5.6.19)', () => {
  it('replaces the instance whole', async () => {
    const res = await app.inject({
      method: 'PUT',
      url: `${URL}/attrs/illuminance`,
      payload: { type: 'Property', value: 10 },
    });
    expect(res.statusCode).toBe(204);
    expect((await entity()).illuminance).toEqual({ type: 'Property', value: 10 });
  });
});

describe('delete attribute (5.6.5)', () => {
  it('deletes the default instance, one datasetId, or all', async () => {
    expect((await app.inject({ method: 'DELETE', url: `${URL}/attrs/speed` })).statusCode).toBe(204);
    expect((await entity()).speed).toEqual({
      type: 'Property',
      value: 30,
      datasetId: 'urn:ngsi-ld:Dataset:radar',
    });
    const byDataset = await app.inject({
      method: 'DELETE',
      url: `${URL}/attrs/speed?datasetId=urn:ngsi-ld:Dataset:radar`,
    });
    expect(byDataset.statusCode).toBe(204);
    expect((await entity()).speed).toBeUndefined();
    expect(
      (await app.inject({ method: 'DELETE', url: `${URL}/attrs/illuminance?deleteAll=true` })).statusCode,
    ).toBe(204);
    expect((await app.inject({ method: 'DELETE', url: `${URL}/attrs/illuminance` })).statusCode).toBe(404);
  });
});
