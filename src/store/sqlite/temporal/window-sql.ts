/**
 * A temporal query's time window (src/store/shared/temporal/time-window.ts) as a SQLite condition
 * on the instances' time column: `?` placeholders, epoch ms compared as integers.
 */
import type { TimeWindow } from '../../shared/temporal/time-window.js';
import { sql, type Sql } from '../query/sql.js';

/** The SQL condition of a window on the instances aliased `alias`. */
export function windowSql(w: TimeWindow, alias: string): Sql {
  const c = `${alias}.${w.column}`;
  if (w.from !== undefined && w.to !== undefined) return sql(`${c} >= ? AND ${c} < ?`, w.from, w.to);
  if (w.from !== undefined) return sql(`${c} >= ?`, w.from);
  if (w.to !== undefined) return sql(`${c} < ?`, w.to);
  return sql(`${c} IS NOT NULL`);
}
