/**
 * A temporal query's time window (src/store/shared/temporal/time-window.ts) as a PostgreSQL
 * condition on the instances' time column, its bounds added to the statement's parameters.
 */
import type { TimeWindow } from '../../shared/temporal/time-window.js';
import type { Params } from './params.js';

/** The SQL condition of a window on the instances aliased `alias`. */
export function windowSql(w: TimeWindow, alias: string, p: Params): string {
  const c = `${alias}.${w.column}`;
  const parts: string[] = [];
  if (w.from !== undefined) parts.push(`${c} >= ${p.bound(w.from)}`);
  if (w.to !== undefined) parts.push(`${c} < ${p.bound(w.to)}`);
  if (parts.length === 0) parts.push(`${c} IS NOT NULL`);
  return parts.join(' AND ');
}
