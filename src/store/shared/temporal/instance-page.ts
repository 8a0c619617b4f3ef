/**
 * The page rules of reading instances, the same in every store (decision 0011); how rows are fetched
 * is each store's. Instances come per entity and attribute, ascending by the time property (lastN:
 * the latest N, read backwards, given back ascending). `select.limit` caps the instances of each
 * attribute: a store reads up to limit + 1 rows per attribute to know whether one was cut. When an
 * attribute is cut, every attribute of every entity in the answer is trimmed to the time range that
 * is complete for all of them (ending at the earliest cut point, or starting at the latest one for
 * lastN), and that range is reported as `partial`, so that the next page can start where this one
 * ends.
 */
import type { InstanceSelect, StoredInstance, TemporalEntity } from '../../../core/temporal/model.js';
import { checkSelect } from './checks.js';
import { timeWindow, type TimeWindow } from './time-window.js';

/** What a read returns. */
export interface ReadResult {
  entities: TemporalEntity[];
  partial?: { from: string; to: string };
}

/** How a read goes, from its selection. */
export interface ReadPlan {
  window: TimeWindow;
  /** lastN: rows are read from the latest backwards. */
  desc: boolean;
  /** Instances kept per attribute (a store reads one more, to see a cut). */
  want: number;
  /** Whether keeping `want` may cut an attribute: lastN itself is no cut, only a limit below it. */
  canCut: boolean;
}

/** Check a selection (a 400 on nonsense) and plan its read. */
export function readPlan(select: InstanceSelect): ReadPlan {
  checkSelect(select);
  const desc = select.lastN !== undefined;
  return {
    window: timeWindow(select.timeproperty, select.time),
    desc,
    want: desc ? Math.min(select.lastN!, select.limit) : select.limit,
    canCut: !desc || select.lastN! > select.limit,
  };
}

/** A row as read (of the store's own type R), with its time on the time property and its row id. */
export interface Timed<R> {
  t: number;
  iid: number;
  row: R;
  datasetId?: string;
}

/** One attribute's rows as read, in read order, before trimming and decoding. */
export interface Run<R> {
  /** Index of the entity in the page. */
  entity: number;
  attr: string;
  rows: Array<Timed<R>>;
  cut: boolean;
}

/** Read order across the series of one attribute: by time (descending for lastN), then by row id (the order of recording). */
export function readOrder(desc: boolean): (x: Timed<unknown>, y: Timed<unknown>) => number {
  const sign = desc ? -1 : 1;
  return (x, y) => sign * (x.t - y.t || x.iid - y.iid);
}

/** The run of one attribute from its rows in read order, or undefined when it has none. */
export function runOf<R>(
  entity: number,
  attr: string,
  rows: Array<Timed<R>>,
  plan: ReadPlan,
): Run<R> | undefined {
  if (rows.length === 0) return undefined;
  return { entity, attr, rows: rows.slice(0, plan.want), cut: plan.canCut && rows.length > plan.want };
}

/**
 * Trim the runs when one was cut, decode them into `heads` (the page's entities, without
 * attributes yet, in page order) and say which range is complete.
 */
export function finishRead<R>(
  heads: TemporalEntity[],
  runs: Array<Run<R>>,
  plan: ReadPlan,
  decode: (row: R, datasetId: string | undefined) => StoredInstance,
): ReadResult {
  const partial = trim(runs, plan.window, plan.desc);
  for (const run of runs) {
    if (run.rows.length === 0) continue;
    const list: StoredInstance[] = run.rows.map((r) => decode(r.row, r.datasetId));
    if (plan.desc) list.reverse();
    heads[run.entity]!.attrs[run.attr] = list;
  }
  return partial ? { entities: heads, partial } : { entities: heads };
}

/**
 * When some run was cut: trim every run to the range complete for all, and return that range.
 * Runs hold rows in read order (descending for lastN).
 */
function trim<R>(
  runs: Array<Run<R>>,
  w: TimeWindow,
  desc: boolean,
): { from: string; to: string } | undefined {
  const cuts = runs.filter((r) => r.cut);
  if (cuts.length === 0) return undefined;
  const iso = (ms: number): string => new Date(ms).toISOString();
  const edges = cuts.map((r) => r.rows[r.rows.length - 1]!.t);
  if (!desc) {
    const end = Math.min(...edges);
    for (const r of runs) r.rows = r.rows.filter((x) => x.t <= end);
    const firsts = runs.filter((r) => r.rows.length > 0).map((r) => r.rows[0]!.t);
    return { from: iso(w.from ?? Math.min(...firsts)), to: iso(end) };
  }
  const start = Math.max(...edges);
  for (const r of runs) r.rows = r.rows.filter((x) => x.t >= start);
  const lasts = runs.filter((r) => r.rows.length > 0).map((r) => r.rows[0]!.t);
  return { from: iso(start), to: iso(w.to ?? Math.max(...lasts)) };
}
