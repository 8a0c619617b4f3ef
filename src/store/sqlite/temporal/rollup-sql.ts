/**
 * The hourly-rollup plan of an aggregation (table `temporal_hourly`, migration 0005): when the
 * question is about observedAt, in periods of whole hours that start on an hour, with methods that
 * compose from per-hour counts and sums, the periods are summed from one row per hour instead of
 * one index entry per instance (720 rows for a month of minutes, instead of 43,200).
 */
import type { AggrMethod } from '../../../core/temporal/model.js';
import { join, sql, type Sql } from '../query/sql.js';
import type { TimeWindow } from '../../shared/temporal/time-window.js';

export const HOUR_MS = 3_600_000;

/** Methods that compose exactly from (count, numeric count, sum, sum of squares, min, max) per hour. */
const COMPOSABLE = new Set<AggrMethod>(['totalCount', 'sum', 'avg', 'min', 'max', 'sumsq']);

/**
 * True when the rollups answer this aggregation exactly: observedAt, whole-hour periods, an origin
 * and an upper bound on hours. (stddev and distinctCount need the instances; so do min and max over
 * hours holding non-numeric values, which the caller checks with `mixedSql`.)
 */
export function rollupFits(w: TimeWindow, methods: AggrMethod[], origin: number, periodMs: number): boolean {
  return (
    w.column === 'observed_at' &&
    periodMs > 0 &&
    periodMs % HOUR_MS === 0 &&
    origin % HOUR_MS === 0 &&
    (w.to === undefined || w.to % HOUR_MS === 0) &&
    methods.every((m) => COMPOSABLE.has(m))
  );
}

/** Hour rows of the window: [origin, to). */
function hours(sid: number, origin: number, w: TimeWindow): Sql {
  return w.to === undefined
    ? sql('sid = ? AND hour >= ?', sid, origin / HOUR_MS)
    : sql('sid = ? AND hour >= ? AND hour < ?', sid, origin / HOUR_MS, w.to / HOUR_MS);
}

/** Does any hour of the window hold values that are not numbers (min/max would then need them)? */
export function mixedSql(sid: number, origin: number, w: TimeWindow): Sql {
  const h = hours(sid, origin, w);
  return { sql: `SELECT 1 FROM temporal_hourly WHERE ${h.sql} AND n_all <> n LIMIT 1`, params: h.params };
}

/** Periods numbered k from `origin`, each a JSON array as the other plans give: count, then each method. */
export function rollupSql(
  sid: number,
  w: TimeWindow,
  methods: AggrMethod[],
  origin: number,
  periodMs: number,
): Sql {
  const parts: Sql[] = [sql('sum(n_all)')];
  for (const m of methods) {
    // sum(n) > 0: the period has numbers; otherwise the numeric functions are null, as on instances.
    if (m === 'sum') parts.push(sql('CASE WHEN sum(n) > 0 THEN sum(s) END'));
    else if (m === 'avg') parts.push(sql('CASE WHEN sum(n) > 0 THEN sum(s) / sum(n) END'));
    else if (m === 'sumsq') parts.push(sql('CASE WHEN sum(n) > 0 THEN sum(ss) END'));
    else if (m === 'min') parts.push(sql('min(mn)'));
    else if (m === 'max') parts.push(sql('max(mx)'));
  }
  const f = join(parts, ', ');
  const h = hours(sid, origin, w);
  if (periodMs === HOUR_MS) {
    // One period per hour: grouping by the key's own column reads the rows in order, without a sort.
    return {
      sql: `SELECT hour - CAST(? AS INTEGER) AS k, json_array(${f.sql}) AS v FROM temporal_hourly WHERE ${h.sql} GROUP BY hour ORDER BY hour`,
      params: [origin / HOUR_MS, ...f.params, ...h.params],
    };
  }
  return {
    sql:
      // Bound numbers may arrive as REAL: cast, or the division would not be an integer one.
      `SELECT (hour * ${HOUR_MS} - CAST(? AS INTEGER)) / CAST(? AS INTEGER) AS k, json_array(${f.sql}) AS v ` +
      `FROM temporal_hourly ` +
      `WHERE ${h.sql} GROUP BY k ORDER BY k`,
    params: [origin, periodMs, ...f.params, ...h.params],
  };
}
