/**
 * Reads the instances a temporal query selects, per entity and attribute. Each series is read
 * through its (series, time) index with a LIMIT, so a long history costs only the rows returned.
 * The page rules (limit per attribute, trimming to the range complete for all, `partial`) are shared
 * with every store: src/store/shared/temporal/instance-page.ts.
 */
import type { InstanceSelect, TemporalEntity } from '../../../core/temporal/model.js';
import { decodeInstance } from '../../shared/temporal/instance-codec.js';
import {
  finishRead,
  readOrder,
  readPlan,
  runOf,
  type ReadResult,
  type Run,
  type Timed,
} from '../../shared/temporal/instance-page.js';
import type { TimeWindow } from '../../shared/temporal/time-window.js';
import type { Sql } from '../query/sql.js';
import type { StatementCache } from '../statement-cache.js';
import { INSTANCE_COLUMNS, type InstanceRow } from './instance-codec.js';
import type { EntityRow, SeriesLister } from './series.js';
import { windowSql } from './window-sql.js';

/** Where each time column is in an InstanceRow. */
const TIME_INDEX: Record<TimeWindow['column'], 2 | 3 | 4> = { observed_at: 2, created_at: 3, modified_at: 4 };

/** Reads instances of selected entities. */
export class InstanceReader {
  constructor(
    private readonly statements: StatementCache,
    private readonly series: SeriesLister,
  ) {}

  read(entities: EntityRow[], select: InstanceSelect): ReadResult {
    const plan = readPlan(select);
    const { window: w, desc } = plan;
    const at = TIME_INDEX[w.column];
    const order = readOrder(desc);
    const runs: Array<Run<InstanceRow>> = [];
    entities.forEach((e, n) => {
      for (const a of this.series.list(e.teid, select.attrs)) {
        const rows = a.series.flatMap((s) =>
          this.fetch(s.sid, w, desc, plan.want + 1).map((row): Timed<InstanceRow> => ({
            t: row[at] as number,
            iid: row[0],
            row,
            ...(s.datasetId === undefined ? {} : { datasetId: s.datasetId }),
          })),
        );
        // One series comes in read order from its index; several are merged.
        if (a.series.length > 1) rows.sort(order);
        const run = runOf(n, a.attr, rows, plan);
        if (run) runs.push(run);
      }
    });
    const heads: TemporalEntity[] = entities.map((e) => ({
      id: e.id,
      type: JSON.parse(e.types) as string[],
      attrs: {},
      createdAt: new Date(e.created_at).toISOString(),
      modifiedAt: new Date(e.modified_at).toISOString(),
    }));
    return finishRead(heads, runs, plan, decodeInstance);
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
