/**
 * The device registry over a real (in-memory) SQLite store and EntityService: profiles shown back as
 * written, bulk provisioning with its per-row report, credentials that authenticate until rotated or
 * revoked, Device entities and refDevice links in the context, and tenants kept apart.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EntityService } from '../../context/entities/entity-service.js';
import { systemScope, type Scope } from '../../context/scope.js';
import { forbidden, isNgsiError } from '../../core/errors.js';
import type { Entity } from '../../core/model/entity.js';
import type { Access } from '../../governance/policy/access.js';
import { ContextResolver } from '../../core/jsonld/context-resolver.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { DeviceRegistry } from './registry-service.js';

const DC = 'https://uri.etsi.org/ngsi-ld/default-context/';
const AQ = 'https://smartdatamodels.org/dataModel.Environment/AirQualityObserved';
const A = systemScope('city-a');
const B = systemScope('city-b');

const profileDoc = () => ({
  '@context': { AirQualityObserved: AQ },
  id: 'aq',
  description: 'PM sensor',
  transport: 'mqtt',
  codec: { kind: 'json' },
  entityType: 'AirQualityObserved',
  mapping: { pm25: { attribute: 'pm25', unitCode: 'GQ' } },
  reportingInterval: 'PT5M',
});

let store: SqliteStore;
let registry: DeviceRegistry;
let tick = 0;

beforeEach(async () => {
  store = openSqliteStore({ path: ':memory:' });
  await store.migrate();
  tick = 0;
  const now = () => new Date(Date.UTC(2026, 0, 1) + tick++ * 1000).toISOString();
  const contexts = new ContextResolver({
    load: async (url: string) => {
      throw new Error(`offline test: ${url}`);
    },
  });
  registry = new DeviceRegistry({ store, entities: new EntityService({ store, now }), contexts, now });
});

afterEach(async () => {
  await store.close();
});

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isNgsiError(e)) return `${e.kind}: ${e.detail}`;
    throw e;
  }
  throw new Error('accepted');
}

describe('profiles', () => {
  it('stores the normalised profile and shows the document back as written', async () => {
    const doc = profileDoc();
    const entry = await registry.putProfile(A, doc);
    expect(entry.profile.entityType).toBe(AQ);
    expect(entry.profile.offlineAfterMs).toBe(15 * 60_000);

    const shown = await registry.profileEntry('city-a', 'aq');
    expect(shown?.raw).toEqual(profileDoc());
    expect(shown?.profile).toEqual(entry.profile);
    expect((await registry.getProfile('city-a', 'aq'))?.mapping).toEqual([
      { field: 'pm25', attribute: `${DC}pm25`, type: 'Property', unitCode: 'GQ' },
    ]);
    expect((await registry.listProfiles('city-a')).map((p) => p.id)).toEqual(['aq']);
  });

  it('a put replaces the cached profile and keeps createdAt; a delete forgets it', async () => {
    const first = await registry.putProfile(A, profileDoc());
    expect((await registry.getProfile('city-a', 'aq'))?.maxMessagesPerMinute).toBe(600);
    const second = await registry.putProfile(A, { ...profileDoc(), maxMessagesPerMinute: 60 });
    expect(second.createdAt).toBe(first.createdAt);
    expect(second.updatedAt > first.updatedAt).toBe(true);
    expect((await registry.getProfile('city-a', 'aq'))?.maxMessagesPerMinute).toBe(60);

    expect(await registry.deleteProfile(A, 'aq')).toBe(true);
    expect(await registry.getProfile('city-a', 'aq')).toBeUndefined();
    expect(await registry.deleteProfile(A, 'aq')).toBe(false);
  });

  it('refuses a bad document naming the member, and deleting a profile in use', async () => {
    expect(await refusal(registry.putProfile(A, { ...profileDoc(), colour: 'red' }))).toBe(
      'BadRequestData: profile: unknown member colour',
    );
    await registry.putProfile(A, profileDoc());
    await registry.createDevices(A, [{ id: 'd1', profile: 'aq' }], { credentials: 'none' });
    expect(await refusal(registry.deleteProfile(A, 'aq'))).toMatch(/^BadRequestData: .*used by 1 device/);
    expect(await registry.getProfile('city-a', 'aq')).toBeDefined();
  });
});

describe('bulk provisioning', () => {
  it('creates 2,000 devices at once with an exact report of the bad rows', async () => {
    await registry.putProfile(A, profileDoc());
    await registry.createDevices(A, [{ id: 's-1999', profile: 'aq' }], { credentials: 'none' });

    const input: unknown[] = Array.from({ length: 2000 }, (_, i) => ({ id: `s-${i}`, profile: 'aq' }));
    input[100] = { id: 'bad id', profile: 'aq' };
    input[200] = { id: 'x-200', profile: 'missing' };
    input[300] = { id: 's-0', profile: 'aq' };
    input[400] = 'not an object';
    input[500] = { id: 's-500', profile: 'aq', colour: 'red' };
    const report = await registry.createDevices(A, input);

    expect(report.failed).toEqual([
      { row: 100, id: 'bad id', error: 'device.id must be 1–128 letters, digits, _ . : or -' },
      { row: 200, id: 'x-200', error: 'device.profile: no profile missing in this tenant' },
      { row: 300, id: 's-0', error: 'device s-0 is already on row 0' },
      { row: 400, error: 'a device must be a JSON object' },
      { row: 500, id: 's-500', error: 'device: unknown member colour' },
      { row: 1999, id: 's-1999', error: 'device "s-1999" already exists' },
    ]);
    expect(report.created).toHaveLength(1994);
    expect(report.created[0]?.id).toBe('s-0');
    expect(new Set(report.created.map((c) => c.credential?.secret)).size).toBe(1994);

    for (const c of report.created) {
      const who = await registry.authenticateToken(c.credential?.secret as string);
      expect(who?.tenant).toBe('city-a');
      expect(who?.device.id).toBe(c.id);
      expect(who?.profile.id).toBe('aq');
    }
    expect((await registry.listDevices('city-a', 5, 0)).count).toBe(1995);

    const device = await store.getEntity('city-a', 'urn:ngsi-ld:Device:s-42');
    expect(device?.type).toEqual([`${DC}Device`]);
    expect(device?.attrs[`${DC}serialNumber`]?.[0]?.value).toBe('s-42');
    expect(device?.attrs[`${DC}deviceCategory`]?.[0]?.value).toBe('mqtt');
    expect(device?.attrs[`${DC}profile`]?.[0]?.value).toBe('aq');
    const fed = await store.getEntity('city-a', 'urn:ngsi-ld:AirQualityObserved:s-42');
    expect(fed?.type).toEqual([AQ]);
    expect(fed?.attrs[`${DC}refDevice`]?.[0]).toMatchObject({
      type: 'Relationship',
      value: 'urn:ngsi-ld:Device:s-42',
    });
    // Refused rows left nothing behind.
    expect(await store.getEntity('city-a', 'urn:ngsi-ld:Device:x-200')).toBeUndefined();
    expect(await registry.getDevice('city-a', 'x-200')).toBeUndefined();
  });

  it('stores only hashes, and lists credentials without them', async () => {
    await registry.putProfile(A, profileDoc());
    const { created } = await registry.createDevices(A, [{ id: 'd1', profile: 'aq' }]);
    const secret = created[0]?.credential?.secret as string;
    const [stored] = await store.devices.listCredentials('city-a', 'd1');
    expect(stored?.hash).not.toContain(secret);
    const listed = await registry.listCredentials('city-a', 'd1');
    expect(listed).toHaveLength(1);
    expect(listed[0]).not.toHaveProperty('hash');
    expect(listed[0]).toMatchObject({ kind: 'token', prefix: secret.slice(0, 12), deviceId: 'd1' });
  });

  it('reads CSV, reporting bad lines, and issues passwords that authenticate', async () => {
    await registry.putProfile(A, profileDoc());
    const csv = [
      'id,profile,entityId,description',
      'p1,aq,urn:ngsi-ld:AirQualityObserved:station-7,"North gate, pole 3"',
      'p2,aq,,',
      'p3,aq,not an iri,',
      'p1,aq,,',
      'p4,nope,,',
    ].join('\r\n');
    const report = await registry.createDevices(A, csv, { credentials: 'password' });
    expect(report.failed).toEqual([
      // Form errors come from the CSV reader, which reports the line only.
      {
        line: 4,
        error: expect.stringMatching(/^device\.entityId must be an absolute IRI/) as unknown as string,
      },
      { line: 5, error: 'device p1 is already on line 2' },
      { line: 6, id: 'p4', error: 'device.profile: no profile nope in this tenant' },
    ]);
    expect(report.created.map((c) => c.id)).toEqual(['p1', 'p2']);
    const p1 = report.created[0]?.credential;
    expect(p1?.username).toBe('p1');
    expect(p1?.secret).toBeUndefined();

    expect((await registry.authenticatePassword('city-a', 'p1', p1?.password as string))?.device.id).toBe(
      'p1',
    );
    expect(await registry.authenticatePassword('city-a', 'p1', 'wrong')).toBeUndefined();
    expect(await registry.authenticatePassword('city-a', 'nobody', 'x')).toBeUndefined();

    const station = await store.getEntity('city-a', 'urn:ngsi-ld:AirQualityObserved:station-7');
    expect(station?.attrs[`${DC}refDevice`]?.[0]?.value).toBe('urn:ngsi-ld:Device:p1');
    const device = await store.getEntity('city-a', 'urn:ngsi-ld:Device:p1');
    // The core context maps description to Dublin Core.
    expect(device?.attrs['http://purl.org/dc/terms/description']?.[0]?.value).toBe('North gate, pole 3');
  });

  it('refuses input that is neither an array nor CSV, and an unreadable CSV header', async () => {
    expect(await refusal(registry.createDevices(A, { id: 'x' } as unknown as unknown[]))).toMatch(
      /^BadRequestData: devices must be/,
    );
    expect(await refusal(registry.createDevices(A, 'name,profile\nx,aq'))).toMatch(/unknown column "name"/);
    expect(await refusal(registry.createDevices(A, [], { credentials: 'shared' as unknown as 'none' }))).toBe(
      'BadRequestData: credentials must be token, password or none',
    );
  });
});

describe('credentials', () => {
  beforeEach(async () => {
    await registry.putProfile(A, profileDoc());
    await registry.createDevices(A, [{ id: 'd1', profile: 'aq' }], { credentials: 'none' });
  });

  it('rotating a token refuses the old secret and accepts the new one', async () => {
    const old = await registry.createCredential('city-a', 'd1', 'token');
    expect((await registry.authenticateToken(old.secret as string))?.device.id).toBe('d1');
    const fresh = await registry.rotateCredential('city-a', 'd1', old.id);
    expect(fresh.id).not.toBe(old.id);
    expect(await registry.authenticateToken(old.secret as string)).toBeUndefined();
    expect((await registry.authenticateToken(fresh.secret as string))?.device.id).toBe('d1');
    const listed = await registry.listCredentials('city-a', 'd1');
    expect(listed.find((c) => c.id === old.id)?.revokedAt).toBeDefined();
    expect(await refusal(registry.rotateCredential('city-a', 'd1', old.id))).toMatch(/^ResourceNotFound/);
  });

  it('rotating a password issues a new username and refuses the old pair', async () => {
    const old = await registry.createCredential('city-a', 'd1', 'password');
    const fresh = await registry.rotateCredential('city-a', 'd1', old.id);
    expect(fresh.username).not.toBe(old.username);
    expect(
      await registry.authenticatePassword('city-a', old.username as string, old.password as string),
    ).toBe(undefined);
    expect(
      (await registry.authenticatePassword('city-a', fresh.username as string, fresh.password as string))
        ?.device.id,
    ).toBe('d1');
  });

  it('a revoked credential, a disabled device and a stranger token are refused', async () => {
    const c = await registry.createCredential('city-a', 'd1', 'token');
    const other = await registry.createCredential('city-a', 'd1', 'token');
    expect(await registry.revokeCredential('city-a', 'd1', c.id)).toBe(true);
    expect(await registry.revokeCredential('city-a', 'd1', c.id)).toBe(false);
    expect(await registry.revokeCredential('city-a', 'd1', 'dc_unknown')).toBe(false);
    expect(await registry.authenticateToken(c.secret as string)).toBeUndefined();
    expect(await registry.authenticateToken(`${c.secret as string}x`)).toBeUndefined();
    expect(await registry.authenticateToken('dev_' + 'A'.repeat(500))).toBeUndefined();

    const device = await registry.getDevice('city-a', 'd1');
    await store.devices.putDevice({ ...device!, disabled: true });
    expect(await registry.authenticateToken(other.secret as string)).toBeUndefined();
  });

  it('issues no credential to an unknown device', async () => {
    expect(await refusal(registry.createCredential('city-a', 'ghost', 'token'))).toBe(
      'ResourceNotFound: device ghost not found',
    );
  });

  it('deleting a device removes its Device entity and its credentials', async () => {
    const c = await registry.createCredential('city-a', 'd1', 'token');
    expect(await store.getEntity('city-a', 'urn:ngsi-ld:Device:d1')).toBeDefined();
    expect(await registry.deleteDevice(A, 'd1')).toBe(true);
    expect(await store.getEntity('city-a', 'urn:ngsi-ld:Device:d1')).toBeUndefined();
    expect(await registry.getDevice('city-a', 'd1')).toBeUndefined();
    expect(await store.devices.listCredentials('city-a', 'd1')).toEqual([]);
    expect(await registry.authenticateToken(c.secret as string)).toBeUndefined();
    expect(await registry.deleteDevice(A, 'd1')).toBe(false);
  });
});

/**
 * A caller who may command (Device entities need it) and whose write rules (checkChange is what
 * writes consult) refuse entities whose id ends in -no.
 */
function refusingScope(tenant: string): Scope {
  const checkChange = (before: Entity | undefined, after: Entity | undefined) =>
    (after ?? before)?.id.endsWith('-no') ? forbidden('not allowed to write this entity') : undefined;
  return { tenant, access: { checkChange, may: () => true } as unknown as Access };
}

describe("the caller's access rules", () => {
  it('take back a device whose entities the caller may not write, leaving nothing behind', async () => {
    await registry.putProfile(A, profileDoc());
    const scope = refusingScope('city-a');
    const report = await registry.createDevices(scope, [
      { id: 'ok-1', profile: 'aq' },
      { id: 'fed-1', profile: 'aq', entityId: 'urn:ngsi-ld:AirQualityObserved:x-no' },
    ]);
    expect(report.failed).toEqual([{ row: 1, id: 'fed-1', error: 'not allowed to write this entity' }]);
    expect(report.created.map((c) => c.id)).toEqual(['ok-1']);
    expect(await registry.getDevice('city-a', 'fed-1')).toBeUndefined();
    expect(await store.getEntity('city-a', 'urn:ngsi-ld:Device:fed-1')).toBeUndefined();
    expect(await store.getEntity('city-a', 'urn:ngsi-ld:Device:ok-1')).toBeDefined();
  });

  it('keep a device whole when the caller may not delete its Device entity', async () => {
    await registry.putProfile(A, profileDoc());
    await registry.createDevices(A, [{ id: 'd-no', profile: 'aq' }], { credentials: 'none' });
    expect(await refusal(registry.deleteDevice(refusingScope('city-a'), 'd-no'))).toBe(
      'Forbidden: not allowed to write this entity',
    );
    expect(await registry.getDevice('city-a', 'd-no')).toBeDefined();
    expect(await store.getEntity('city-a', 'urn:ngsi-ld:Device:d-no')).toBeDefined();
  });
});

describe('tenants', () => {
  it('keeps profiles, devices, entities and credentials apart', async () => {
    await registry.putProfile(A, profileDoc());
    expect(await registry.getProfile('city-b', 'aq')).toBeUndefined();
    expect(await registry.listProfiles('city-b')).toEqual([]);

    const inB = await registry.createDevices(B, [{ id: 'd1', profile: 'aq' }]);
    expect(inB.failed).toEqual([{ row: 0, id: 'd1', error: 'device.profile: no profile aq in this tenant' }]);

    const { created } = await registry.createDevices(A, [{ id: 'd1', profile: 'aq' }], {
      credentials: 'password',
    });
    const cred = created[0]?.credential;
    expect(await registry.getDevice('city-b', 'd1')).toBeUndefined();
    expect((await registry.listDevices('city-b', 10, 0)).count).toBe(0);
    expect(await store.getEntity('city-b', 'urn:ngsi-ld:Device:d1')).toBeUndefined();
    expect(await registry.authenticatePassword('city-b', 'd1', cred?.password as string)).toBeUndefined();
    expect((await registry.authenticatePassword('city-a', 'd1', cred?.password as string))?.tenant).toBe(
      'city-a',
    );
    expect(await registry.deleteDevice(B, 'd1')).toBe(false);
    expect(await registry.getDevice('city-a', 'd1')).toBeDefined();
    expect(await registry.listCredentials('city-b', 'd1')).toEqual([]);
  });
});
