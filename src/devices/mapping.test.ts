import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isNgsiError } from '../core/errors.js';
import type { TermMapper } from '../core/jsonld/terms.js';
import type { Decoded } from './codecs/model.js';
import { toAttributes } from './mapping.js';
import { parseProfile } from './registry/profile.js';

const mapper: TermMapper = { expandTerm: (t) => `https://t.example/${t}`, compactIri: (i) => i };
const profile = parseProfile(
  {
    id: 'aq',
    transport: 'mqtt',
    codec: { kind: 'cayenne-lpp' },
    entityType: 'AirQualityObserved',
    mapping: {
      pm25: { attribute: 'pm25', unitCode: 'GQ' },
      temperature_1: { attribute: 'temperature', unitCode: 'CEL', scale: 0.1 },
      accel: { attribute: 'acceleration', scale: 2 },
      status: { attribute: 'status' },
      gps_1: { attribute: 'location', type: 'GeoProperty' },
    },
    battery: 'bat',
    deviceTime: 'ts',
  },
  mapper,
);
const T = (name: string) => `https://t.example/${name}`;
const RECEIVED = '2025-03-01T12:00:00.000Z';
const receivedMs = Date.parse(RECEIVED);

function refusal(decoded: Decoded): string {
  try {
    toAttributes(decoded, profile, RECEIVED);
  } catch (e) {
    if (isNgsiError(e) && e.kind === 'BadRequestData') return e.detail;
    throw e;
  }
  throw new Error('accepted');
}

describe('toAttributes', () => {
  it('maps fields to Properties with unitCode and scale, and a position to a GeoJSON Point (lon, lat)', () => {
    const r = toAttributes(
      {
        pm25: 12,
        temperature_1: 215,
        accel: [1, -2, 0.5],
        status: 'ok',
        gps_1: { lat: 52.37, lon: 4.89, alt: 3 },
        bat: 87,
        noise: 4,
      },
      profile,
      RECEIVED,
    );
    expect(r).toEqual({
      attrs: {
        [T('pm25')]: [{ type: 'Property', value: 12, unitCode: 'GQ', observedAt: RECEIVED }],
        [T('temperature')]: [{ type: 'Property', value: 21.5, unitCode: 'CEL', observedAt: RECEIVED }],
        [T('acceleration')]: [{ type: 'Property', value: [2, -4, 1], observedAt: RECEIVED }],
        [T('status')]: [{ type: 'Property', value: 'ok', observedAt: RECEIVED }],
        [T('location')]: [
          {
            type: 'GeoProperty',
            value: { type: 'Point', coordinates: [4.89, 52.37, 3] },
            observedAt: RECEIVED,
          },
        ],
      },
      battery: 87,
      unmapped: ['noise'],
    });
  });

  it('rounds away binary floating-point noise from scaling', () => {
    const r = toAttributes({ temperature_1: 3 }, profile, RECEIVED);
    expect(r.attrs[T('temperature')]?.[0]?.value).toBe(0.3);
  });

  it('writes a 2D point without altitude and leaves out fields the message lacks', () => {
    const r = toAttributes({ gps_1: { lat: -33.9, lon: 18.4 } }, profile, RECEIVED);
    expect(Object.keys(r.attrs)).toEqual([T('location')]);
    expect(r.attrs[T('location')]?.[0]?.value).toEqual({ type: 'Point', coordinates: [18.4, -33.9] });
    expect(r).not.toHaveProperty('battery');
    expect(r.unmapped).toEqual([]);
  });

  it('uses the device time when plausible: epoch seconds, epoch milliseconds, numeric text or ISO', () => {
    const at = receivedMs - 60_000;
    const iso = new Date(at).toISOString();
    for (const ts of [at / 1000, at, String(at / 1000), iso, '2025-03-01T12:59:00+01:00']) {
      const r = toAttributes({ pm25: 1, ts }, profile, RECEIVED);
      expect(r.attrs[T('pm25')]?.[0]?.observedAt, String(ts)).toBe(iso);
      // The device-time field is consumed, not reported as unmapped.
      expect(r.unmapped).toEqual([]);
    }
  });

  it('falls back to receivedAt for a device time beyond the skew or unreadable', () => {
    for (const ts of [
      (receivedMs + 6 * 60_000) / 1000, // 6 minutes ahead
      (receivedMs - 8 * 86_400_000) / 1000, // 8 days behind
      0,
      -5,
      '2025-03-01T11:59:00', // no offset: whose local time?
      'yesterday',
      true,
      [1, 2],
    ]) {
      const r = toAttributes({ pm25: 1, ts } as Decoded, profile, RECEIVED);
      expect(r.attrs[T('pm25')]?.[0]?.observedAt, JSON.stringify(ts)).toBe(RECEIVED);
    }
  });

  it('accepts the default skew bounds exactly, and custom ones', () => {
    const ahead = receivedMs + 5 * 60_000;
    const behind = receivedMs - 7 * 86_400_000;
    const obs = (ts: number, options?: Parameters<typeof toAttributes>[3]) =>
      toAttributes({ pm25: 1, ts }, profile, RECEIVED, options).attrs[T('pm25')]?.[0]?.observedAt;
    expect(obs(ahead)).toBe(new Date(ahead).toISOString());
    expect(obs(behind)).toBe(new Date(behind).toISOString());
    expect(obs(receivedMs - 120_000, { maxSkewMs: 60_000 })).toBe(RECEIVED);
    expect(obs(receivedMs + 30_000, { maxSkewMs: 60_000 })).toBe(new Date(receivedMs + 30_000).toISOString());
    expect(obs(receivedMs + 30_000, { maxSkewMs: { future: 0 } })).toBe(RECEIVED);
    expect(obs(receivedMs - 86_400_000, { maxSkewMs: { future: 0 } })).toBe(
      new Date(receivedMs - 86_400_000).toISOString(),
    );
  });

  it('ignores the device time when the profile names none', () => {
    const plain = { ...profile, deviceTime: undefined };
    const r = toAttributes({ pm25: 1, ts: receivedMs - 1000 }, plain, RECEIVED);
    expect(r.attrs[T('pm25')]?.[0]?.observedAt).toBe(RECEIVED);
    expect(r.unmapped).toEqual(['ts']);
  });

  it('ignores an implausible battery level but consumes the field', () => {
    for (const bat of [-1, 101, 'full']) {
      const r = toAttributes({ pm25: 1, bat } as Decoded, profile, RECEIVED);
      expect(r).not.toHaveProperty('battery');
      expect(r.unmapped).toEqual([]);
    }
    expect(toAttributes({ bat: 0 }, profile, RECEIVED).battery).toBe(0);
  });

  it('lists prototype-named fields as unmapped without touching the prototype', () => {
    const decoded = Object.fromEntries([
      ['__proto__', 1],
      ['constructor', 2],
    ]) as Decoded;
    const r = toAttributes(decoded, profile, RECEIVED);
    expect(r.unmapped).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(r.attrs)).toBe(Object.prototype);
  });

  it.each([
    [{ gps_1: 5 }, 'field gps_1: a GeoProperty needs a position'],
    [{ gps_1: { lat: 91, lon: 0 } }, 'field gps_1: position (91, 0) is not on the globe'],
    [{ gps_1: { lat: 0, lon: 0, alt: Number.NaN } }, 'field gps_1: altitude'],
    [{ temperature_1: 'warm' }, 'field temperature_1: its profile scales it, but its value is not a number'],
    [{ temperature_1: true }, 'field temperature_1'],
  ] as Array<[Decoded, string]>)('refuses %j naming the field', (decoded, message) => {
    expect(refusal(decoded)).toContain(message);
  });

  it('refuses a receivedAt that is not an ISO instant (a caller bug)', () => {
    expect(() => toAttributes({}, profile, 'now')).toThrow(TypeError);
    expect(() => toAttributes({}, profile, '2025-03-01T12:00:00')).toThrow(TypeError);
  });

  it('maps every field exactly once: mapped ones to attributes, the rest to unmapped', () => {
    const value = fc.oneof(fc.integer(), fc.string(), fc.boolean());
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('pm25', 'status', 'a', 'b', 'bat', 'x.y'), value),
        (decoded) => {
          const r = toAttributes(decoded, profile, RECEIVED);
          const mapped = ['pm25', 'status'].filter((f) => f in decoded);
          expect(Object.keys(r.attrs).length).toBe(mapped.length);
          expect(new Set([...mapped, ...r.unmapped, ...('bat' in decoded ? ['bat'] : [])])).toEqual(
            new Set(Object.keys(decoded)),
          );
          for (const list of Object.values(r.attrs)) expect(list[0]?.observedAt).toBe(RECEIVED);
        },
      ),
    );
  });
});
