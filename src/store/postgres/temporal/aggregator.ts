/**
 * Aggregation of attribute instances in SQL (clause 4.5.19), per attribute and datasetId (one
 * series), per period — the semantics of the SQLite store. Periods start at the filter's lower
 * bound, or at the attribute's first instance in the window (all its datasetIds share it, so their
 * periods line up); without a period one bucket spans the window (lower bound or first instance, to
 * upper bound or last instance). Empty periods are omitted. No instance is brought to JavaScript,
 * and a page of entities costs three statements whatever its size: its series; each series' first
 * and last time in the window and attribute type (index seeks); the buckets of every series, grouped
 * in SQL (aggregate-sql.ts). Calendar periods are computed here (src/store/shared/temporal/periods.ts)
 * and sent as each series' thresholds; fixed periods are binned in SQL from the origin. The caller
 * checks (src/store/shared/temporal/checks.ts) are those of every store.
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
import { isWholeRange, MAX_CALENDAR_PERIODS, periodsCovering } from '../../shared/temporal/periods.js';
import { timeWindow } from '../../shared/temporal/time-window.js';
import { rows, type Sql } from '../sql.js';
import { aggregateSql, edgesSql, type AggregateRow, type Periods, type SeriesWork } from './aggregate-sql.js';
import type { EntityRow } from './entity-select.js';
import { boundText, EARLIEST, Params } from './params.js';
import { listSeries } from './series.js';

/** Aggregate the instances of `entities` that `select` selects. */
export async function aggregate(
  db: Sql,
  entities: EntityRow[],
  select: InstanceSelect,
  aggregation: Aggregation,
): Promise<AggregatedEntity[]> {
  const methods = checkAggregation(aggregation);
  const w = timeWindow(select.timeproperty, select.time);
  const period = aggregation.period;
  const periods: Periods = isWholeRange(period)
    ? { kind: 'whole' }
    : period!.months === 0
      ? { kind: 'fixed', ms: period!.ms }
      : { kind: 'calendar' };
  const series = await listSeries(
    db,
    entities.map((e) => e.teid),
    select.attrs,
  );
  const sids = [...series.values()].flatMap((attrs) => attrs.flatMap((a) => a.series.map((s) => s.sid)));
  if (sids.length === 0) return entities.map((e) => ({ id: e.id, type: e.types, attrs: {} }));
  const edges = new Map<string, { first: number | null; last: number | null; kind: number | null }>();
  {
    const p = new Params();
    const text = edgesSql(w, sids, p);
    type Edge = { sid: string; first_ms: number | null; last_ms: number | null; kind: number | null };
    for (const r of await rows<Edge>(db, text, p.values)) {
      edges.set(r.sid, { first: r.first_ms, last: r.last_ms, kind: r.kind });
    }
  }

  // Each attribute's origin (shared by its datasetIds, so their periods line up) and span.
  const work: SeriesWork[] = [];
  const bucketOf = new Map<string, (r: AggregateRow) => [number, number]>();
  for (const attrs of series.values()) {
    for (const a of attrs) {
      const present = a.series.filter((s) => edges.get(s.sid)?.first != null);
      if (present.length === 0) continue; // nothing in the window
      const first = w.from ?? Math.min(...present.map((s) => edges.get(s.sid)!.first!));
      const last = Math.max(...present.map((s) => edges.get(s.sid)!.last!));
      let bounds: (r: AggregateRow) => [number, number];
      let thresholds: string[] | undefined;
      if (periods.kind === 'whole') {
        const span: [number, number] = [first, w.to ?? last];
        bounds = () => span;
      } else if (periods.kind === 'fixed') {
        bounds = (r) => [r.start_ms!, r.start_ms! + periods.ms];
      } else {
        const list = periodsCovering(first, last, period!, MAX_CALENDAR_PERIODS);
        thresholds = [...list.map(([lo]) => boundText(lo)), boundText(list[list.length - 1]![1])];
        bounds = (r) => list[r.k! - 1]!;
      }
      // Fixed periods bin from any origin of the same phase: one PostgreSQL can write, when the
      // window starts before the year 0001.
      const origin = boundText(
        periods.kind === 'fixed' && first < EARLIEST
          ? first + Math.ceil((EARLIEST - first) / periods.ms) * periods.ms
          : first,
      );
      for (const s of present) {
        work.push(thresholds ? { sid: s.sid, origin, thresholds } : { sid: s.sid, origin });
        bucketOf.set(s.sid, bounds);
      }
    }
  }

  const buckets = new Map<string, Array<{ at: number; bucket: AggregateBucket }>>();
  if (work.length > 0) {
    const p = new Params();
    const text = aggregateSql(w, methods, periods, work, p);
    for (const r of await rows<AggregateRow>(db, text, p.values)) {
      const [start, end] = bucketOf.get(r.sid)!(r);
      let l = buckets.get(r.sid);
      if (l === undefined) buckets.set(r.sid, (l = []));
      l.push({ at: start, bucket: toBucket(start, end, r, methods) });
    }
  }

  return entities.map((e) => {
    const out: AggregatedEntity = { id: e.id, type: e.types, attrs: {} };
    for (const a of series.get(e.teid) ?? []) {
      const list: AggregatedAttribute[] = [];
      for (const s of a.series) {
        const b = buckets.get(s.sid);
        if (b === undefined || b.length === 0) continue;
        // Groups come in no particular order.
        b.sort((x, y) => x.at - y.at);
        const agg: AggregatedAttribute = {
          type: kindOf(edges.get(s.sid)?.kind ?? 0),
          buckets: b.map((x) => x.bucket),
        };
        if (s.datasetId !== undefined) agg.datasetId = s.datasetId;
        list.push(agg);
      }
      if (list.length > 0) out.attrs[a.attr] = list;
    }
    return out;
  });
}

/** The bucket of one row of functions (the plans return only non-empty periods). */
function toBucket(start: number, end: number, r: AggregateRow, methods: AggrMethod[]): AggregateBucket {
  const values: AggregateBucket['values'] = {};
  for (const m of methods) {
    switch (m) {
      case 'totalCount':
        values.totalCount = r.n;
        break;
      case 'distinctCount':
        values.distinctCount = r.dc ?? 0;
        break;
      case 'sum':
        values.sum = r.sm ?? null;
        break;
      case 'avg':
        values.avg = r.av ?? null;
        break;
      case 'stddev':
        values.stddev = r.sd ?? null;
        break;
      case 'sumsq':
        values.sumsq = r.sq ?? null;
        break;
      case 'min':
        values.min = r.min_n ?? r.min_s ?? null;
        break;
      case 'max':
        values.max = r.max_n ?? r.max_s ?? null;
        break;
    }
  }
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString(), values };
}
