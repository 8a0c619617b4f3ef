// Erasure against a real (in-memory SQLite) store: entities written as ingest stores them (values
// already pseudonymised with the tenant's key), their history recorded by the store, then erased by
// identifier, pseudonym or reference — what goes, what stays, what a dry run reports, and what a
// deletion looks like to the store's reactor (subscriptions).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isNgsiError } from '../../core/errors.js';
import { stampNew, updateAttributes } from '../../core/entity/operations.js';
import type { Attribute } from '../../core/model/entity.js';
import type { Change, Store } from '../../store/port.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import { PSEUDONYM_URN_PREFIX } from './apply-governance.js';
import { Erasure, type ErasureSubject } from './erasure.js';
import type { TypeGovernance } from './model.js';
import { Pseudonymiser } from './pseudonymiser.js';
import { GovernanceRegistry } from './registry.js';

const V = 'https://example.org/vocab/';
const SESSION = `${V}ParkingSession`;
const HOUSEHOLD = `${V}Household`;
const LIGHT = `${V}Streetlight`;
const PERSON = `${V}Person`;
const [PLATE, VEHICLE, SPOT, OCCUPANT, METER, NEAR] = [
  'plate',
  'vehicle',
  'spot',
  'occupant',
  'meter',
  'near',
].map((n) => V + n) as [string, string, string, string, string, string];

const GOVERNANCE: TypeGovernance[] = [
  {
    type: SESSION,
    purpose: 'parking enforcement',
    undeclared: 'drop',
    attributes: {
      [PLATE]: { classification: 'personal', treatment: { kind: 'pseudonymise', length: 16 } },
      [VEHICLE]: { classification: 'personal', treatment: { kind: 'pseudonymise', length: 12 } },
      [SPOT]: { classification: 'public', treatment: { kind: 'keep' } },
    },
  },
  {
    type: HOUSEHOLD,
    purpose: 'water billing',
    undeclared: 'drop',
    attributes: {
      [OCCUPANT]: { classification: 'personal', treatment: { kind: 'keep' } },
      [METER]: { classification: 'internal', treatment: { kind: 'keep' } },
    },
  },
  {
    type: LIGHT,
    purpose: 'street lighting',
    undeclared: 'drop',
    attributes: { [NEAR]: { classification: 'public', treatment: { kind: 'keep' } } },
  },
];

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 10, 8);
const iso = (min: number) => new Date(T0 + min * 60_000).toISOString();

const prop = (value: unknown): Attribute[] => [{ type: 'Property', value }];
const rel = (object: string): Attribute[] => [{ type: 'Relationship', value: object }];

let store: Store;
let clock: number;
let pseudonymiser: Pseudonymiser;
let erasure: Erasure;
let changes: Change[];

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  await store.migrate();
  clock = T0;
  const registry = new GovernanceRegistry({ repo: store.governance.registry, builtIn: GOVERNANCE });
  pseudonymiser = new Pseudonymiser({
    keys: store.governance.pseudonymKeys,
    rotation: DAY,
    now: () => clock,
  });
  erasure = new Erasure({ store, registry, pseudonymiser });
  changes = [];
  store.setReactor((c) => {
    changes.push(c);
    return [];
  });
});

afterEach(async () => {
  await store.close();
});

async function create(
  id: string,
  type: string,
  attrs: Record<string, Attribute[]>,
  min: number,
  tenant = '',
) {
  const r = await store.mutate(tenant, [
    { id, decide: () => ({ action: 'put', entity: stampNew({ id, type: [type], attrs }, iso(min)) }) },
  ]);
  expect(r[0]?.ok).toBe(true);
}

async function update(id: string, attrs: Record<string, Attribute[]>, min: number) {
  const r = await store.mutate('', [
    {
      id,
      decide: (cur) =>
        cur ? { action: 'put', entity: updateAttributes(cur, attrs, iso(min)).entity } : { action: 'skip' },
    },
  ]);
  expect(r[0]?.ok).toBe(true);
}

/** The pseudonym ingest would store for `value` under the current key. */
async function pseudonym(value: string, length: number): Promise<string> {
  return (await pseudonymiser.forTenant('')).pseudonymise(value, length);
}

/** Every stored instance of an entity, as [attribute, value] pairs (empty when it has no history). */
async function history(id: string): Promise<Array<[string, unknown]>> {
  const e = await store.temporal.get('', id, { timeproperty: 'createdAt', limit: 1000 });
  if (e === undefined) return [];
  return Object.entries(e.attrs).flatMap(([a, list]) => list.map((i): [string, unknown] => [a, i.value]));
}

/** The car AB-123-CD (the subject) and others, as stored after ingest. */
async function seedParking(): Promise<{ plate: string; other: string }> {
  const plate = await pseudonym('AB-123-CD', 16);
  const other = await pseudonym('XY-999-ZZ', 16);
  const vehicle = PSEUDONYM_URN_PREFIX + (await pseudonym('AB-123-CD', 12));
  // s1: the subject's session, its spot changed once (4 instances).
  await create('urn:s1', SESSION, { [PLATE]: prop(plate), [SPOT]: prop('A1') }, 0);
  await update('urn:s1', { [SPOT]: prop('A2') }, 5);
  await update('urn:s1', { [SPOT]: prop('A3') }, 6);
  // s2: someone else's session.
  await create('urn:s2', SESSION, { [PLATE]: prop(other), [SPOT]: prop('B1') }, 1);
  // s3: the subject's car as a pseudonymised Relationship (URN form), 2 instances.
  await create('urn:s3', SESSION, { [VEHICLE]: rel(vehicle), [SPOT]: prop('C1') }, 2);
  // s4: held the subject's plate first (a data-entry error), then someone else's: 4 instances.
  await create('urn:s4', SESSION, { [PLATE]: prop(plate), [SPOT]: prop('D1') }, 3);
  await update('urn:s4', { [PLATE]: prop(other) }, 4);
  await update('urn:s4', { [SPOT]: prop('D2') }, 7);
  return { plate, other };
}

describe('erasure by identifier', () => {
  it('deletes the entities holding its pseudonym and their history, and the instances elsewhere', async () => {
    const { other } = await seedParking();
    expect(await history('urn:s1')).toHaveLength(4);
    expect(await history('urn:s3')).toHaveLength(2);
    expect(await history('urn:s4')).toHaveLength(4);

    const report = await erasure.erase('', { identifier: 'AB-123-CD' }, false);
    // s1 (4) and s3 (2) whole, and s4's first plate instance (1).
    expect(report).toEqual({ entities: ['urn:s1', 'urn:s3'], instances: 7 });

    expect(await store.getEntity('', 'urn:s1')).toBeUndefined();
    expect(await store.getEntity('', 'urn:s3')).toBeUndefined();
    expect(await history('urn:s1')).toEqual([]);
    expect(await history('urn:s3')).toEqual([]);
    // s2 untouched; s4 keeps its current state and all of its history but the subject's plate.
    expect(await store.getEntity('', 'urn:s2')).toBeDefined();
    expect(await history('urn:s2')).toHaveLength(2);
    expect((await store.getEntity('', 'urn:s4'))?.attrs[PLATE]?.[0]?.value).toBe(other);
    expect(await history('urn:s4')).toEqual([
      [PLATE, other],
      [SPOT, 'D1'],
      [SPOT, 'D2'],
    ]);
  });

  it('reports in a dry run exactly what a real run then deletes, and deletes nothing', async () => {
    await seedParking();
    const before = await Promise.all(['urn:s1', 'urn:s2', 'urn:s3', 'urn:s4'].map(history));
    const dry = await erasure.erase('', { identifier: 'AB-123-CD' }, true);
    expect(dry).toEqual({ entities: ['urn:s1', 'urn:s3'], instances: 7 });
    expect(await Promise.all(['urn:s1', 'urn:s2', 'urn:s3', 'urn:s4'].map(history))).toEqual(before);
    expect(await store.getEntity('', 'urn:s1')).toBeDefined();
    expect(await erasure.erase('', { identifier: 'AB-123-CD' }, false)).toEqual(dry);
    // Nothing left: a second run finds nothing.
    expect(await erasure.erase('', { identifier: 'AB-123-CD' }, false)).toEqual({
      entities: [],
      instances: 0,
    });
  });

  it('deletes through store.mutate, so that the reactor (subscriptions) sees the deletions', async () => {
    await seedParking();
    changes = [];
    await erasure.erase('', { identifier: 'AB-123-CD' }, false);
    const deleted = changes.filter((c) => c.after === undefined).map((c) => c.id);
    expect(deleted.sort()).toEqual(['urn:s1', 'urn:s3']);
  });

  it('cannot reach pseudonyms of an expired key from the identifier, only from the pseudonym', async () => {
    const { plate } = await seedParking();
    clock += 2 * DAY; // the key of the 10th is destroyed; a new one applies
    expect(await erasure.erase('', { identifier: 'AB-123-CD' }, true)).toEqual({
      entities: [],
      instances: 0,
    });
    const report = await erasure.erase('', { pseudonym: plate }, false);
    expect(report.entities).toEqual(['urn:s1']);
    expect(await store.getEntity('', 'urn:s1')).toBeUndefined();
  });

  it('is empty, and asks for no key, in a tenant that does not exist', async () => {
    const forTenant = vi.fn((tenant: string) => pseudonymiser.forTenant(tenant));
    const registry = new GovernanceRegistry({ repo: store.governance.registry, builtIn: GOVERNANCE });
    const guarded = new Erasure({ store, registry, pseudonymiser: { forTenant } });
    expect(await guarded.erase('nowhere', { identifier: 'AB-123-CD' }, false)).toEqual({
      entities: [],
      instances: 0,
    });
    expect(forTenant).not.toHaveBeenCalled();
    expect(await store.listTenants()).not.toContain('nowhere');
  });
});

describe('erasure by pseudonym', () => {
  it('matches both the Property form and the Relationship (URN) form', async () => {
    await seedParking();
    const short = await pseudonym('AB-123-CD', 12);
    // The hex form finds the Relationship holding the URN form …
    expect((await erasure.erase('', { pseudonym: short }, true)).entities).toEqual(['urn:s3']);
    // … and the URN form finds it too.
    const report = await erasure.erase('', { pseudonym: PSEUDONYM_URN_PREFIX + short }, false);
    expect(report).toEqual({ entities: ['urn:s3'], instances: 2 });
    expect(await store.getEntity('', 'urn:s1')).toBeDefined();
  });
});

describe('erasure by reference', () => {
  it('deletes the entity, and the entities whose personal attributes point to it, with their history', async () => {
    const alice = 'urn:ngsi-ld:Person:alice';
    const bob = 'urn:ngsi-ld:Person:bob';
    await create(alice, PERSON, { [METER]: prop('M-1') }, 0);
    await create(bob, PERSON, { [METER]: prop('M-2') }, 0);
    await create('urn:h1', HOUSEHOLD, { [OCCUPANT]: rel(alice), [METER]: prop(12) }, 1);
    await update('urn:h1', { [METER]: prop(13) }, 2);
    await create('urn:h2', HOUSEHOLD, { [OCCUPANT]: rel(bob), [METER]: prop(40) }, 1);
    // h3 pointed at alice once; she moved out and bob in.
    await create('urn:h3', HOUSEHOLD, { [OCCUPANT]: rel(alice), [METER]: prop(7) }, 1);
    await update('urn:h3', { [OCCUPANT]: rel(bob) }, 3);
    // A public Relationship pointing at her is not personal data of hers to erase.
    await create('urn:l1', LIGHT, { [NEAR]: rel(alice) }, 1);

    const report = await erasure.erase('', { reference: alice }, false);
    // alice (1), h1 (3) whole; h3's first occupant instance (1).
    expect(report).toEqual({ entities: ['urn:h1', alice], instances: 5 });
    expect(await store.getEntity('', alice)).toBeUndefined();
    expect(await store.getEntity('', 'urn:h1')).toBeUndefined();
    expect(await history(alice)).toEqual([]);
    expect(await history('urn:h1')).toEqual([]);
    expect(await store.getEntity('', bob)).toBeDefined();
    expect(await store.getEntity('', 'urn:h2')).toBeDefined();
    expect(await history('urn:h3')).toEqual([
      [METER, 7],
      [OCCUPANT, bob],
    ]);
    expect(await store.getEntity('', 'urn:l1')).toBeDefined();
    expect(await history('urn:l1')).toHaveLength(1);
  });

  it('deletes the history of a referenced entity whose current state is gone', async () => {
    const carol = 'urn:ngsi-ld:Person:carol';
    await create(carol, PERSON, { [METER]: prop('M-3') }, 0);
    await store.mutate('', [{ id: carol, decide: () => ({ action: 'delete' }) }]);
    expect(await history(carol)).toHaveLength(1);
    expect(await erasure.erase('', { reference: carol }, true)).toEqual({ entities: [carol], instances: 1 });
    expect(await erasure.erase('', { reference: carol }, false)).toEqual({ entities: [carol], instances: 1 });
    expect(await history(carol)).toEqual([]);
  });
});

describe('the subject', () => {
  const bad: Array<[string, unknown]> = [
    ['no member', {}],
    ['two members', { identifier: 'AB-123-CD', pseudonym: 'abcdef0123456789' }],
    ['an empty identifier', { identifier: '' }],
    ['a non-string pseudonym', { pseudonym: 12 }],
    ['a reference that is no URI', { reference: 'AB-123-CD' }],
    ['an overlong identifier', { identifier: 'AB-123-CD'.repeat(200) }],
    ['no object', null],
  ];
  for (const [what, subject] of bad) {
    it(`refuses ${what} with BadRequestData that does not repeat the value`, async () => {
      const error = await erasure.erase('', subject as ErasureSubject, false).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isNgsiError(error) && error.kind).toBe('BadRequestData');
      expect(String((error as Error).message)).not.toContain('AB-123-CD');
    });
  }

  it('needs a governed type with pseudonymised attributes to find anything by identifier', async () => {
    await create('urn:x', `${V}Untyped`, { [PLATE]: prop(await pseudonym('AB-123-CD', 16)) }, 0);
    // Not of a governed type: its current state is not searched (only history instances are erased).
    const report = await erasure.erase('', { identifier: 'AB-123-CD' }, false);
    expect(report).toEqual({ entities: [], instances: 1 });
    expect(await store.getEntity('', 'urn:x')).toBeDefined();
  });
});
