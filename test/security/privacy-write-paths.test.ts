/**
 * The privacy gate on every way data comes in: create, replace, merge, append, update, partial and
 * whole attribute updates, the four batch operations and the temporal API's writes. Whatever the path,
 * the store holds the keyed pseudonym of a plate (never the plate, never a pseudonym of a pseudonym),
 * no undeclared attribute, and a coarsened location. Checked in the store itself, beneath the API.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { testKit, type TestKit } from '../support/app.js';

const T = 'privacy';
const H = { 'ngsild-tenant': T };
const NS = 'https://uri.etsi.org/ngsi-ld/default-context/';
const PLATE = 'AB-123-CD';
const ENTRY = {
  type: 'Car',
  purpose: 'parking enforcement',
  undeclared: 'drop',
  attributes: {
    plate: { classification: 'personal', treatment: { kind: 'pseudonymise', length: 16 } },
    location: { classification: 'personal', treatment: { kind: 'coarsen', grid: 1000 } },
    colour: { classification: 'public' },
  },
};

let kit: TestKit;
let app: FastifyInstance;
let store: SqliteStore;
let pseudonym: string;

beforeAll(async () => {
  kit = await testKit();
  ({ app, store } = kit);
  const put = await app.inject({ method: 'PUT', url: '/admin/governance/Car', headers: H, payload: ENTRY });
  expect(put.statusCode, put.body).toBe(201);
  pseudonym = (await kit.governance.pseudonymiser.forTenant(T)).pseudonymise(PLATE, 16);
});
afterAll(async () => app.close());

const send = async (method: 'POST' | 'PUT' | 'PATCH', url: string, payload: unknown, status: number) => {
  const res = await app.inject({ method, url: `/ngsi-ld/v1/${url}`, headers: H, payload: payload as object });
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
};
const car = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'Car',
  plate: { type: 'Property', value: PLATE },
  owner: { type: 'Property', value: 'Jean Dupont' },
  ...extra,
});

/** The entity as stored, and its whole history, must hold the pseudonym and none of the raw data. */
async function expectTreated(id: string): Promise<void> {
  const stored = await store.getEntity(T, id);
  expect(stored, id).toBeDefined();
  const text = JSON.stringify(stored);
  expect(text, id).not.toContain(PLATE);
  expect(text, id).not.toContain('Jean Dupont');
  expect(stored!.attrs[`${NS}plate`]?.[0]?.value, id).toBe(pseudonym);
  const history = JSON.stringify(
    await store.temporal.get(T, id, { timeproperty: 'modifiedAt', limit: 1000 }),
  );
  expect(history, id).not.toContain(PLATE);
  expect(history, id).not.toContain('Jean Dupont');
}

describe('every write path passes the privacy gate', () => {
  it('create, replace and merge', async () => {
    await send('POST', 'entities', car('urn:car:1'), 201);
    await expectTreated('urn:car:1');
    await send('PUT', 'entities/urn:car:1', car('urn:car:1'), 204);
    await expectTreated('urn:car:1');
    await send('PATCH', 'entities/urn:car:1', { plate: { type: 'Property', value: PLATE }, owner: 'x' }, 204);
    await expectTreated('urn:car:1');
    // A merge that does not carry the plate's value leaves the stored pseudonym as it is.
    await send(
      'PATCH',
      'entities/urn:car:1',
      { plate: { type: 'Property', value: PLATE, observedAt: '2026-01-01T00:00:00Z' } },
      204,
    );
    await expectTreated('urn:car:1');
  });

  it('append, update, partial update and whole attribute replacement', async () => {
    await send(
      'POST',
      'entities',
      { id: 'urn:car:2', type: 'Car', colour: { type: 'Property', value: 'red' } },
      201,
    );
    await send(
      'POST',
      'entities/urn:car:2/attrs',
      { plate: { type: 'Property', value: PLATE }, owner: { type: 'Property', value: 'Jean Dupont' } },
      204,
    );
    await expectTreated('urn:car:2');
    await send('PATCH', 'entities/urn:car:2/attrs', { plate: { type: 'Property', value: PLATE } }, 204);
    await expectTreated('urn:car:2');
    await send('PATCH', 'entities/urn:car:2/attrs/plate', { value: PLATE }, 204);
    await expectTreated('urn:car:2');
    // A partial update of another member never pseudonymises the stored pseudonym again.
    await send('PATCH', 'entities/urn:car:2/attrs/plate', { observedAt: '2026-02-01T00:00:00Z' }, 204);
    await expectTreated('urn:car:2');
    await send('PUT', 'entities/urn:car:2/attrs/plate', { type: 'Property', value: PLATE }, 204);
    await expectTreated('urn:car:2');
  });

  it('batch create, upsert, update and merge', async () => {
    await send('POST', 'entityOperations/create', [car('urn:car:3'), car('urn:car:4')], 201);
    await send('POST', 'entityOperations/upsert', [car('urn:car:3'), car('urn:car:5')], 201);
    await send('POST', 'entityOperations/update', [car('urn:car:4')], 204);
    await send('POST', 'entityOperations/merge', [car('urn:car:5')], 204);
    for (const id of ['urn:car:3', 'urn:car:4', 'urn:car:5']) await expectTreated(id);
  });

  it('the temporal API: create, add attributes, patch an instance', async () => {
    const at = (h: number) => `2026-03-01T0${h}:00:00Z`;
    await send(
      'POST',
      'temporal/entities',
      {
        id: 'urn:car:6',
        type: 'Car',
        plate: [{ type: 'Property', value: PLATE, observedAt: at(1) }],
        owner: [{ type: 'Property', value: 'Jean Dupont', observedAt: at(1) }],
      },
      201,
    );
    await send(
      'POST',
      'temporal/entities/urn:car:6/attrs',
      { plate: [{ type: 'Property', value: PLATE, observedAt: at(2) }] },
      204,
    );
    const history = await store.temporal.get(T, 'urn:car:6', { timeproperty: 'observedAt', limit: 100 });
    const values = history!.attrs[`${NS}plate`]!.map((i) => i.value);
    expect(values).toEqual([pseudonym, pseudonym]);
    expect(history!.attrs[`${NS}owner`]).toBeUndefined();
    const instanceId = history!.attrs[`${NS}plate`]![0]!.instanceId;
    await send(
      'PATCH',
      `temporal/entities/urn:car:6/attrs/plate/${encodeURIComponent(String(instanceId))}`,
      { type: 'Property', value: PLATE, observedAt: at(1) },
      204,
    );
    const patched = await store.temporal.get(T, 'urn:car:6', { timeproperty: 'observedAt', limit: 100 });
    expect(JSON.stringify(patched)).not.toContain(PLATE);
  });

  it('coarsens a location on its way in', async () => {
    await send(
      'POST',
      'entities',
      car('urn:car:7', {
        location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [2.351234, 48.856789] } },
      }),
      201,
    );
    const stored = await store.getEntity(T, 'urn:car:7');
    const coords = (
      stored!.attrs[`https://uri.etsi.org/ngsi-ld/location`]![0]!.value as { coordinates: number[] }
    ).coordinates;
    expect(coords).not.toEqual([2.351234, 48.856789]);
    expect(Math.abs(coords[0]! - 2.351234)).toBeLessThan(0.02);
  });
});
