/**
 * Reads the instances a temporal query selects, per entity and attribute, ascending by the time
 * property. Every series of the page is read in ONE statement: a LATERAL subquery per series walks
 * its (series, time) index in order with a LIMIT (each month's partition in turn, merged), so a long
 * history costs only the rows returned and the page costs one round trip. `select.limit` caps
 * instances per attribute; when an attribute is cut, every attribute of every entity in the answer
 * is trimmed to the time range that is complete for all of them (ending at the earliest cut point,
 * or starting at the latest one for lastN), and that range is reported as `partial` so that the next
 * page can start where this one ends — as the SQLite store does.
 */
import { badRequest } from '../../../core/errors.js';
import type { InstanceSelect, StoredInstance, TemporalEntity } from '../../../core/temporal/model.js';
import { rows, type Sql } from '../sql.js';
import type { EntityRow } from './entity-select.js';
import { decodeInstance, INSTANCE_COLUMNS, type InstanceRow } from './instance-codec.js';
import { Params } from './params.js';
import { listSeries } from './series.js';
import { timeWindow, windowSql, type TimeWindow } from './time-window.js';

/** One attribute's rows as read, before trimming and decoding. */
interface Run {
  entity: number;
  attr: string;
  rows: Array<{ t: number; iid: number; row: InstanceRow; datasetId?: string }>;
  cut: boolean;
}

/** Where each time column is in an InstanceRow. */
const TIME_OF: Record<TimeWindow['column'], keyof InstanceRow> = {
  observed_at: 'observed_ms',
  created_at: 'created_ms',
  modified_at: 'modified_ms',
};

/** What a read returns. */
export interface ReadResult {
  entities: TemporalEntity[];
  partial?: { from: string; to: string };
}

/** Check a selection's time filter and instance limits (a 400 on nonsense, whether or not anything matches). */
export function checkSelect(select: InstanceSelect): void {
  if (typeof select !== 'object' || select === null) throw badRequest('an instance selection is needed');
  timeWindow(select.timeproperty, select.time);
  if (!Number.isSafeInteger(select.limit) || select.limit < 1) {
    throw badRequest('the instance limit must be a positive integer');
  }
  if (select.lastN !== undefined && (!Number.isSafeInteger(select.lastN) || select.lastN < 1)) {
    throw badRequest('lastN must be a positive integer');
  }
  if (
    select.attrs !== undefined &&
    !(Array.isArray(select.attrs) && select.attrs.every((a) => typeof a === 'string'))
  ) {
    throw badRequest('attrs must be a list of names');
  }
}

/** The instances of `entities` that `select` selects. */
export async function readInstances(
  db: Sql,
  entities: EntityRow[],
  select: InstanceSelect,
): Promise<ReadResult> {
  checkSelect(select);
  const w = timeWindow(select.timeproperty, select.time);
  const at = TIME_OF[w.column];
  const desc = select.lastN !== undefined;
  const want = desc ? Math.min(select.lastN!, select.limit) : select.limit;
  // lastN itself is no cut: only a limit below it is.
  const canCut = !desc || select.lastN! > select.limit;
  const series = await listSeries(
    db,
    entities.map((e) => e.teid),
    select.attrs,
  );
  const sids = [...series.values()].flatMap((attrs) => attrs.flatMap((a) => a.series.map((s) => s.sid)));
  const bySid = new Map<string, InstanceRow[]>();
  if (sids.length > 0) {
    const p = new Params();
    const list = p.add(sids, 'bigint[]');
    const where = windowSql(w, 'i', p);
    const found = await rows<InstanceRow & { sid: string }>(
      db,
      `SELECT s.sid::text AS sid, x.* FROM unnest(${list}) AS s(sid) CROSS JOIN LATERAL (` +
        `SELECT ${INSTANCE_COLUMNS} FROM temporal_instances i WHERE i.sid = s.sid AND ${where} ` +
        `ORDER BY i.${w.column}${desc ? ' DESC' : ''} LIMIT ${p.add(want + 1)}) x`,
      p.values,
    );
    for (const r of found) {
      let l = bySid.get(r.sid);
      if (l === undefined) bySid.set(r.sid, (l = []));
      l.push(r);
    }
  }
  const runs: Run[] = [];
  entities.forEach((e, n) => {
    for (const a of series.get(e.teid) ?? []) {
      const got = a.series.flatMap((s) =>
        (bySid.get(s.sid) ?? []).map((row) => ({
          t: row[at] as number,
          iid: Number(row.iid),
          row,
          ...(s.datasetId === undefined ? {} : { datasetId: s.datasetId }),
        })),
      );
      // One order for every attribute: by time, then by instance id (the order of recording).
      got.sort((x, y) => (desc ? -1 : 1) * (x.t - y.t || x.iid - y.iid));
      if (got.length === 0) continue;
      runs.push({ entity: n, attr: a.attr, rows: got.slice(0, want), cut: canCut && got.length > want });
    }
  });
  const partial = trim(runs, w, desc);
  const out: TemporalEntity[] = entities.map((e) => ({
    id: e.id,
    type: e.types,
    attrs: {},
    createdAt: new Date(e.created_ms).toISOString(),
    modifiedAt: new Date(e.modified_ms).toISOString(),
  }));
  for (const run of runs) {
    if (run.rows.length === 0) continue;
    const list: StoredInstance[] = run.rows.map((r) => decodeInstance(r.row, r.datasetId));
    if (desc) list.reverse();
    out[run.entity]!.attrs[run.attr] = list;
  }
  return partial ? { entities: out, partial } : { entities: out };
}

/**
 * When some run was cut: trim every run to the range complete for all, and return that range.
 * Runs hold rows in read order (descending for lastN).
 */
function trim(runs: Run[], w: TimeWindow, desc: boolean): { from: string; to: string } | undefined {
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
