/**
 * Changes to the history through the temporal API and retention: patch and delete one instance,
 * delete an attribute's or an entity's history, prune by modifiedAt, erase a value. Deletes of
 * series and entities first lock the temporal entity's row (as every writer of its history does,
 * history-writer.ts), then drop the series, then their instances in a later statement — so an
 * instance committed meanwhile by a writer is seen and dropped too, never left in a series that no
 * longer exists. Retention and erasure work per series through the (series, time) index: the
 * series are found first (few rows), then one statement deletes (or counts) their instances, the
 * months after a prune's cutoff pruned away by the partition bounds.
 */
import type { Attribute } from '../../../core/model/entity.js';
import { checkErase, checkPatch, pruneArgs } from '../../shared/temporal/checks.js';
import { encodeInstance } from '../../shared/temporal/instance-codec.js';
import { patchedInstance } from '../../shared/temporal/instance-patch.js';
import { rows, run, type Sql } from '../sql.js';
import { decodeRow, dsOf, INSTANCE_COLUMNS, parseInstanceId, type InstanceRow } from './instance-codec.js';
import { boundText, instantText } from './params.js';

/** Lock a temporal entity's row; its id, or undefined when it has no history. */
async function lockEntity(db: Sql, tenant: string, id: string): Promise<string | undefined> {
  const [row] = await rows<{ teid: string }>(
    db,
    'SELECT teid::text AS teid FROM temporal_entities WHERE tenant = $1 AND id = $2 FOR UPDATE',
    [tenant, id],
  );
  return row?.teid;
}

/** Replace members of one instance (in the caller's transaction); false when not found. */
export async function patchInstance(
  db: Sql,
  tenant: string,
  id: string,
  attr: string,
  instanceId: string,
  patch: Attribute,
  now: number,
): Promise<boolean> {
  checkPatch(patch);
  const iid = parseInstanceId(instanceId);
  if (iid === undefined || typeof attr !== 'string') return false;
  const teid = await lockEntity(db, tenant, id);
  if (teid === undefined) return false;
  const [row] = await rows<InstanceRow & { sid: string }>(
    db,
    `SELECT i.sid::text AS sid, ${INSTANCE_COLUMNS} FROM temporal_instances i JOIN temporal_series s ON s.sid = i.sid
     WHERE i.iid = $1 AND s.teid = $2 AND s.attr = $3`,
    [iid, teid, attr],
  );
  if (row === undefined) return false;
  const c = encodeInstance(patchedInstance(decodeRow(row, undefined), patch));
  const nowText = instantText('modifiedAt', now);
  // modified_at is the partition key: a patch moves the row into the month of `now`.
  await run(
    db,
    `UPDATE temporal_instances SET kind = $3, observed_at = $4, modified_at = $5, num = $6, str = $7, json = $8,
       unit = $9, extra = $10 WHERE iid = $1 AND sid = $2`,
    [
      iid,
      row.sid,
      c.kind,
      c.observedAt === null ? null : instantText('observedAt', c.observedAt),
      nowText,
      c.num,
      c.str,
      c.json,
      c.unit,
      c.extra,
    ],
  );
  await run(db, 'UPDATE temporal_entities SET modified_at = greatest(modified_at, $2) WHERE teid = $1', [
    teid,
    nowText,
  ]);
  return true;
}

/** Delete one instance; false when not found. */
export async function deleteInstance(
  db: Sql,
  tenant: string,
  id: string,
  attr: string,
  instanceId: string,
): Promise<boolean> {
  const iid = parseInstanceId(instanceId);
  if (iid === undefined || typeof attr !== 'string') return false;
  const r = await run(
    db,
    `DELETE FROM temporal_instances i USING temporal_series s, temporal_entities te
     WHERE i.iid = $1 AND s.sid = i.sid AND te.teid = s.teid AND te.tenant = $2 AND te.id = $3 AND s.attr = $4`,
    [iid, tenant, id, attr],
  );
  return (r.rowCount ?? 0) > 0;
}

/** Drop series and then their instances. */
async function dropSeries(db: Sql, where: string, values: unknown[]): Promise<number> {
  const gone = await rows<{ sid: string }>(
    db,
    `DELETE FROM temporal_series WHERE ${where} RETURNING sid::text AS sid`,
    values,
  );
  if (gone.length > 0) {
    await run(db, 'DELETE FROM temporal_instances WHERE sid = ANY($1::bigint[])', [gone.map((g) => g.sid)]);
  }
  return gone.length;
}

/** Delete an attribute's history: one datasetId (the default instance when undefined), or all with deleteAll. */
export async function deleteAttribute(
  db: Sql,
  tenant: string,
  id: string,
  attr: string,
  datasetId: string | undefined,
  deleteAll: boolean,
): Promise<boolean> {
  if (typeof attr !== 'string') return false;
  if (!deleteAll && datasetId !== undefined && typeof datasetId !== 'string') return false;
  const teid = await lockEntity(db, tenant, id);
  if (teid === undefined) return false;
  const n = deleteAll
    ? await dropSeries(db, 'teid = $1 AND attr = $2', [teid, attr])
    : await dropSeries(db, 'teid = $1 AND attr = $2 AND ds = $3', [teid, attr, dsOf(datasetId)]);
  return n > 0;
}

/** Delete an entity's whole temporal representation; false when it has none. */
export async function deleteEntity(db: Sql, tenant: string, id: string): Promise<boolean> {
  const teid = await lockEntity(db, tenant, id);
  if (teid === undefined) return false;
  await dropSeries(db, 'teid = $1', [teid]);
  // Its types go with it (ON DELETE CASCADE).
  await run(db, 'DELETE FROM temporal_entities WHERE teid = $1', [teid]);
  return true;
}

/** The tenant's series, of entities of any of `types` and of the attributes `attrs` (each: all when absent). */
async function seriesOf(
  db: Sql,
  tenant: string,
  types: string[] | undefined,
  attrs: string[] | undefined,
): Promise<string[]> {
  const values: unknown[] = [tenant];
  let where = 'te.tenant = $1';
  if (types !== undefined) {
    values.push(types);
    where += ` AND EXISTS (SELECT 1 FROM temporal_types t WHERE t.teid = te.teid AND t.type = ANY($${values.length}::text[]))`;
  }
  if (attrs !== undefined) {
    values.push(attrs);
    where += ` AND s.attr = ANY($${values.length}::text[])`;
  }
  const found = await rows<{ sid: string }>(
    db,
    `SELECT s.sid::text AS sid FROM temporal_series s JOIN temporal_entities te ON te.teid = s.teid WHERE ${where}`,
    values,
  );
  return found.map((r) => r.sid);
}

/**
 * Retention: delete (or, with `dryRun`, count) the tenant's instances last recorded (modifiedAt: an
 * instance patched since counts as recorded then) before `before`, of entities of any of `types`
 * and of the attributes `attrs` (each: all when absent). Series and temporal entities stay (an
 * emptied history is still a history).
 */
export async function prune(
  db: Sql,
  tenant: string,
  before: string,
  options: { types?: string[]; attrs?: string[]; dryRun?: boolean } = {},
): Promise<number> {
  const { cutoff, types, attrs, dryRun } = pruneArgs(before, options);
  const sids = await seriesOf(db, tenant, types, attrs);
  if (sids.length === 0) return 0;
  const where = 'sid = ANY($1::bigint[]) AND modified_at < $2::timestamptz';
  const values = [sids, boundText(cutoff)];
  if (dryRun) {
    const [n] = await rows<{ n: number }>(
      db,
      `SELECT count(*)::float8 AS n FROM temporal_instances WHERE ${where}`,
      values,
    );
    return n?.n ?? 0;
  }
  return (await run(db, `DELETE FROM temporal_instances WHERE ${where}`, values)).rowCount ?? 0;
}

/**
 * Erasure: delete the tenant's instances of `attrs` whose value is exactly the string `value`
 * (string values live in `str`). No index holds values: the attributes' series are read through
 * their index prefix and their rows compared.
 */
export async function eraseValue(db: Sql, tenant: string, attrs: string[], value: string): Promise<number> {
  checkErase(attrs, value);
  if (attrs.length === 0) return 0;
  const sids = await seriesOf(db, tenant, undefined, attrs);
  if (sids.length === 0) return 0;
  const r = await run(db, 'DELETE FROM temporal_instances WHERE sid = ANY($1::bigint[]) AND str = $2', [
    sids,
    value,
  ]);
  return r.rowCount ?? 0;
}
