/** Calendar arithmetic of aggregation periods. */
import { describe, expect, it } from 'vitest';
import { addDuration } from '../../../core/temporal/duration.js';
import { isWholeRange, periodCount, periodsCovering, periodStart } from './periods.js';

const addMonths = (ms: number, months: number) => addDuration(ms, { months, ms: 0 });

const utc = (y: number, m: number, d: number, h = 0, min = 0): number => Date.UTC(y, m - 1, d, h, min);
const iso = (ms: number): string => new Date(ms).toISOString();

describe('calendar months (core addDuration, as the store uses it)', () => {
  it('keeps the day and time of day', () => {
    expect(iso(addMonths(utc(2026, 1, 15, 10, 30), 1))).toBe('2026-02-15T10:30:00.000Z');
    expect(iso(addMonths(utc(2026, 11, 15), 3))).toBe('2027-02-15T00:00:00.000Z');
    expect(iso(addMonths(utc(2026, 3, 15), -3))).toBe('2025-12-15T00:00:00.000Z');
    expect(addMonths(utc(2026, 3, 15), 0)).toBe(utc(2026, 3, 15));
  });

  it('clamps to the last day of a shorter month, leap years included', () => {
    expect(iso(addMonths(utc(2026, 1, 31, 23), 1))).toBe('2026-02-28T23:00:00.000Z');
    expect(iso(addMonths(utc(2028, 1, 31), 1))).toBe('2028-02-29T00:00:00.000Z');
    expect(iso(addMonths(utc(2026, 3, 31), 1))).toBe('2026-04-30T00:00:00.000Z');
    expect(iso(addMonths(utc(2028, 2, 29), 12))).toBe('2029-02-28T00:00:00.000Z');
  });
});

describe('periods', () => {
  it('counts each period from the origin, so clamping does not drift', () => {
    const p = { months: 1, ms: 0 };
    const origin = utc(2026, 1, 31);
    expect([1, 2, 3].map((k) => iso(periodStart(origin, p, k)))).toEqual([
      '2026-02-28T00:00:00.000Z',
      '2026-03-31T00:00:00.000Z',
      '2026-04-30T00:00:00.000Z',
    ]);
    expect(iso(periodStart(origin, { months: 1, ms: 86_400_000 }, 2))).toBe('2026-04-02T00:00:00.000Z');
  });

  it('covers the range up to and including the last instant', () => {
    const hour = { months: 0, ms: 3_600_000 };
    expect(periodsCovering(0, 7_200_000, hour, 10)).toEqual([
      [0, 3_600_000],
      [3_600_000, 7_200_000],
      [7_200_000, 10_800_000],
    ]);
    expect(periodsCovering(0, 0, hour, 10)).toEqual([[0, 3_600_000]]);
    expect(() => periodsCovering(0, 36_000_000, hour, 5)).toThrow(/more than 5 periods/);
  });

  it('bounds the number of periods and knows the whole-range period', () => {
    expect(periodCount(0, 7_199_999, { months: 0, ms: 3_600_000 })).toBe(2);
    // A month is at least 28 days: an upper bound.
    expect(periodCount(utc(2026, 1, 1), utc(2026, 12, 31), { months: 1, ms: 0 })).toBeGreaterThanOrEqual(12);
    expect(isWholeRange(undefined)).toBe(true);
    expect(isWholeRange({ months: 0, ms: 0 })).toBe(true);
    expect(isWholeRange({ months: 1, ms: 0 })).toBe(false);
  });
});
