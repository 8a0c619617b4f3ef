// Reading a device credential from an Authorization header, the failed-authentication throttle and
// the password-check cache (src/devices/transports/device-auth.ts).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AuthFailureThrottle,
  PasswordCheckCache,
  parseDeviceAuthorization,
  splitTenantUser,
} from '../../../src/devices/transports/device-auth.js';
import type { AuthenticatedDevice } from '../../../src/devices/registry/registry-service.js';

const basic = (s: string) => `Basic ${Buffer.from(s, 'utf8').toString('base64')}`;

describe('parseDeviceAuthorization', () => {
  it('reads a Bearer device token, any case of the scheme', () => {
    expect(parseDeviceAuthorization('Bearer dev_abc')).toEqual({
      ok: true,
      credential: { kind: 'token', secret: 'dev_abc' },
    });
    expect(parseDeviceAuthorization('bearer dev_abc')).toMatchObject({ ok: true });
  });

  it('reads Basic tenant/user:password, splitting the tenant at the last slash', () => {
    expect(parseDeviceAuthorization(basic('city-a/north/pole-7:s3cr:et'))).toEqual({
      ok: true,
      credential: { kind: 'password', tenant: 'city-a/north', username: 'pole-7', password: 's3cr:et' },
    });
    expect(parseDeviceAuthorization(basic('pole-7:pw'))).toEqual({
      ok: true,
      credential: { kind: 'password', username: 'pole-7', password: 'pw' },
    });
    expect(splitTenantUser('/u')).toEqual({ tenant: '', username: 'u' });
  });

  it('says missing for no header and malformed for anything else, with a reason', () => {
    expect(parseDeviceAuthorization(undefined)).toMatchObject({ ok: false, reason: 'missing' });
    for (const bad of [
      'Bearer urbis_key',
      'Bearer',
      'Digest abc',
      'Basic !!!',
      basic('no-colon'),
      basic(':pw'),
      basic('user:'),
      `Basic ${Buffer.from([0x75, 0x3a, 0xff, 0xfe]).toString('base64')}`,
      `Bearer dev_${'x'.repeat(5000)}`,
    ])
      expect(parseDeviceAuthorization(bad), bad.slice(0, 40)).toMatchObject({
        ok: false,
        reason: 'malformed',
      });
    expect(parseDeviceAuthorization(['Bearer dev_a', 'Bearer dev_b'])).toMatchObject({ ok: false });
  });

  it('never throws, whatever the header', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (header) => {
        const r = parseDeviceAuthorization(header);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });
});

describe('AuthFailureThrottle', () => {
  it('blocks an address that spent its failures, until the bucket refilled', () => {
    let now = 0;
    const t = new AuthFailureThrottle({ ratePerSec: 1, burst: 3, now: () => now });
    expect([t.failed('a'), t.failed('a'), t.failed('a')]).toEqual([0, 0, 0]);
    expect(t.failed('a')).toBeGreaterThan(0);
    expect(t.retryAfter('a')).toBeGreaterThan(0);
    expect(t.retryAfter('b')).toBe(0);
    now += 2000;
    expect(t.retryAfter('a')).toBe(0);
  });
});

describe('PasswordCheckCache', () => {
  it('checks a right password once per TTL, a wrong one every time', async () => {
    let now = 0;
    let checks = 0;
    const device = { tenant: 't' } as AuthenticatedDevice;
    const ingress = {
      authenticateToken: async () => undefined,
      authenticatePassword: async (_t: string, _u: string, p: string) => {
        checks++;
        return p === 'right' ? device : undefined;
      },
    };
    const cached = new PasswordCheckCache({ ttlMs: 1000, now: () => now }).wrap(ingress);
    expect(await cached.authenticatePassword('t', 'u', 'right')).toBe(device);
    expect(await cached.authenticatePassword('t', 'u', 'right')).toBe(device);
    expect(checks).toBe(1);
    expect(await cached.authenticatePassword('t', 'u', 'wrong')).toBeUndefined();
    expect(await cached.authenticatePassword('t', 'u', 'wrong')).toBeUndefined();
    expect(checks).toBe(3);
    now += 1001;
    await cached.authenticatePassword('t', 'u', 'right');
    expect(checks).toBe(4);
  });
});
