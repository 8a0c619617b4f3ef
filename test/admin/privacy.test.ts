// Privacy by design end to end (issue #4): a governed type defined through the admin API, entities
// written through NGSI-LD and what is stored of them (pseudonym instead of the plate, undeclared
// attribute gone, location coarsened, time rounded), then the erasure of one person's data by the
// identifier, the pseudonym or a reference — entity and history gone, others kept — audited without
// the identifier; and retention run for the addressed tenant only.
import { beforeEach, describe, expect, it } from 'vitest';
import { stampNew } from '../../src/core/entity/operations.js';
import { coarsenGrid } from '../../src/governance/privacy/treatments.js';
import { linkHeader } from '../../src/http/ngsi-ld/negotiation.js';
import { adminClient, oneContext, type Call } from './admin-client.js';

const V = 'https://example.org/vocab/';
const CTX = 'https://contexts.example.org/parking.jsonld';
const TERMS = {
  ParkingSession: `${V}ParkingSession`,
  Household: `${V}Household`,
  Person: `${V}Person`,
  plate: `${V}plate`,
  spot: `${V}spot`,
  startedAt: `${V}startedAt`,
  driverName: `${V}driverName`,
  occupant: `${V}occupant`,
  meter: `${V}meter`,
};
const LINK = linkHeader(CTX);
const PLATE = 'AB-123-CD';
const OTHER_PLATE = 'XY-999-ZZ';

const SESSION_ENTRY = {
  type: 'ParkingSession',
  purpose: 'parking enforcement and occupancy statistics',
  undeclared: 'drop',
  retention: 'P30D',
  attributes: {
    plate: { classification: 'personal', treatment: { kind: 'pseudonymise', length: 16 } },
    spot: { classification: 'public' },
    location: { classification: 'personal', treatment: { kind: 'coarsen', grid: 500 } },
    startedAt: { classification: 'personal', treatment: { kind: 'roundTime', period: 'PT15M' } },
  },
};

const HOUSEHOLD_ENTRY = {
  type: 'Household',
  purpose: 'water billing',
  attributes: { occupant: { classification: 'personal' }, meter: { classification: 'internal' } },
};

const admin = adminClient({ loader: oneContext(CTX, TERMS) }, 'per test');

/** A call to `tenant` with the parking context in a Link header (a key: that key's holder, not the admin). */
const ld = (tenant: string, body?: unknown, key?: string): Call => ({
  tenant,
  headers: { link: LINK },
  body,
  key,
});

async function defineType(entry: object, type: string, tenant = 'north'): Promise<void> {
  const res = await admin.call('PUT', `/admin/governance/${type}`, ld(tenant, entry));
  expect(res.statusCode).toBe(201);
}

async function createEntity(entity: object, tenant = 'north'): Promise<void> {
  const res = await admin.call('POST', '/ngsi-ld/v1/entities', ld(tenant, entity));
  expect(res.statusCode).toBe(201);
}

async function patchAttrs(id: string, attrs: object, tenant = 'north'): Promise<void> {
  const res = await admin.call(
    'PATCH',
    `/ngsi-ld/v1/entities/${encodeURIComponent(id)}/attrs`,
    ld(tenant, attrs),
  );
  expect(res.statusCode).toBe(204);
}

const entity = (id: string, tenant = 'north') =>
  admin.call('GET', `/ngsi-ld/v1/entities/${encodeURIComponent(id)}`, ld(tenant));
// Every instance (observedAt, the default time property, is optional).
const temporal = (id: string, tenant = 'north') =>
  admin.call(
    'GET',
    `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(id)}?timeproperty=createdAt`,
    ld(tenant),
  );
const erase = (body: unknown, tenant = 'north') => admin.call('POST', '/admin/erasure', ld(tenant, body));
const retention = (query: string, tenant = 'north', key?: string) =>
  admin.call('POST', `/admin/retention${query}`, ld(tenant, undefined, key));

/** Everything the audit log holds, as one text. */
async function auditText(): Promise<string> {
  return JSON.stringify(await admin.kit.store.governance.audit.read({ limit: 10_000 }));
}

function session(n: number, plate: string) {
  return {
    id: `urn:ngsi-ld:ParkingSession:${n}`,
    type: 'ParkingSession',
    plate: { type: 'Property', value: plate },
    spot: { type: 'Property', value: `A${n}` },
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [2.351234, 48.856789] } },
    startedAt: { type: 'Property', value: { '@type': 'DateTime', '@value': '2026-03-10T08:07:31Z' } },
    driverName: { type: 'Property', value: 'Jean Dupont' },
  };
}

describe('what is stored of a governed type', () => {
  it('keeps the pseudonym, not the plate; drops the undeclared; coarsens the location; rounds the time', async () => {
    await defineType(SESSION_ENTRY, 'ParkingSession');
    await createEntity(session(1, PLATE));
    const res = await entity('urn:ngsi-ld:ParkingSession:1');
    expect(res.statusCode).toBe(200);
    const stored = res.json();
    expect(stored.plate.value).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(stored)).not.toContain(PLATE);
    expect(stored.driverName).toBeUndefined();
    expect(stored.spot.value).toBe('A1');
    const coarse = coarsenGrid({ type: 'Point', coordinates: [2.351234, 48.856789] }, 500);
    expect(stored.location.value).toEqual(coarse);
    expect(stored.location.value.coordinates).not.toEqual([2.351234, 48.856789]);
    expect(Date.parse(stored.startedAt.value['@value'])).toBe(Date.parse('2026-03-10T08:00:00Z'));
    // The history holds the same treated values.
    const history = (await temporal('urn:ngsi-ld:ParkingSession:1')).json();
    expect(history.plate).toEqual([expect.objectContaining({ value: stored.plate.value })]);
    expect(JSON.stringify(history)).not.toContain(PLATE);
    expect(JSON.stringify(history)).not.toContain('Jean Dupont');
  });
});

describe('POST /admin/erasure', () => {
  beforeEach(async () => {
    await defineType(SESSION_ENTRY, 'ParkingSession');
    await createEntity(session(1, PLATE));
    await patchAttrs('urn:ngsi-ld:ParkingSession:1', { spot: { type: 'Property', value: 'B7' } });
    await createEntity(session(2, OTHER_PLATE));
  });

  it('erases by identifier: the entity and its history go, others stay; audited without the plate', async () => {
    const dry = await erase({ identifier: PLATE, dryRun: true });
    expect(dry.statusCode).toBe(200);
    // The session's history: plate, spot (twice), location, startedAt.
    expect(dry.json()).toEqual({ dryRun: true, entities: ['urn:ngsi-ld:ParkingSession:1'], instances: 5 });
    expect((await entity('urn:ngsi-ld:ParkingSession:1')).statusCode).toBe(200);

    const res = await erase({ identifier: PLATE });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ dryRun: false, entities: ['urn:ngsi-ld:ParkingSession:1'], instances: 5 });
    expect((await entity('urn:ngsi-ld:ParkingSession:1')).statusCode).toBe(404);
    expect((await temporal('urn:ngsi-ld:ParkingSession:1')).statusCode).toBe(404);
    expect((await entity('urn:ngsi-ld:ParkingSession:2')).statusCode).toBe(200);
    expect((await temporal('urn:ngsi-ld:ParkingSession:2')).statusCode).toBe(200);

    const entries = await admin.kit.store.governance.audit.read({ limit: 10_000 });
    const runs = entries.filter((e) => e.action === 'erasure.run');
    expect(runs.map((e) => [e.outcome, e.tenant, e.detail])).toEqual([
      ['success', 'north', { by: 'identifier', dryRun: true, entities: 1, instances: 5 }],
      ['success', 'north', { by: 'identifier', dryRun: false, entities: 1, instances: 5 }],
    ]);
    expect(await auditText()).not.toContain(PLATE);
  });

  it('erases by pseudonym', async () => {
    const pseudonym = (await entity('urn:ngsi-ld:ParkingSession:2')).json().plate.value as string;
    const res = await erase({ pseudonym });
    expect(res.json()).toMatchObject({ entities: ['urn:ngsi-ld:ParkingSession:2'] });
    expect((await entity('urn:ngsi-ld:ParkingSession:2')).statusCode).toBe(404);
    expect((await entity('urn:ngsi-ld:ParkingSession:1')).statusCode).toBe(200);
    expect(await auditText()).not.toContain(pseudonym);
  });

  it('erases by reference: the person and the entities whose personal attributes point to them', async () => {
    await defineType(HOUSEHOLD_ENTRY, 'Household');
    const alice = 'urn:ngsi-ld:Person:alice';
    await createEntity({ id: alice, type: 'Person', meter: { type: 'Property', value: 'M-1' } });
    await createEntity({
      id: 'urn:ngsi-ld:Household:1',
      type: 'Household',
      occupant: { type: 'Relationship', object: alice },
      meter: { type: 'Property', value: 12 },
    });
    await createEntity({
      id: 'urn:ngsi-ld:Household:2',
      type: 'Household',
      occupant: { type: 'Relationship', object: 'urn:ngsi-ld:Person:bob' },
      meter: { type: 'Property', value: 40 },
    });
    const res = await erase({ reference: alice });
    expect(res.statusCode).toBe(200);
    expect(res.json().entities).toEqual(['urn:ngsi-ld:Household:1', alice]);
    expect((await entity(alice)).statusCode).toBe(404);
    expect((await entity('urn:ngsi-ld:Household:1')).statusCode).toBe(404);
    expect((await entity('urn:ngsi-ld:Household:2')).statusCode).toBe(200);
  });

  it('touches only the addressed tenant', async () => {
    await defineType(SESSION_ENTRY, 'ParkingSession', 'south');
    await createEntity(session(1, PLATE), 'south');
    await erase({ identifier: PLATE }, 'north');
    expect((await entity('urn:ngsi-ld:ParkingSession:1', 'north')).statusCode).toBe(404);
    expect((await entity('urn:ngsi-ld:ParkingSession:1', 'south')).statusCode).toBe(200);
  });

  it('refuses a request that does not name exactly one subject, audits the failure, never the value', async () => {
    const two = await erase({ identifier: PLATE, reference: 'urn:ngsi-ld:Person:alice' });
    expect(two.statusCode).toBe(400);
    expect(two.json().detail).not.toContain(PLATE);
    expect((await erase({})).statusCode).toBe(400);
    const unknown = await erase({ plate: PLATE });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().detail).toContain('plate');
    expect((await erase({ identifier: PLATE, dryRun: 'yes' })).statusCode).toBe(400);
    expect((await erase({ identifier: 42 })).statusCode).toBe(400);
    const runs = (await admin.kit.store.governance.audit.read({ limit: 10_000 })).filter(
      (e) => e.action === 'erasure.run',
    );
    expect(runs.map((e) => [e.outcome, e.status])).toEqual(Array(5).fill(['failure', 400]));
    expect(await auditText()).not.toContain(PLATE);
    expect((await entity('urn:ngsi-ld:ParkingSession:1')).statusCode).toBe(200);
  });
});

describe('POST /admin/retention', () => {
  const DAY = 86_400_000;
  const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

  /** A session of `tenant` whose spot history is 60, 40 and 1 day(s) old (written straight to the store). */
  async function oldSession(tenant: string): Promise<void> {
    const id = 'urn:ngsi-ld:ParkingSession:old';
    for (const [i, days] of [60, 40, 1].entries()) {
      const e = stampNew(
        { id, type: [TERMS.ParkingSession], attrs: { [TERMS.spot]: [{ type: 'Property', value: `S${i}` }] } },
        ago(days),
      );
      const [r] = await admin.kit.store.mutate(tenant, [
        { id, decide: () => ({ action: 'put', entity: e }) },
      ]);
      expect(r?.ok).toBe(true);
    }
  }

  async function spots(tenant: string): Promise<unknown[]> {
    const res = await temporal('urn:ngsi-ld:ParkingSession:old', tenant);
    expect(res.statusCode).toBe(200);
    return (res.json().spot as Array<{ value: unknown }>).map((i) => i.value);
  }

  beforeEach(async () => {
    for (const tenant of ['north', 'south']) {
      await defineType(SESSION_ENTRY, 'ParkingSession', tenant);
      await oldSession(tenant);
    }
  });

  it('reports in a dry run, then deletes the history past its retention, in this tenant only', async () => {
    const dry = await retention('?dryRun=true');
    expect(dry.statusCode).toBe(200);
    const report = dry.json();
    expect(report).toMatchObject({ dryRun: true, instances: 2 });
    expect(report.outcomes).toEqual([{ type: 'ParkingSession', before: expect.any(String), instances: 2 }]);
    expect(Date.parse(report.outcomes[0].before)).toBeCloseTo(Date.now() - 30 * DAY, -5);
    expect(await spots('north')).toEqual(['S0', 'S1', 'S2']);

    const real = await retention('');
    expect(real.json()).toMatchObject({ dryRun: false, instances: 2 });
    expect(await spots('north')).toEqual(['S2']);
    expect(await spots('south')).toEqual(['S0', 'S1', 'S2']);

    const runs = (await admin.kit.store.governance.audit.read({ limit: 10_000 })).filter(
      (e) => e.action === 'retention.run',
    );
    expect(runs.map((e) => [e.tenant, e.detail])).toEqual([
      ['north', { dryRun: true, prunes: 1, instances: 2 }],
      ['north', { dryRun: false, prunes: 1, instances: 2 }],
    ]);
  });

  it('refuses other values of dryRun and unknown parameters', async () => {
    expect((await retention('?dryRun=yes')).statusCode).toBe(400);
    expect((await retention('?tenant=south')).statusCode).toBe(400);
    expect(await spots('north')).toEqual(['S0', 'S1', 'S2']);
  });

  it('lets a tenant administrator run its own tenant’s retention, not another’s', async () => {
    const identity = admin.kit.governance.identity;
    await identity.createPrincipal({ tenant: 'north', id: 'ops', kind: 'user', roles: ['admin'] });
    const { secret } = await identity.createKey({ tenant: 'north', principalId: 'ops' });
    expect((await retention('', 'south', secret)).statusCode).toBe(403);
    expect(await spots('south')).toEqual(['S0', 'S1', 'S2']);
    expect((await retention('', 'north', secret)).statusCode).toBe(200);
    expect(await spots('north')).toEqual(['S2']);
  });
});
