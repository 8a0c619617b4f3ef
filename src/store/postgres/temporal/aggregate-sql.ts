/**
 * The SQL of an aggregation (see aggregator.ts): ONE statement for every series of a page. Per
 * series (a row of the `unnest` arrays), a LATERAL subquery reads the series' instances in the window
 * through its (series, time) INCLUDE (num) index and groups them by period key:
 * - whole range: one key for all;
 * - fixed periods (no months): `date_bin(period, t, origin)`, the start of the row's period;
 * - calendar periods: `width_bucket(t, thresholds)`, the number of the row's period among the
 *   period bounds computed in JavaScript (shared/temporal/periods.ts), found by binary search.
 * One pass over the rows whatever the number of periods: a seek per period (the SQLite store's plan
 * for coarse periods) would probe every monthly partition for every period, since the partitions
 * are by modified_at and periods by the time property.
 *
 * The grouping reads only sid, time and `num`, so it is an index-only scan; count, sum, avg, min,
 * max, stddev and sumsq come from it. What needs strings or JSON — distinctCount beyond numbers,
 * min and max of a period without numbers — is a correlated subquery in the outer select, inside a
 * CASE, so PostgreSQL runs it only for periods that are not all numbers. stddev is the POPULATION
 * standard deviation (stddev_pop, accumulated with the Youngs–Cramer method: precise for large
 * values with a small spread). Columns: n (count), dc (distinctCount), sm (sum), av (avg), sd
 * (stddev), sq (sumsq), min_n / min_s and max_n / max_s (the numeric extreme, else the string one),
 * and the period: k (calendar: 1-based period number) or start_ms (fixed).
 */
import type { AggrMethod } from '../../../core/temporal/model.js';
import { msOf, type Params } from './params.js';
import type { TimeWindow } from '../../shared/temporal/time-window.js';
import { windowSql } from './window-sql.js';

/** A row: the series, its period, the functions. */
export interface AggregateRow {
  sid: string;
  k?: number;
  start_ms?: number;
  n: number;
  dc?: number | null;
  sm?: number | null;
  av?: number | null;
  sd?: number | null;
  sq?: number | null;
  min_n?: number | null;
  min_s?: string | null;
  max_n?: number | null;
  max_s?: string | null;
}

/** How rows are put in periods. */
export type Periods =
  | { kind: 'whole' }
  | { kind: 'fixed'; ms: number }
  /** Each series gives its period bounds as thresholds (period k is [thresholds[k-1], thresholds[k])). */
  | { kind: 'calendar' };

/** One series to aggregate: its id, its periods' origin and, for calendar periods, their bounds. */
export interface SeriesWork {
  sid: string;
  origin: string;
  thresholds?: string[];
}

/** The aggregation statement; placeholders are added to `p`. */
export function aggregateSql(
  w: TimeWindow,
  methods: AggrMethod[],
  periods: Periods,
  work: SeriesWork[],
  p: Params,
): string {
  const t = (alias: string): string => `${alias}.${w.column}`;
  const sids = p.add(
    work.map((s) => s.sid),
    'bigint[]',
  );
  const origins = p.add(
    work.map((s) => s.origin),
    'timestamptz[]',
  );
  // Each series' thresholds as the text of a timestamptz[] (arrays of arrays cannot be ragged).
  const thresholds = p.add(
    work.map((s) => (s.thresholds === undefined ? null : `{${s.thresholds.join(',')}}`)),
    'text[]',
  );
  let key: string;
  let lo: string;
  let hi: string;
  let period: string;
  switch (periods.kind) {
    case 'whole':
      [key, lo, hi, period] = ['1', 'g.origin', "'infinity'::timestamptz", ''];
      break;
    case 'fixed': {
      const stride = p.add(`${periods.ms} milliseconds`, 'interval');
      key = `date_bin(${stride}, ${t('i')}, g.origin)`;
      [lo, hi] = ['x.key', `x.key + ${stride}`];
      period = `${msOf('x.key')} AS start_ms, `;
      break;
    }
    case 'calendar':
      key = `width_bucket(${t('i')}, g.thr)`;
      [lo, hi] = ['g.thr[x.key]', 'g.thr[x.key + 1]'];
      period = 'x.key AS k, ';
      break;
  }
  // The rows of the same period (alias y), for the string fallbacks; made only when needed (an
  // unused placeholder would have no type).
  const same = (): string =>
    `FROM temporal_instances y WHERE y.sid = g.sid AND ${windowSql(w, 'y', p)} AND ${t('y')} >= ${lo} AND ${t('y')} < ${hi}`;
  const inner = ['count(*) AS n', 'count(i.num) AS nn'];
  const outer = ['x.n::float8 AS n'];
  for (const m of methods) {
    switch (m) {
      case 'totalCount':
        break;
      case 'distinctCount':
        inner.push('count(DISTINCT i.num) AS dn');
        outer.push(
          `(x.dn + CASE WHEN x.nn = x.n THEN 0 ELSE (SELECT count(DISTINCT y.str) + count(DISTINCT y.json) ${same()}) END)::float8 AS dc`,
        );
        break;
      case 'min':
      case 'max':
        inner.push(`${m}(i.num) AS ${m}_n`);
        outer.push(`x.${m}_n`, `CASE WHEN x.nn = 0 THEN (SELECT ${m}(y.str) ${same()}) END AS ${m}_s`);
        break;
      case 'sum':
        inner.push('sum(i.num) AS sm');
        outer.push('x.sm');
        break;
      case 'avg':
        inner.push('avg(i.num) AS av');
        outer.push('x.av');
        break;
      case 'sumsq':
        inner.push('sum(i.num * i.num) AS sq');
        outer.push('x.sq');
        break;
      case 'stddev':
        inner.push('stddev_pop(i.num) AS sd');
        outer.push('x.sd');
        break;
    }
  }
  return (
    `SELECT g.sid::text AS sid, ${period}${outer.join(', ')} ` +
    `FROM (SELECT u.sid, u.origin, u.thr::timestamptz[] AS thr FROM unnest(${sids}, ${origins}, ${thresholds}) AS u(sid, origin, thr)) g ` +
    `CROSS JOIN LATERAL (SELECT ${key} AS key, ${inner.join(', ')} FROM temporal_instances i ` +
    `WHERE i.sid = g.sid AND ${windowSql(w, 'i', p)} AND ${t('i')} >= g.origin GROUP BY 1) x`
  );
}

/** The first and last time of each series in the window, and the attribute type of its latest instance. */
export function edgesSql(w: TimeWindow, sids: string[], p: Params): string {
  const list = p.add(sids, 'bigint[]');
  const t = `i.${w.column}`;
  const edge = (dir: string): string =>
    `(SELECT ${msOf(t)} FROM temporal_instances i WHERE i.sid = s.sid AND ${windowSql(w, 'i', p)} ORDER BY ${t} ${dir} LIMIT 1)`;
  return (
    `SELECT s.sid::text AS sid, ${edge('ASC')} AS first_ms, ${edge('DESC')} AS last_ms, ` +
    '(SELECT i.kind FROM temporal_instances i WHERE i.sid = s.sid ORDER BY i.modified_at DESC LIMIT 1) AS kind ' +
    `FROM unnest(${list}) AS s(sid)`
  );
}
