/**
 * The time filter of a temporal query as SQL on one time column (as Stellio and the ETSI test
 * suite read timerel): before = t < timeAt, after = t >= timeAt, between = timeAt <= t < endTimeAt.
 * Without a filter only instances that have the time property are taken (observedAt is optional).
 */
import { badRequest } from '../../../core/errors.js';
import type { TimeFilter, TimeProperty } from '../../../core/temporal/model.js';
import { sql, type Sql } from '../query/sql.js';

/** The column of each time property. */
export const TIME_COLUMN: Record<TimeProperty, string> = {
  observedAt: 'observed_at',
  modifiedAt: 'modified_at',
  createdAt: 'created_at',
};

/** A time column and the bounds of the filter on it. */
export interface TimeWindow {
  column: string;
  /** Inclusive lower bound (after, between). */
  from?: number;
  /** Exclusive upper bound (before, between). */
  to?: number;
}

/** The window of a time property and filter; refuses what no instant satisfies the shape of. */
export function timeWindow(property: TimeProperty, time: TimeFilter | undefined): TimeWindow {
  const column = TIME_COLUMN[property];
  if (column === undefined) throw badRequest(`unknown timeproperty ${String(property)}`);
  if (time === undefined) return { column };
  const finite = (n: number): boolean => Number.isFinite(n);
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
export function windowSql(w: TimeWindow, alias: string): Sql {
  const c = `${alias}.${w.column}`;
  if (w.from !== undefined && w.to !== undefined) return sql(`${c} >= ? AND ${c} < ?`, w.from, w.to);
  if (w.from !== undefined) return sql(`${c} >= ?`, w.from);
  if (w.to !== undefined) return sql(`${c} < ?`, w.to);
  return sql(`${c} IS NOT NULL`);
}
