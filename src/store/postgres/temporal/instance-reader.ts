/**
 * Reads the instances a temporal query selects, per entity and attribute, ascending by the time
 * property. Every series of the page is read in ONE statement: a LATERAL subquery per series walks
 * its (series, time) index in order with a LIMIT (each month's partition in turn, merged), so a long
 * history costs only the rows returned and the page costs one round trip. The page rules (limit per
 * attribute, trimming to the range complete for all, `partial`) are shared with every store:
 * src/store/shared/temporal/instance-page.ts.
 */
import type { InstanceSelect, TemporalEntity } from '../../../core/temporal/model.js';
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
import { rows, type Sql } from '../sql.js';
import type { EntityRow } from './entity-select.js';
import { decodeRow, INSTANCE_COLUMNS, type InstanceRow } from './instance-codec.js';
import { Params } from './params.js';
import { listSeries } from './series.js';
import { windowSql } from './window-sql.js';

/** Where each time column is in an InstanceRow. */
const TIME_OF: Record<TimeWindow['column'], keyof InstanceRow> = {
  observed_at: 'observed_ms',
  created_at: 'created_ms',
  modified_at: 'modified_ms',
};

/** The instances of `entities` that `select` selects. */
export async function readInstances(
  db: Sql,
  entities: EntityRow[],
  select: InstanceSelect,
): Promise<ReadResult> {
  const plan = readPlan(select);
  const { window: w, desc } = plan;
  const at = TIME_OF[w.column];
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
        `ORDER BY i.${w.column}${desc ? ' DESC' : ''} LIMIT ${p.add(plan.want + 1)}) x`,
      p.values,
    );
    for (const r of found) {
      let l = bySid.get(r.sid);
      if (l === undefined) bySid.set(r.sid, (l = []));
      l.push(r);
    }
  }
  const order = readOrder(desc);
  const runs: Array<Run<InstanceRow>> = [];
  entities.forEach((e, n) => {
    for (const a of series.get(e.teid) ?? []) {
      const got = a.series.flatMap((s) =>
        (bySid.get(s.sid) ?? []).map((row): Timed<InstanceRow> => ({
          t: row[at] as number,
          iid: Number(row.iid),
          row,
          ...(s.datasetId === undefined ? {} : { datasetId: s.datasetId }),
        })),
      );
      // One order for every attribute: by time, then by instance id (the order of recording).
      got.sort(order);
      const run = runOf(n, a.attr, got, plan);
      if (run) runs.push(run);
    }
  });
  const heads: TemporalEntity[] = entities.map((e) => ({
    id: e.id,
    type: e.types,
    attrs: {},
    createdAt: new Date(e.created_ms).toISOString(),
    modifiedAt: new Date(e.modified_ms).toISOString(),
  }));
  return finishRead(heads, runs, plan, decodeRow);
}
