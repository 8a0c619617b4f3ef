/**
 * Aggregation periods on UTC instants (epoch ms): a period is calendar months plus milliseconds
 * (core/temporal Duration). Period k of a series starts at origin + k·months (calendar arithmetic,
 * the day clamped to the month's length: Jan 31 + 1 month = Feb 28/29) + k·ms, computed from the
 * origin every time so that clamping never drifts (Jan 31, Feb 28, Mar 31, Apr 30 …). Shared by every
 * store, so their periods are the same by construction (decision 0011).
 */
import { badRequest } from '../../../core/errors.js';
import { addDuration } from '../../../core/temporal/duration.js';
import type { Duration } from '../../../core/temporal/model.js';

/** Most calendar periods one aggregation may span (their bounds are computed here, one by one). */
export const MAX_CALENDAR_PERIODS = 20_000;

/** Start of period k (k ≥ 0) counted from `origin`. */
export const periodStart = (origin: number, period: Duration, k: number): number =>
  addDuration(origin, period, k);

/** A period of no length means the whole time range (clause 4.5.19: `PT0S`). */
export function isWholeRange(period: Duration | undefined): boolean {
  return period === undefined || (period.months === 0 && period.ms === 0);
}

/** Refuse a period that cannot partition time. */
export function checkPeriod(period: Duration): void {
  const ok = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (typeof period !== 'object' || period === null || !ok(period.months) || !ok(period.ms)) {
    throw badRequest('aggregation period must be made of non-negative whole months and milliseconds');
  }
}

/**
 * The periods [start, end) from `origin` that cover every instant up to `last` (inclusive).
 * Throws BadRequestData when more than `max` periods would be needed.
 */
export function periodsCovering(
  origin: number,
  last: number,
  period: Duration,
  max: number,
): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = origin;
  for (let k = 1; start <= last; k++) {
    if (out.length >= max) {
      throw badRequest(`the aggregation period splits the time range into more than ${max} periods`);
    }
    const end = periodStart(origin, period, k);
    out.push([start, end]);
    start = end;
  }
  return out;
}

/** How many periods of `period` cover [origin, last] (an upper bound when the period has months). */
export function periodCount(origin: number, last: number, period: Duration): number {
  if (period.months === 0) return Math.floor((last - origin) / period.ms) + 1;
  // A month is at least 28 days.
  return Math.floor((last - origin) / (period.months * 28 * 86_400_000 + period.ms)) + 1;
}
