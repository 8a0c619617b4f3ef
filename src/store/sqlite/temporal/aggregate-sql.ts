/**
 * The SQL of the three aggregation plans (see aggregator.ts), instances aliased `i`. Each returns
 * one JSON array per period: count(*) first, then each method's columns in order (stddev takes
 * three: count, mean and mean square of the values shifted by `shift`). Numeric functions read
 * only `num`, which the (series, time, num) indexes cover; the string fallbacks of min, max and
 * distinctCount are subqueries that run only for periods that are not all numbers.
 */
import type { AggrMethod } from '../../../core/temporal/model.js';
import { join, sql, type Sql } from '../query/sql.js';
import type { TimeWindow } from '../../shared/temporal/time-window.js';
import { windowSql } from './window-sql.js';

/** How the SQL bounds of one period are written inside the subqueries. */
interface Bounds {
  lo: string;
  hi: string;
}

/** One aggregate over the whole window. */
export function wholeSql(w: TimeWindow, methods: AggrMethod[], sid: number, shift: number): Sql {
  const where = windowSql(w, 'i');
  const f = functions(methods, w, sid, shift, undefined);
  return {
    sql: `SELECT json_array(${f.sql}) AS v FROM temporal_instances i WHERE i.sid = ? AND ${where.sql}`,
    params: [...f.params, sid, ...where.params],
  };
}

/** Rows grouped by period number k = (t - first) / periodMs (integer division), in order. */
export function groupedSql(
  w: TimeWindow,
  methods: AggrMethod[],
  sid: number,
  shift: number,
  first: number,
  periodMs: number,
): Sql {
  const where = windowSql(w, 'i');
  const f = functions(methods, w, sid, shift, undefined, true);
  const t = `i.${w.column}`;
  return {
    sql:
      `SELECT (${t} - CAST(? AS INTEGER)) / CAST(? AS INTEGER) AS k, json_array(${f.sql}) AS v ` +
      `FROM temporal_instances i WHERE i.sid = ? AND ${where.sql} AND ${t} >= ? GROUP BY k ORDER BY k`,
    params: [first, periodMs, ...f.params, sid, ...where.params, first],
  };
}

/**
 * One range seek per period of the list, in the list's order. Each period's seek range is the
 * period clamped to the window, so that the index is searched on it alone: with the window's own
 * bounds beside it, SQLite may seek on those instead and scan the whole window for every period.
 */
export function drivenSql(
  w: TimeWindow,
  methods: AggrMethod[],
  sid: number,
  shift: number,
  periods: number[][],
): Sql {
  const seeks = periods.map(([start, end]) => [
    Math.max(start!, w.from ?? -Infinity),
    Math.min(end!, w.to ?? Infinity),
    start,
    end,
  ]);
  const b: Bounds = { lo: 'b.value ->> 0', hi: 'b.value ->> 1' };
  const f = functions(methods, w, sid, shift, b);
  const t = `i.${w.column}`;
  return {
    sql:
      `SELECT b.value ->> 2 AS lo, b.value ->> 3 AS hi, (SELECT json_array(${f.sql}) FROM temporal_instances i ` +
      `WHERE i.sid = ? AND ${t} >= ${b.lo} AND ${t} < ${b.hi}) AS v FROM json_each(?) b`,
    params: [...f.params, sid, JSON.stringify(seeks.filter(([lo, hi]) => lo! < hi!))],
  };
}

/**
 * The SQL of the functions (inside json_array), instances aliased `i`: first count(*), then per
 * method its columns (stddev takes three). `bounds` is the seek range of a driven subquery (the
 * string fallbacks re-read the same range), undefined for the whole window; `plain` reads strings
 * directly (GROUP BY plan, which reads rows anyway).
 */
function functions(
  methods: AggrMethod[],
  w: TimeWindow,
  sid: number,
  shift: number,
  bounds: Bounds | undefined,
  plain = false,
): Sql {
  // Rows of the same period, for functions that need the table's string or JSON values.
  const same = (): Sql => {
    if (bounds) {
      const t = `x.${w.column}`;
      return sql(
        `FROM temporal_instances x WHERE x.sid = ? AND ${t} >= ${bounds.lo} AND ${t} < ${bounds.hi}`,
        sid,
      );
    }
    const where = windowSql(w, 'x');
    return {
      sql: `FROM temporal_instances x WHERE x.sid = ? AND ${where.sql}`,
      params: [sid, ...where.params],
    };
  };
  const parts: Sql[] = [sql('count(*)')];
  for (const m of methods) {
    switch (m) {
      case 'totalCount':
        break;
      case 'distinctCount': {
        if (plain) {
          parts.push(sql('count(DISTINCT i.num) + count(DISTINCT i.str) + count(DISTINCT i.json)'));
          break;
        }
        const s = same();
        parts.push({
          sql:
            'count(DISTINCT i.num) + CASE WHEN count(i.num) = count(*) THEN 0 ELSE ' +
            `(SELECT count(DISTINCT x.str) + count(DISTINCT x.json) ${s.sql}) END`,
          params: s.params,
        });
        break;
      }
      case 'min':
      case 'max': {
        if (plain) {
          parts.push(sql(`coalesce(${m}(i.num), ${m}(i.str))`));
          break;
        }
        const s = same();
        parts.push({ sql: `coalesce(${m}(i.num), (SELECT ${m}(x.str) ${s.sql}))`, params: s.params });
        break;
      }
      case 'sum':
        parts.push(sql('sum(i.num)'));
        break;
      case 'avg':
        parts.push(sql('avg(i.num)'));
        break;
      case 'sumsq':
        parts.push(sql('sum(i.num * i.num)'));
        break;
      case 'stddev':
        parts.push(sql('count(i.num), avg(i.num - ?), avg((i.num - ?) * (i.num - ?))', shift, shift, shift));
        break;
    }
  }
  return join(parts, ', ');
}
