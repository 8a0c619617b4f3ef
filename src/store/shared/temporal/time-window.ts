/**
 * The time filter of a temporal query as a window on one time column (as Stellio and the ETSI test
 * suite read timerel): before = t < timeAt, after = t >= timeAt, between = timeAt <= t < endTimeAt.
 * Without a filter only instances that have the time property are taken (observedAt is optional).
 * Nonsense (an unknown timerel or property, a bound that is no instant) is a BadRequestData before
 * any SQL runs. The window is shared by every store (decision 0011); each writes it as SQL in its
 * own dialect (its temporal/window-sql.ts). The column names are those of every store's
 * `temporal_instances`.
 */
import { badRequest } from '../../../core/errors.js';
import type { TimeFilter, TimeProperty } from '../../../core/temporal/model.js';

/** A time column of `temporal_instances`. */
export type TimeColumn = 'observed_at' | 'modified_at' | 'created_at';

/** The column of each time property. */
export const TIME_COLUMN: Record<TimeProperty, TimeColumn> = {
  observedAt: 'observed_at',
  modifiedAt: 'modified_at',
  createdAt: 'created_at',
};

/** A time column and the bounds (epoch ms) of the filter on it. */
export interface TimeWindow {
  column: TimeColumn;
  /** Inclusive lower bound (after, between). */
  from?: number;
  /** Exclusive upper bound (before, between). */
  to?: number;
}

/** The window of a time property and filter. */
export function timeWindow(property: TimeProperty, time: TimeFilter | undefined): TimeWindow {
  // Own keys only: a property named like an Object.prototype member is no column.
  const column = Object.hasOwn(TIME_COLUMN, property) ? TIME_COLUMN[property] : undefined;
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
