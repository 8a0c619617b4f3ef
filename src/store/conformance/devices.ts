/**
 * Conformance: the device registry and device health (DeviceRepository, issue #5) — profiles that
 * cannot be deleted while in use, devices created in bulk where each row fails alone, credentials
 * found by token hash or by (tenant, username) and revoked once, comebacks reported by recordSeen,
 * and the offline sweep taking only the online devices that are due, at most `limit` of them.
 * Every lookup is checked against another tenant holding the same ids.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NgsiError } from '../../core/errors.js';
import type {
  DeviceCredentialRecord,
  DeviceProfileRecord,
  DeviceRecord,
  DeviceRepository,
} from '../devices-port.js';
import type { Store } from '../port.js';
import { rejectsWith, type MakeStore } from './fixtures.js';

const A = 'urn:t:a';
const B = 'urn:t:b';
const T0 = '2026-01-01T00:00:00.000Z';

/** `T0` plus `s` seconds, as ISO. */
const at = (s: number): string => new Date(Date.parse(T0) + s * 1000).toISOString();

const profile = (id: string, extra: Partial<DeviceProfileRecord> = {}): DeviceProfileRecord => ({
  tenant: A,
  id,
  document: { id, transport: 'mqtt', codec: { kind: 'json' }, offlineAfter: 'PT15M' },
  createdAt: T0,
  updatedAt: T0,
  ...extra,
});

const device = (id: string, extra: Partial<DeviceRecord> = {}): DeviceRecord => ({
  tenant: A,
  id,
  profileId: 'aq',
  entityId: `urn:ngsi-ld:AirQualityObserved:${id}`,
  deviceEntityId: `urn:ngsi-ld:Device:${id}`,
  disabled: false,
  createdAt: T0,
  ...extra,
});

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

const token = (id: string, extra: Partial<DeviceCredentialRecord> = {}): DeviceCredentialRecord => ({
  id,
  tenant: A,
  deviceId: 'd1',
  kind: 'token',
  hash: sha(`token-${id}`),
  prefix: `udt_${id}`,
  createdAt: T0,
  ...extra,
});

const password = (
  id: string,
  username: string,
  extra: Partial<DeviceCredentialRecord> = {},
): DeviceCredentialRecord => ({
  id,
  tenant: A,
  deviceId: 'd1',
  kind: 'password',
  username,
  hash: `scrypt$16384$8$1$c2FsdA$${sha(`pw-${id}`)}`,
  createdAt: T0,
  ...extra,
});

/** A recordSeen update: seen at `s` seconds, offline 60 s later unless told. */
const seen = (deviceId: string, s: number, extra: { tenant?: string; offlineAfter?: number } = {}) => ({
  tenant: extra.tenant ?? A,
  deviceId,
  at: at(s),
  offlineAt: at(s + (extra.offlineAfter ?? 60)),
});

/** The error a promise rejects with (an NgsiError), to check its kind and message. */
async function rejection(p: Promise<unknown>): Promise<NgsiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof NgsiError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

/** Register the device repository tests for a store factory. */
export function describeDevices(makeStore: MakeStore): void {
  describe('devices', () => {
    let store: Store;
    let dev: DeviceRepository;
    beforeEach(async () => {
      store = await makeStore();
      dev = store.devices;
    });
    afterEach(async () => {
      await store.close();
    });

    /** Profile `aq` in tenants A and B, and devices of A (and B when asked). */
    async function provision(ids: string[], tenants: string[] = [A]): Promise<void> {
      for (const tenant of tenants) {
        await dev.putProfile(profile('aq', { tenant }));
        for (const id of ids) await dev.putDevice(device(id, { tenant }));
      }
    }

    describe('profiles', () => {
      it('creates, reads, replaces and lists profiles per tenant, ordered by id', async () => {
        expect(await dev.getProfile(A, 'aq')).toBeUndefined();
        expect(await dev.listProfiles(A)).toEqual([]);
        await dev.putProfile(profile('noise'));
        await dev.putProfile(profile('aq'));
        await dev.putProfile(profile('aq', { tenant: B, document: { other: true } }));
        expect(await dev.getProfile(A, 'aq')).toEqual(profile('aq'));
        expect((await dev.listProfiles(A)).map((p) => p.id)).toEqual(['aq', 'noise']);
        expect(await dev.listProfiles(B)).toEqual([profile('aq', { tenant: B, document: { other: true } })]);
        // Replaced whole, the document kept as JSON (nested, with numbers and nulls).
        const document = { id: 'aq', mapping: { pm25: { attribute: 'pm25', scale: 0.1 } }, battery: null };
        await dev.putProfile(profile('aq', { document, updatedAt: at(10) }));
        expect(await dev.getProfile(A, 'aq')).toEqual(profile('aq', { document, updatedAt: at(10) }));
        expect(await dev.listProfiles(A)).toHaveLength(2);
        expect(await dev.getProfile(B, 'noise')).toBeUndefined();
      });

      it('refuses to delete a profile while devices of its tenant use it', async () => {
        await provision(['d1', 'd2']);
        await dev.putProfile(profile('aq', { tenant: B }));
        const refused = await rejection(dev.deleteProfile(A, 'aq'));
        expect(refused.kind).toBe('BadRequestData');
        expect(refused.message).toContain('"aq"');
        expect(refused.message).toContain('2 devices');
        expect(await dev.getProfile(A, 'aq')).toBeDefined();
        // B's profile of the same id has no device: it goes.
        expect(await dev.deleteProfile(B, 'aq')).toBe(true);
        expect(await dev.getProfile(B, 'aq')).toBeUndefined();
        expect(await dev.deleteDevice(A, 'd1')).toBe(true);
        expect(await rejectsWith(dev.deleteProfile(A, 'aq'))).toBe('BadRequestData');
        expect(await dev.deleteDevice(A, 'd2')).toBe(true);
        expect(await dev.deleteProfile(A, 'aq')).toBe(true);
        expect(await dev.deleteProfile(A, 'aq')).toBe(false);
        expect(await dev.deleteProfile(A, 'nothing')).toBe(false);
      });
    });

    describe('devices', () => {
      it('creates, reads and replaces a device; its profile must exist in its tenant', async () => {
        await dev.putProfile(profile('aq'));
        await dev.putProfile(profile('noise'));
        const full = device('d1', { description: 'Main St. sensor', disabled: true });
        await dev.putDevice(full);
        expect(await dev.getDevice(A, 'd1')).toEqual(full);
        expect(await dev.getDevice(B, 'd1')).toBeUndefined();
        expect(await dev.getDevice(A, 'd2')).toBeUndefined();
        await dev.putDevice(device('d1', { profileId: 'noise' }));
        expect(await dev.getDevice(A, 'd1')).toEqual(device('d1', { profileId: 'noise' }));
        // A profile of another tenant is not this tenant's.
        const unknown = await rejection(dev.putDevice(device('d9', { tenant: B })));
        expect(unknown.kind).toBe('BadRequestData');
        expect(unknown.message).toContain('unknown device profile "aq"');
        expect(await dev.getDevice(B, 'd9')).toBeUndefined();
      });

      it('lists a page of the tenant devices ordered by id, with the total', async () => {
        await provision(['d3', 'd1', 'd5', 'd2', 'd4']);
        await provision(['x1'], [B]);
        const page = await dev.listDevices(A, 2, 1);
        expect(page.count).toBe(5);
        expect(page.items.map((d) => d.id)).toEqual(['d2', 'd3']);
        expect(page.items[0]).toEqual(device('d2'));
        expect((await dev.listDevices(A, 10, 0)).items.map((d) => d.id)).toEqual([
          'd1',
          'd2',
          'd3',
          'd4',
          'd5',
        ]);
        expect(await dev.listDevices(A, 10, 5)).toEqual({ items: [], count: 5 });
        expect(await dev.listDevices(B, 10, 0)).toEqual({ items: [device('x1', { tenant: B })], count: 1 });
        expect(await dev.listDevices('urn:t:none', 10, 0)).toEqual({ items: [], count: 0 });
        expect(await rejectsWith(dev.listDevices(A, -1, 0))).toBe('BadRequestData');
        expect(await rejectsWith(dev.listDevices(A, 10, 0.5))).toBe('BadRequestData');
      });

      it('deletes a device with its credentials and its state, and only its own', async () => {
        await provision(['d1', 'd2'], [A, B]);
        await dev.putCredential(token('c1'));
        await dev.putCredential(password('c2', 'meter-1'));
        await dev.putCredential(token('c3', { deviceId: 'd2' }));
        await dev.putCredential(token('c4', { tenant: B }));
        await dev.recordSeen([seen('d1', 0), seen('d2', 0), seen('d1', 0, { tenant: B })]);
        expect(await dev.deleteDevice(A, 'd1')).toBe(true);
        expect(await dev.getDevice(A, 'd1')).toBeUndefined();
        expect(await dev.listCredentials(A, 'd1')).toEqual([]);
        expect(await dev.credentialByTokenHash(token('c1').hash)).toBeUndefined();
        expect(await dev.credentialByUsername(A, 'meter-1')).toBeUndefined();
        expect(await dev.getState(A, 'd1')).toBeUndefined();
        // The device's sweep entry went with its state.
        expect(await dev.markOffline(at(3600), 100)).toEqual([
          { tenant: A, deviceId: 'd2', lastSeen: at(0) },
          { tenant: B, deviceId: 'd1', lastSeen: at(0) },
        ]);
        expect(await dev.credentialByTokenHash(token('c3').hash)).toEqual(token('c3', { deviceId: 'd2' }));
        expect(await dev.credentialByTokenHash(token('c4').hash)).toEqual(token('c4', { tenant: B }));
        expect((await dev.getState(B, 'd1'))?.lastSeen).toBe(at(0));
        expect(await dev.deleteDevice(A, 'd1')).toBe(false);
        // Created again, it starts with no credential and no state.
        await dev.putDevice(device('d1'));
        expect(await dev.listCredentials(A, 'd1')).toEqual([]);
        expect(await dev.getState(A, 'd1')).toEqual({ tenant: A, deviceId: 'd1', online: false });
      });

      it('creates 5,000 devices in one call, each failing row alone, results in input order', async () => {
        await dev.putProfile(profile('aq'));
        await dev.putProfile(profile('noise', { tenant: B }));
        await dev.putDevice(device('d00007'));
        const input = Array.from({ length: 5000 }, (_, i) => device(`d${String(i).padStart(5, '0')}`));
        input[42] = device('d00042', { profileId: 'missing' });
        // A profile that exists only in another tenant.
        input[1000] = device('d01000', { profileId: 'noise' });
        input[4999] = device('d00010'); // given twice in the same call: the second fails
        const results = await dev.createDevices(input);
        expect(results).toHaveLength(5000);
        expect(results.map((r) => r.id)).toEqual(input.map((d) => d.id));
        const failed = results.flatMap((r, i) => (r.ok ? [] : [{ i, id: r.id, error: r.error }]));
        expect(failed).toEqual([
          { i: 7, id: 'd00007', error: expect.stringContaining('already exists') as unknown },
          {
            i: 42,
            id: 'd00042',
            error: expect.stringContaining('unknown device profile "missing"') as unknown,
          },
          {
            i: 1000,
            id: 'd01000',
            error: expect.stringContaining('unknown device profile "noise"') as unknown,
          },
          { i: 4999, id: 'd00010', error: expect.stringContaining('already exists') as unknown },
        ]);
        for (const f of failed) expect(f.error).toContain(`"${f.id}"`);
        expect((await dev.listDevices(A, 1, 0)).count).toBe(4997);
        expect(await dev.getDevice(A, 'd00042')).toBeUndefined();
        expect(await dev.getDevice(A, 'd01000')).toBeUndefined();
        expect(await dev.getDevice(A, 'd04998')).toEqual(device('d04998'));
        expect(await dev.listDevices(B, 10, 0)).toEqual({ items: [], count: 0 });
        // The same ids in another tenant are other devices.
        expect(await dev.createDevices([device('d00007', { tenant: B, profileId: 'noise' })])).toEqual([
          { id: 'd00007', ok: true },
        ]);
        expect(await dev.createDevices([])).toEqual([]);
      });
    });

    describe('credentials', () => {
      it('finds a token by its hash, a password by (tenant, username), revoked or not', async () => {
        await provision(['d1', 'd2'], [A, B]);
        const t = token('c1');
        const p = password('c2', 'meter-1', { revokedAt: at(5) });
        await dev.putCredential(t);
        await dev.putCredential(p);
        await dev.putCredential(password('c3', 'meter-1', { tenant: B }));
        expect(await dev.credentialByTokenHash(t.hash)).toEqual(t);
        expect(await dev.credentialByTokenHash(sha('other'))).toBeUndefined();
        // A password's hash is not a token.
        expect(await dev.credentialByTokenHash(p.hash)).toBeUndefined();
        expect(await dev.credentialByUsername(A, 'meter-1')).toEqual(p);
        expect(await dev.credentialByUsername(B, 'meter-1')).toEqual(
          password('c3', 'meter-1', { tenant: B }),
        );
        expect(await dev.credentialByUsername(A, 'meter-2')).toBeUndefined();
        expect(await dev.credentialByUsername('urn:t:none', 'meter-1')).toBeUndefined();
      });

      it('refuses a second credential with the same id, token hash or username in a tenant', async () => {
        await provision(['d1', 'd2']);
        await dev.putCredential(token('c1'));
        await dev.putCredential(password('c2', 'meter-1'));
        const clash = await rejection(dev.putCredential(token('c9', { hash: token('c1').hash })));
        expect(clash.kind).toBe('AlreadyExists');
        expect(clash.message).toContain('"c9"');
        expect(await rejectsWith(dev.putCredential(token('c1', { hash: sha('fresh') })))).toBe(
          'AlreadyExists',
        );
        expect(await rejectsWith(dev.putCredential(password('c8', 'meter-1', { deviceId: 'd2' })))).toBe(
          'AlreadyExists',
        );
        expect(await dev.listCredentials(A, 'd2')).toEqual([]);
        // Two password credentials may share a hash string (the username tells them apart).
        await dev.putCredential(password('c7', 'meter-7', { hash: password('c2', 'meter-1').hash }));
        expect((await dev.credentialByUsername(A, 'meter-7'))?.id).toBe('c7');
      });

      it('refuses a credential of an unknown device or whose members contradict its kind', async () => {
        await provision(['d1']);
        const unknown = await rejection(dev.putCredential(token('c1', { deviceId: 'ghost' })));
        expect(unknown.kind).toBe('BadRequestData');
        expect(unknown.message).toContain('unknown device "ghost"');
        expect(await rejectsWith(dev.putCredential(token('c1', { tenant: B })))).toBe('BadRequestData');
        const { username: _u, ...noUser } = password('c2', 'x');
        const missing = await rejection(dev.putCredential(noUser));
        expect(missing.kind).toBe('BadRequestData');
        expect(missing.message).toContain('username');
        expect(await rejectsWith(dev.putCredential(token('c3', { username: 'u' })))).toBe('BadRequestData');
        expect(await dev.listCredentials(A, 'd1')).toEqual([]);
      });

      it('lists a device credentials by createdAt then id, and revokes a credential once', async () => {
        await provision(['d1', 'd2'], [A, B]);
        await dev.putCredential(token('c3', { createdAt: at(2) }));
        await dev.putCredential(password('c2', 'u2', { createdAt: at(1) }));
        await dev.putCredential(token('c1', { createdAt: at(2) }));
        await dev.putCredential(token('c4', { deviceId: 'd2' }));
        await dev.putCredential(token('c5', { tenant: B }));
        expect((await dev.listCredentials(A, 'd1')).map((c) => c.id)).toEqual(['c2', 'c1', 'c3']);
        expect((await dev.listCredentials(B, 'd1')).map((c) => c.id)).toEqual(['c5']);
        expect(await dev.listCredentials(A, 'd9')).toEqual([]);
        expect(await dev.revokeCredential('c1', at(10))).toBe(true);
        expect(await dev.revokeCredential('c1', at(11))).toBe(false);
        expect(await dev.revokeCredential('nothing', at(11))).toBe(false);
        expect(await dev.credentialByTokenHash(token('c1').hash)).toEqual(
          token('c1', { createdAt: at(2), revokedAt: at(10) }),
        );
        expect((await dev.credentialByTokenHash(token('c3').hash))?.revokedAt).toBeUndefined();
      });
    });

    describe('state', () => {
      it('knows no state for an unknown device, and an offline, never-seen state for a new one', async () => {
        await provision(['d1']);
        expect(await dev.getState(A, 'd1')).toEqual({ tenant: A, deviceId: 'd1', online: false });
        expect(await dev.getState(A, 'ghost')).toBeUndefined();
        expect(await dev.getState(B, 'd1')).toBeUndefined();
      });

      it('records seen devices and reports those that come back online, once', async () => {
        await provision(['d1', 'd2', 'd3'], [A, B]);
        // d1 twice in one batch: one comeback. An unknown device is ignored.
        expect(
          await dev.recordSeen([
            { ...seen('d1', 0), battery: 80, rssi: -97, snr: 7.5 },
            seen('d1', 1),
            seen('d2', 1, { tenant: B }),
            seen('ghost', 1),
          ]),
        ).toEqual([
          { tenant: A, deviceId: 'd1' },
          { tenant: B, deviceId: 'd2' },
        ]);
        expect(await dev.getState(A, 'd1')).toEqual({
          tenant: A,
          deviceId: 'd1',
          online: true,
          lastSeen: at(1),
          offlineAt: at(61),
          battery: 80,
          rssi: -97,
          snr: 7.5,
        });
        expect(await dev.getState(A, 'ghost')).toBeUndefined();
        expect((await dev.getState(A, 'd2'))?.online).toBe(false);
        // Still online: no comeback; battery kept when not given, signal replaced when given.
        expect(await dev.recordSeen([{ ...seen('d1', 30), rssi: -90 }, seen('d3', 30)])).toEqual([
          { tenant: A, deviceId: 'd3' },
        ]);
        expect(await dev.getState(A, 'd1')).toMatchObject({
          battery: 80,
          rssi: -90,
          snr: 7.5,
          lastSeen: at(30),
        });
        // Gone offline, then seen again: a comeback.
        expect(await dev.markOffline(at(200), 10)).toHaveLength(3);
        expect((await dev.getState(A, 'd1'))?.online).toBe(false);
        expect(await dev.recordSeen([seen('d1', 300)])).toEqual([{ tenant: A, deviceId: 'd1' }]);
        expect(await dev.getState(A, 'd1')).toMatchObject({ online: true, lastSeen: at(300) });
        expect(await dev.recordSeen([])).toEqual([]);
      });

      it('refuses a malformed batch whole, writing nothing', async () => {
        await provision(['d1', 'd2']);
        const cases = [
          [seen('d1', 0), { ...seen('d2', 0), battery: 140 }],
          [seen('d1', 0), { ...seen('d2', 0), at: 'yesterday' }],
          [seen('d1', 0), { ...seen('d2', 0), offlineAt: '' }],
          [seen('d1', 0), { ...seen('d2', 0), rssi: Number.NaN }],
        ];
        for (const batch of cases) {
          expect(await rejectsWith(dev.recordSeen(batch))).toBe('BadRequestData');
        }
        expect(await dev.getState(A, 'd1')).toEqual({ tenant: A, deviceId: 'd1', online: false });
        expect(await rejectsWith(dev.markOffline('soon', 10))).toBe('BadRequestData');
        expect(await rejectsWith(dev.markOffline(at(0), -1))).toBe('BadRequestData');
        expect(await rejectsWith(dev.recordError(A, 'd1', 'bad', 'never'))).toBe('BadRequestData');
      });

      it('records the last error without changing whether the device is online', async () => {
        await provision(['d1', 'd2']);
        await dev.recordError(A, 'd2', 'malformed payload', at(1));
        expect(await dev.getState(A, 'd2')).toEqual({
          tenant: A,
          deviceId: 'd2',
          online: false,
          lastError: 'malformed payload',
          lastErrorAt: at(1),
        });
        await dev.recordSeen([seen('d1', 0)]);
        await dev.recordError(A, 'd1', 'rate limit exceeded', at(2));
        await dev.recordError(A, 'd1', 'unknown field', at(3));
        expect(await dev.getState(A, 'd1')).toMatchObject({
          online: true,
          lastSeen: at(0),
          lastError: 'unknown field',
          lastErrorAt: at(3),
        });
        // Seen again: the last error stays until the next one.
        await dev.recordSeen([seen('d1', 5)]);
        expect((await dev.getState(A, 'd1'))?.lastError).toBe('unknown field');
        // No state for a device that does not exist.
        await dev.recordError(A, 'ghost', 'unknown device', at(4));
        expect(await dev.getState(A, 'ghost')).toBeUndefined();
      });

      it('marks offline only the online devices that are due, earliest first, at most limit', async () => {
        await provision(['d1', 'd2', 'd3', 'd4', 'd5'], [A, B]);
        await dev.recordSeen([
          seen('d1', 0, { offlineAfter: 30 }), // due at 30
          seen('d2', 0, { offlineAfter: 10 }), // due at 10
          seen('d3', 0, { offlineAfter: 100 }), // due at exactly 100
          seen('d4', 0, { offlineAfter: 500 }), // not due
          seen('d5', 0, { tenant: B, offlineAfter: 20 }), // due at 20, other tenant
        ]);
        // d5 of A never seen: never online, never swept.
        expect(await dev.markOffline(at(100), 2)).toEqual([
          { tenant: A, deviceId: 'd2', lastSeen: at(0) },
          { tenant: B, deviceId: 'd5', lastSeen: at(0) },
        ]);
        expect(await dev.markOffline(at(100), 0)).toEqual([]);
        expect(await dev.markOffline(at(100), 10)).toEqual([
          { tenant: A, deviceId: 'd1', lastSeen: at(0) },
          { tenant: A, deviceId: 'd3', lastSeen: at(0) },
        ]);
        // Already offline: not taken again.
        expect(await dev.markOffline(at(100), 10)).toEqual([]);
        for (const id of ['d1', 'd2', 'd3']) expect((await dev.getState(A, id))?.online).toBe(false);
        expect((await dev.getState(A, 'd4'))?.online).toBe(true);
        expect((await dev.getState(B, 'd5'))?.online).toBe(false);
        // Seen again, its deadline moves: not due at the old one.
        await dev.recordSeen([seen('d4', 450, { offlineAfter: 100 })]);
        expect(await dev.markOffline(at(520), 10)).toEqual([]);
        expect(await dev.markOffline(at(550), 10)).toEqual([
          { tenant: A, deviceId: 'd4', lastSeen: at(450) },
        ]);
      });
    });
  });
}
