// ISO 8601 durations (aggrPeriodDuration, clause 4.5.19) and their calendar arithmetic in UTC.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NgsiError } from '../errors.js';
import { addDuration, formatDuration, parseDuration } from './duration.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('parseDuration', () => {
  it('reads each component', () => {
    expect(parseDuration('PT1H')).toEqual({ months: 0, ms: 3_600_000 });
    expect(parseDuration('P1D')).toEqual({ months: 0, ms: 86_400_000 });
    expect(parseDuration('P1M')).toEqual({ months: 1, ms: 0 });
    expect(parseDuration('P1Y')).toEqual({ months: 12, ms: 0 });
    expect(parseDuration('P2W')).toEqual({ months: 0, ms: 14 * 86_400_000 });
    expect(parseDuration('PT15M')).toEqual({ months: 0, ms: 900_000 });
    expect(parseDuration('PT0.5S')).toEqual({ months: 0, ms: 500 });
    expect(parseDuration('PT1,5S')).toEqual({ months: 0, ms: 1500 });
  });

  it('reads a combination, with a fraction on the last component', () => {
    const d = parseDuration('P1Y2M3DT4H5M6.5S');
    expect(d.months).toBe(14);
    expect(d.ms).toBe(((3 * 24 + 4) * 3600 + 5 * 60 + 6.5) * 1000);
    expect(parseDuration('P1.5D').ms).toBe(36 * 3_600_000);
  });

  it.each([
    ['', 'is not an ISO 8601 duration'],
    ['P', 'is not an ISO 8601 duration'],
    ['PT', 'is not an ISO 8601 duration'],
    ['P1DT', 'is not an ISO 8601 duration'],
    ['1H', 'is not an ISO 8601 duration'],
    ['pt1h', 'is not an ISO 8601 duration'],
    ['PT1H30', 'is not an ISO 8601 duration'],
    ['P1H', 'is not an ISO 8601 duration'],
    ['PT-1H', 'is not an ISO 8601 duration'],
    ['P1.5Y', 'is not an ISO 8601 duration'],
    ['P1M1Y', 'is not an ISO 8601 duration'],
    ['P1.5DT1H', 'last component only'],
    ['PT1.5H1.5M', 'last component only'],
    ['PT0S', 'must be longer than zero'],
    ['P0D', 'must be longer than zero'],
    ['P0Y0M0W0DT0H0M0S', 'must be longer than zero'],
    ['P99999Y', 'is too long'],
    ['PT99999999999999H', 'is too long'],
    [`P${'1'.repeat(70)}D`, 'is too long'],
  ])('refuses %j (%s)', (text, why) => {
    let error: unknown;
    try {
      parseDuration(text, 'aggrPeriodDuration');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NgsiError);
    expect((error as NgsiError).kind).toBe('BadRequestData');
    expect((error as NgsiError).detail).toContain('aggrPeriodDuration');
    expect((error as NgsiError).detail).toContain(why);
  });

  it('never throws anything but a BadRequestData on arbitrary text', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 30 }), fc.stringMatching(/^P[0-9YMWDTHS.,]{0,12}$/)),
        (s) => {
          try {
            const d = parseDuration(s);
            expect(d.months > 0 || d.ms > 0).toBe(true);
          } catch (e) {
            expect((e as NgsiError).kind).toBe('BadRequestData');
          }
        },
      ),
    );
  });
});

describe('addDuration', () => {
  it('adds hours and days as fixed milliseconds', () => {
    expect(iso(addDuration(at('2026-03-28T12:00:00Z'), parseDuration('PT1H')))).toBe(
      '2026-03-28T13:00:00.000Z',
    );
    expect(iso(addDuration(at('2026-03-28T12:00:00Z'), parseDuration('P1D'), 3))).toBe(
      '2026-03-31T12:00:00.000Z',
    );
  });

  it('adds calendar months in UTC, clamping to the end of shorter months', () => {
    const m = parseDuration('P1M');
    expect(iso(addDuration(at('2026-01-15T00:00:00Z'), m))).toBe('2026-02-15T00:00:00.000Z');
    expect(iso(addDuration(at('2026-01-31T10:00:00Z'), m))).toBe('2026-02-28T10:00:00.000Z');
    expect(iso(addDuration(at('2028-01-31T10:00:00Z'), m))).toBe('2028-02-29T10:00:00.000Z');
    expect(iso(addDuration(at('2026-11-30T00:00:00Z'), m, 3))).toBe('2027-02-28T00:00:00.000Z');
    expect(iso(addDuration(at('2026-12-01T00:00:00Z'), parseDuration('P1Y')))).toBe(
      '2027-12-01T00:00:00.000Z',
    );
    expect(iso(addDuration(at('2028-02-29T00:00:00Z'), parseDuration('P1Y')))).toBe(
      '2029-02-28T00:00:00.000Z',
    );
  });

  it('adds months before the time part', () => {
    const d = parseDuration('P1MT1H');
    expect(iso(addDuration(at('2026-01-31T23:30:00Z'), d))).toBe('2026-03-01T00:30:00.000Z');
  });

  it('moves forward for any positive duration', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.integer({ min: 0, max: 48 }),
        fc.integer({ min: 0, max: 10 ** 10 }),
        (t, months, ms) => {
          fc.pre(months > 0 || ms > 0);
          expect(addDuration(t, { months, ms })).toBeGreaterThan(t);
        },
      ),
    );
  });
});

describe('formatDuration', () => {
  it('prints what parseDuration reads', () => {
    for (const text of ['PT1H', 'P1D', 'P1M', 'P1Y2M3DT4H5M6.5S', 'PT0.5S']) {
      expect(parseDuration(formatDuration(parseDuration(text)))).toEqual(parseDuration(text));
    }
    expect(formatDuration(parseDuration('P2W'))).toBe('P14D');
  });
});
