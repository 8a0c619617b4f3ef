/**
 * Reads the instances a temporal query selects, per entity and attribute, ascending by the time
 * property. Each series is read through its (series, time) index with a LIMIT, so a long history
 * costs only the rows returned. `select.limit` caps instances per attribute; when an attribute is
 * cut, every attribute of every entity in the answer is trimmed to the time range that is complete
 * for all of them (ending at the earliest cut point, or starting at the latest one for lastN), and
 * that range is reported as `partial` so that the next page can start where this one ends.
 */
import { badRequest } from '../../../core/errors.js';
import type { InstanceSelect, StoredInstance, TemporalEntity } from '../../../core/temporal/model.js';
import type { Sql } from '../query/sql.js';
import type { StatementCache } from '../statement-cache.js';
import { decodeInstance, INSTANCE_COLUMNS, type InstanceRow } from './instance-codec.js';
import type { EntityRow, SeriesLister } from './series.js';
import { timeWindow, windowSql, type TimeWindow } from './time-window.js';

/** One attribute's rows as read, before trimming and decoding. */
interface Run {
  entity: number;
  attr: string;
  rows: Array<{ t: number; row: InstanceRow; datasetId?: string }>;
  cut: boolean;
}

/** Where each time column is in an InstanceRow. */
const TIME_INDEX: Record<string, number> = { observed_at: 2, created_at: 3, modified_at: 4 };

/** What a read returns. */
export interface ReadResult {
  entities: TemporalEntity[];
  partial?: { from: string; to: string };
}

/** Check a selection's time filter and instance limits (a 400 on nonsense, whether or not anything matches). */
export function checkSelect(select: InstanceSelect): void {
  timeWindow(select.timeproperty, select.time);
  if (!Number.isSafeInteger(select.limit) || select.limit < 1) {
    throw badRequest('the instance limit must be a positive integer');
  }
  if (select.lastN !== undefined && (!Number.isSafeInteger(select.lastN) || select.lastN < 1)) {
    throw badRequest('lastN must be a positive integer');
  }
}

/** Reads instances of selected entities. */
export class InstanceReader {
  constructor(
    private readonly statements: StatementCache,
    private readonly series: SeriesLister,
  ) {}

  read(entities: EntityRow[], select: InstanceSelect): ReadResult {
    checkSelect(select);
    const w = timeWindow(select.timeproperty, select.time);
    const at = TIME_INDEX[w.column]!;
    const desc = select.lastN !== undefined;
    const want = desc ? Math.min(select.lastN!, select.limit) : select.limit;
    // lastN itself is no cut: only a limit below it is.
    const canCut = !desc || select.lastN! > select.limit;
    const runs: Run[] = [];
    entities.forEach((e, n) => {
      for (const a of this.series.list(e.teid, select.attrs)) {
        const rows = a.series.flatMap((s) =>
          this.fetch(s.sid, w, desc, want + 1).map((row) => ({
            t: row[at] as number,
            row,
            ...(s.datasetId === undefined ? {} : { datasetId: s.datasetId }),
          })),
        );
        if (a.series.length > 1) rows.sort((x, y) => (desc ? -1 : 1) * (x.t - y.t || x.row[0] - y.row[0]));
        if (rows.length === 0) continue;
        const cut = canCut && rows.length > want;
        runs.push({ entity: n, attr: a.attr, rows: rows.slice(0, want), cut });
      }
    });
    const partial = trim(runs, w, desc);
    const out: TemporalEntity[] = entities.map((e) => ({
      id: e.id,
      type: JSON.parse(e.types) as string[],
      attrs: {},
      createdAt: new Date(e.created_at).toISOString(),
      modifiedAt: new Date(e.modified_at).toISOString(),
    }));
    for (const run of runs) {
      if (run.rows.length === 0) continue;
      const list: StoredInstance[] = run.rows.map((r) => decodeInstance(r.row, r.datasetId));
      if (desc) list.reverse();
      out[run.entity]!.attrs[run.attr] = list;
    }
    return partial ? { entities: out, partial } : { entities: out };
  }

  private fetch(sid: number, w: TimeWindow, desc: boolean, limit: number): InstanceRow[] {
    const q = readSql(w, desc, sid, limit);
    return this.statements
      .get(q.sql)
      .raw(true)
      .all(...q.params) as InstanceRow[];
  }
}

/** Up to `limit` instances of one series in the window, by time (descending for lastN). */
export function readSql(w: TimeWindow, desc: boolean, sid: number, limit: number): Sql {
  const where = windowSql(w, 'i');
  return {
    sql: `SELECT ${INSTANCE_COLUMNS} FROM temporal_instances i WHERE i.sid = ? AND ${where.sql} ORDER BY i.${w.column}${desc ? ' DESC' : ''} LIMIT ?`,
    params: [sid, ...where.params, limit],
  };
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
