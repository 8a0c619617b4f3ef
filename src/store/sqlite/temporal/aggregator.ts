/**
 * Aggregation of attribute instances in SQL (clause 4.5.19), per attribute and datasetId (one
 * series), per period. Periods start at the filter's lower bound, or at the attribute's first
 * instance in the window (all its datasetIds share it, so their periods line up); without a period
 * one bucket spans the window (lower bound or first instance, to upper bound or last instance).
 * Empty periods are omitted. Three plans, none of which brings rows to JavaScript:
 *
 * - period-driven (coarse periods, and every calendar period): the period bounds are computed in
 *   JavaScript and joined as a JSON list; each period is one range seek on the (series, time)
 *   index with all the functions in one correlated subquery. No sort: the periods come in order.
 * - GROUP BY (more than DRIVEN_MAX fixed periods, e.g. minutes over months): the period of a row is
 *   integer arithmetic on its time, and SQLite sorts the rows into groups — cheaper than one
 *   subquery per mostly empty period.
 * - whole range: one aggregate over the window.
 * - hourly rollups (before the others, when they fit: see rollup-sql.ts): periods summed from one
 *   row per hour that triggers keep in step with the instances.
 *
 * Functions: totalCount counts instances; distinctCount counts distinct values (numbers, strings
 * and other JSON values apart); sum, avg, stddev and sumsq take numeric values only; min and max
 * take numbers, or strings (and so ISO date-times, compared as text) when the period has no
 * number; stddev is the POPULATION standard deviation, computed from sums shifted by a value of
 * the series so that large values with a small spread keep their precision. Numeric functions
 * read only the covering index; strings are read (from the table) only for periods without numbers.
 */
import type {
  AggregatedAttribute,
  AggregatedEntity,
  AggregateBucket,
  Aggregation,
  AggrMethod,
  InstanceSelect,
} from '../../../core/temporal/model.js';
import { checkAggregation } from '../../shared/temporal/checks.js';
import { kindOf } from '../../shared/temporal/instance-codec.js';
import {
  isWholeRange,
  MAX_CALENDAR_PERIODS,
  periodCount,
  periodsCovering,
} from '../../shared/temporal/periods.js';
import { timeWindow, type TimeWindow } from '../../shared/temporal/time-window.js';
import type { Sql } from '../query/sql.js';
import type { StatementCache } from '../statement-cache.js';
import { drivenSql, groupedSql, wholeSql } from './aggregate-sql.js';
import { mixedSql, rollupFits, rollupSql } from './rollup-sql.js';
import type { EntityRow, SeriesLister } from './series.js';
import { windowSql } from './window-sql.js';

/** Most fixed periods computed one by one; beyond, rows are grouped (see above). */
export const DRIVEN_MAX = 4096;

/** Aggregates the instances of selected entities. */
export class Aggregator {
  constructor(
    private readonly statements: StatementCache,
    private readonly series: SeriesLister,
  ) {}

  aggregate(entities: EntityRow[], select: InstanceSelect, aggregation: Aggregation): AggregatedEntity[] {
    const methods = checkAggregation(aggregation);
    const w = timeWindow(select.timeproperty, select.time);
    return entities.map((e) => {
      const out: AggregatedEntity = { id: e.id, type: JSON.parse(e.types) as string[], attrs: {} };
      for (const a of this.series.list(e.teid, select.attrs)) {
        const sids = a.series.map((s) => s.sid);
        const first = w.from ?? this.edge(sids, w, 'first');
        if (first === undefined) continue; // nothing in the window
        const last = this.edge(sids, w, 'last');
        if (last === undefined) continue;
        const attrs: AggregatedAttribute[] = [];
        for (const s of a.series) {
          const buckets = this.buckets(s.sid, w, methods, aggregation, first, last);
          if (buckets.length === 0) continue;
          const agg: AggregatedAttribute = { type: this.kind(s.sid), buckets };
          if (s.datasetId !== undefined) agg.datasetId = s.datasetId;
          attrs.push(agg);
        }
        if (attrs.length > 0) out.attrs[a.attr] = attrs;
      }
      return out;
    });
  }

  /** The earliest or latest time of any of the series in the window (index seeks). */
  private edge(sids: number[], w: TimeWindow, which: 'first' | 'last'): number | undefined {
    const where = windowSql(w, 'i');
    const text = `SELECT i.${w.column} AS t FROM temporal_instances i WHERE i.sid = ? AND ${where.sql} ORDER BY i.${w.column}${which === 'last' ? ' DESC' : ''} LIMIT 1`;
    let best: number | undefined;
    for (const sid of sids) {
      const row = this.statements.get(text).get(sid, ...where.params) as { t: number } | undefined;
      if (row === undefined) continue;
      if (best === undefined || (which === 'first' ? row.t < best : row.t > best)) best = row.t;
    }
    return best;
  }

  /** The attribute type of a series (its latest instance's). */
  private kind(sid: number): AggregatedAttribute['type'] {
    const row = this.statements
      .get('SELECT kind FROM temporal_instances WHERE sid = ? ORDER BY modified_at DESC LIMIT 1')
      .get(sid) as { kind: number } | undefined;
    return kindOf(row?.kind ?? 0);
  }

  private buckets(
    sid: number,
    w: TimeWindow,
    methods: AggrMethod[],
    aggregation: Aggregation,
    first: number,
    last: number,
  ): AggregateBucket[] {
    const shift = methods.includes('stddev') ? this.shift(sid, w) : 0;
    const period = aggregation.period;
    if (period === undefined || isWholeRange(period)) {
      const q = wholeSql(w, methods, sid, shift);
      const row = this.statements.get(q.sql).get(...q.params) as { v: string };
      const b = toBucket(first, w.to ?? last, row.v, methods, isoMemo());
      return b ? [b] : [];
    }
    if (period.months === 0 && rollupFits(w, methods, first, period.ms)) {
      const mixed = mixedSql(sid, first, w);
      const needsValues =
        (methods.includes('min') || methods.includes('max')) &&
        this.statements.get(mixed.sql).get(...mixed.params) !== undefined;
      if (!needsValues) {
        return this.numbered(rollupSql(sid, w, methods, first, period.ms), first, period.ms, methods);
      }
    }
    if (period.months === 0 && periodCount(first, last, period) > DRIVEN_MAX) {
      // Fine fixed periods: group rows by integer period number.
      return this.numbered(groupedSql(w, methods, sid, shift, first, period.ms), first, period.ms, methods);
    }
    const bounds = periodsCovering(first, last, period, MAX_CALENDAR_PERIODS);
    const q = drivenSql(w, methods, sid, shift, bounds);
    const rows = this.statements
      .get(q.sql)
      .raw(true)
      .all(...q.params) as Array<[number, number, string | null]>;
    const iso = isoMemo();
    return collect(rows, ([lo, hi, v]) => toBucket(lo, hi, v, methods, iso));
  }

  /** Buckets of a plan whose rows are (period number k from `first`, functions as JSON). */
  private numbered(q: Sql, first: number, periodMs: number, methods: AggrMethod[]): AggregateBucket[] {
    const rows = this.statements
      .get(q.sql)
      .raw(true)
      .all(...q.params) as Array<[number, string]>;
    const iso = isoMemo();
    return collect(rows, ([k, v]) => {
      const start = first + k * periodMs;
      return toBucket(start, start + periodMs, v, methods, iso);
    });
  }

  /** A numeric value of the series in the window (its first), to shift sums of squares by. */
  private shift(sid: number, w: TimeWindow): number {
    const where = windowSql(w, 'i');
    const row = this.statements
      .get(
        `SELECT i.num AS n FROM temporal_instances i WHERE i.sid = ? AND ${where.sql} AND i.num IS NOT NULL ` +
          `ORDER BY i.${w.column} LIMIT 1`,
      )
      .get(sid, ...where.params) as { n: number } | undefined;
    return row?.n ?? 0;
  }
}

/** The defined results of `f` over `rows`. */
function collect<R, T>(rows: R[], f: (r: R) => T | undefined): T[] {
  const out: T[] = [];
  for (const r of rows) {
    const x = f(r);
    if (x !== undefined) out.push(x);
  }
  return out;
}

/** ISO strings of period bounds; one period's end is often the next one's start, so the last is kept. */
function isoMemo(): (ms: number) => string {
  let lastMs = Number.NaN;
  let last = '';
  return (ms) => {
    if (ms !== lastMs) [lastMs, last] = [ms, new Date(ms).toISOString()];
    return last;
  };
}

/** The bucket of one row of functions, or undefined when the period holds no instance. */
function toBucket(
  start: number,
  end: number,
  json: string | null,
  methods: AggrMethod[],
  iso: (ms: number) => string,
): AggregateBucket | undefined {
  if (json === null) return undefined;
  const v = JSON.parse(json) as Array<number | string | null>;
  const n = v[0] as number;
  if (!n) return undefined;
  const values: AggregateBucket['values'] = {};
  let i = 1;
  for (const m of methods) {
    switch (m) {
      case 'totalCount':
        values.totalCount = n;
        break;
      case 'stddev': {
        const [count, mean, meanSq] = [v[i] as number, v[i + 1] as number | null, v[i + 2] as number | null];
        i += 3;
        values.stddev =
          count > 0 && mean !== null && meanSq !== null ? Math.sqrt(Math.max(0, meanSq - mean * mean)) : null;
        break;
      }
      default:
        values[m] = v[i++] ?? null;
    }
  }
  return { start: iso(start), end: iso(end), values };
}
