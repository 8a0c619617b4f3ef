/**
 * The time filter of a temporal query as SQL on one time column (as Stellio, the ETSI test suite and
 * the SQLite store read timerel): before = t < timeAt, after = t >= timeAt, between =
 * timeAt <= t < endTimeAt. Without a filter only instances that have the time property are taken
 * (observedAt is optional). Nonsense (an unknown timerel or property, a bound that is no instant) is
 * a BadRequestData before any SQL runs.
 */
import { badRequest } from '../../../core/errors.js';
import type { TimeFilter, TimeProperty } from '../../../core/temporal/model.js';
import type { Params } from './params.js';

/** The column of each time property. */
export const TIME_COLUMN: Record<TimeProperty, string> = {
  observedAt: 'observed_at',
  modifiedAt: 'modified_at',
  createdAt: 'created_at',
};

/** A time column and the bounds (epoch ms) of the filter on it. */
export interface TimeWindow {
  column: 'observed_at' | 'modified_at' | 'created_at';
  /** Inclusive lower bound (after, between). */
  from?: number;
  /** Exclusive upper bound (before, between). */
  to?: number;
}

/** The window of a time property and filter. */
export function timeWindow(property: TimeProperty, time: TimeFilter | undefined): TimeWindow {
  const column = Object.hasOwn(TIME_COLUMN, property)
    ? (TIME_COLUMN[property] as TimeWindow['column'])
    : undefined;
  if (column === undefined) throw badRequest(`unknown timeproperty ${String(property)}`);
  if (time === undefined) return { column };
  const finite = (n: unknown): boolean => typeof n === 'number' && Number.isFinite(n);
  switch (time.timerel) {
    case 'before':
      if (!finite(time.timeAt)) throw badRequest('timeAt must be an instant');
      return { column, to: time.timeAt };
    case 'after':
      if (!finite(time.timeAt)) throw badRequest('timeAt must be an instant');
      return { column, from: time.timeAt };
    case 'between':
      if (!finite(time.timeAt) || !finite(time.endTimeAt)) {
        throw badRequest('timeAt and endTimeAt must be instants');
      }
      return { column, from: time.timeAt, to: time.endTimeAt };
    default:
      throw badRequest(`unknown timerel ${String((time as { timerel: unknown }).timerel)}`);
  }
}

/** The SQL condition of a window on the instances aliased `alias`. */
export function windowSql(w: TimeWindow, alias: string, p: Params): string {
  const c = `${alias}.${w.column}`;
  const parts: string[] = [];
  if (w.from !== undefined) parts.push(`${c} >= ${p.bound(w.from)}`);
  if (w.to !== undefined) parts.push(`${c} < ${p.bound(w.to)}`);
  if (parts.length === 0) parts.push(`${c} IS NOT NULL`);
  return parts.join(' AND ');
}
