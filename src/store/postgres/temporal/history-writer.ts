/**
 * Writes attribute instances into the history: from the current state's changes, inside the entity
 * writer's transaction (`record`), and from the temporal API (`append`, in its own transaction).
 * Set-based: a call costs a fixed number of statements whatever the batch size (typically three:
 * the temporal entities touched, their series, the instances), each over `unnest` arrays. Only
 * instances that are new or changed (the shared rule: src/store/shared/temporal/history-changes.ts)
 * are encoded at all.
 *
 * Concurrency: every write of an entity's history first locks its `temporal_entities` row (the
 * UPDATE or upsert that moves its modifiedAt on), and so do the deletes of instances, series and
 * entities (pg-temporal.ts): series are created and dropped only under that lock, so an instance
 * never lands in a series that a concurrent delete is dropping. Nothing is cached across calls:
 * another replica may delete a series at any time, and the writer may run a call again after a
 * deadlock or serialization failure.
 */
import { instancesOf, type Attribute } from '../../../core/model/entity.js';
import type { TemporalWrite } from '../../port.js';
import { checkWrite } from '../../shared/temporal/checks.js';
import { forEachNewInstance, sameTypes } from '../../shared/temporal/history-changes.js';
import { encodeInstance, toMs } from '../../shared/temporal/instance-codec.js';
import type { AppliedChange } from '../change-sink.js';
import { rows, run, type Sql } from '../sql.js';
import { dsOf } from './instance-codec.js';
import { instantText } from './params.js';

/** One instance to insert, before its series id is known. */
interface Pending {
  teid: string;
  attr: string;
  ds: string;
  inst: Attribute;
  /** Its createdAt and modifiedAt (epoch ms). */
  t: number;
}

/** Record the changed instances of applied changes; returns the instants written (epoch ms). Deletes keep the history. */
export async function recordChanges(db: Sql, changes: AppliedChange[]): Promise<number[]> {
  const byTenant = new Map<string, AppliedChange[]>();
  for (const c of changes) {
    if (c.after === undefined) continue;
    let l = byTenant.get(c.tenant);
    if (l === undefined) byTenant.set(c.tenant, (l = []));
    l.push(c);
  }
  const pending: Pending[] = [];
  for (const [tenant, list] of byTenant) {
    const teids = await touchEntities(db, tenant, list);
    for (const c of list) {
      const after = c.after!;
      const at = toMs(c.at) ?? Date.now();
      const teid = teids.get(after.id)!;
      forEachNewInstance(c.before, after, (attr, inst) => {
        pending.push({ teid, attr, ds: dsOf(inst.datasetId), inst, t: toMs(inst.modifiedAt) ?? at });
      });
    }
  }
  await insertInstances(db, pending);
  return pending.map((x) => x.t);
}

/** What one entity id's changes in a call do to its temporal entity. */
interface Touch {
  id: string;
  types: string[];
  /** Every change kept the types it found: an existing history keeps its own (append may have merged others in). */
  keep: boolean;
  created: number;
  modified: number;
}

/**
 * Lock and move on the temporal entities of `changes` (one tenant), creating those that have no
 * history, and keep their types in step; returns their row ids by entity id.
 */
async function touchEntities(
  db: Sql,
  tenant: string,
  changes: AppliedChange[],
): Promise<Map<string, string>> {
  const touches = new Map<string, Touch>();
  for (const c of changes) {
    const after = c.after!;
    const at = toMs(c.at) ?? Date.now();
    const same = c.before !== undefined && sameTypes(c.before.type, after.type);
    const t = touches.get(after.id);
    if (t === undefined) {
      touches.set(after.id, {
        id: after.id,
        types: after.type,
        keep: same,
        created: toMs(after.createdAt) ?? at,
        modified: at,
      });
    } else {
      t.types = after.type;
      t.keep &&= same;
      t.modified = Math.max(t.modified, at);
    }
  }
  // Two entity writers never touch the same temporal rows at once: they hold the entities' own row
  // locks (taken in id order) first. The temporal API locks one temporal entity per call. Sorted
  // anyway, so that the inserts below take their locks in a stable order.
  const all = [...touches.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const teids = new Map<string, string>();
  const keepers = all.filter((t) => t.keep);
  if (keepers.length > 0) {
    const moved = await rows<{ teid: string; id: string }>(
      db,
      `UPDATE temporal_entities te SET modified_at = greatest(te.modified_at, u.modified)
       FROM unnest($2::text[], $3::timestamptz[]) AS u(id, modified)
       WHERE te.tenant = $1 AND te.id = u.id RETURNING te.teid::text AS teid, te.id`,
      [tenant, keepers.map((t) => t.id), keepers.map((t) => instantText('modifiedAt', t.modified))],
    );
    for (const r of moved) teids.set(r.id, r.teid);
  }
  // Histories created here, histories whose types changed, and kept ones that were deleted meanwhile.
  const rest = all.filter((t) => !teids.has(t.id));
  if (rest.length > 0) {
    const upserted = await rows<{ teid: string; id: string }>(
      db,
      `INSERT INTO temporal_entities AS te (tenant, id, types, created_at, modified_at)
       SELECT $1, u.id, ARRAY(SELECT jsonb_array_elements_text(u.types)), u.created, u.modified
       FROM unnest($2::text[], $3::jsonb[], $4::timestamptz[], $5::timestamptz[]) AS u(id, types, created, modified)
       ORDER BY u.id
       ON CONFLICT (tenant, id) DO UPDATE SET types = excluded.types,
         modified_at = greatest(te.modified_at, excluded.modified_at)
       RETURNING te.teid::text AS teid, te.id`,
      [
        tenant,
        rest.map((t) => t.id),
        rest.map((t) => JSON.stringify(t.types)),
        rest.map((t) => instantText('createdAt', t.created)),
        rest.map((t) => instantText('modifiedAt', t.modified)),
      ],
    );
    for (const r of upserted) teids.set(r.id, r.teid);
    await setTypes(
      db,
      upserted.map((r) => r.teid),
    );
  }
  return teids;
}

/** Rewrite the `temporal_types` rows of temporal entities from their `types`. */
export async function setTypes(db: Sql, teids: string[]): Promise<void> {
  if (teids.length === 0) return;
  await run(db, 'DELETE FROM temporal_types WHERE teid = ANY($1::bigint[])', [teids]);
  await run(
    db,
    `INSERT INTO temporal_types (teid, type, tenant)
     SELECT te.teid, t.type, te.tenant FROM temporal_entities te CROSS JOIN unnest(te.types) AS t(type)
     WHERE te.teid = ANY($1::bigint[]) ON CONFLICT DO NOTHING`,
    [teids],
  );
}

/** Add instances through the temporal API (inside the caller's transaction); creates the temporal entity (types are merged in). */
export async function appendInstances(
  db: Sql,
  tenant: string,
  write: TemporalWrite,
  now: number,
): Promise<{ created: boolean }> {
  checkWrite(write);
  const nowText = instantText('now', now);
  await run(db, 'INSERT INTO tenants (name) VALUES ($1) ON CONFLICT DO NOTHING', [tenant]);
  let teid: string | undefined;
  let created = false;
  // A concurrent creator may win the insert: then its row is there to lock on the next turn.
  for (let turn = 0; teid === undefined && turn < 3; turn++) {
    const [row] = await rows<{ teid: string; types: string[] }>(
      db,
      'SELECT teid::text AS teid, types FROM temporal_entities WHERE tenant = $1 AND id = $2 FOR UPDATE',
      [tenant, write.id],
    );
    if (row !== undefined) {
      teid = row.teid;
      const types = [
        ...row.types,
        ...write.type.filter((t, i) => !row.types.includes(t) && write.type.indexOf(t) === i),
      ];
      await run(
        db,
        'UPDATE temporal_entities SET types = $2::text[], modified_at = greatest(modified_at, $3::timestamptz) WHERE teid = $1',
        [teid, types, nowText],
      );
      if (types.length !== row.types.length) await setTypes(db, [teid]);
      break;
    }
    const [made] = await rows<{ teid: string }>(
      db,
      `INSERT INTO temporal_entities (tenant, id, types, created_at, modified_at) VALUES ($1, $2, $3::text[], $4, $4)
       ON CONFLICT (tenant, id) DO NOTHING RETURNING teid::text AS teid`,
      [tenant, write.id, write.type, nowText],
    );
    if (made !== undefined) {
      teid = made.teid;
      created = true;
      await setTypes(db, [teid]);
    }
  }
  if (teid === undefined) throw new Error(`temporal entity ${write.id} could not be created`);
  const pending: Pending[] = [];
  for (const attr of Object.keys(write.attrs)) {
    const list = instancesOf(write.attrs, attr) ?? [];
    for (const inst of list) pending.push({ teid, attr, ds: dsOf(inst.datasetId), inst, t: now });
  }
  await insertInstances(db, pending);
  return { created };
}

/** Insert instances, creating the series they need. */
async function insertInstances(db: Sql, pending: Pending[]): Promise<void> {
  if (pending.length === 0) return;
  const sids = await seriesIds(db, pending);
  const cols = {
    sid: [] as string[],
    kind: [] as number[],
    observed: [] as Array<string | null>,
    at: [] as string[],
    num: [] as Array<number | null>,
    str: [] as Array<string | null>,
    json: [] as Array<string | null>,
    unit: [] as Array<string | null>,
    extra: [] as Array<string | null>,
  };
  for (const x of pending) {
    const c = encodeInstance(x.inst);
    cols.sid.push(sids.get(key(x))!);
    cols.kind.push(c.kind);
    cols.observed.push(c.observedAt === null ? null : instantText('observedAt', c.observedAt));
    cols.at.push(instantText('modifiedAt', x.t));
    cols.num.push(c.num);
    cols.str.push(c.str);
    cols.json.push(c.json);
    cols.unit.push(c.unit);
    cols.extra.push(c.extra);
  }
  await run(
    db,
    `INSERT INTO temporal_instances (sid, kind, observed_at, created_at, modified_at, num, str, json, unit, extra)
     SELECT u.sid, u.kind, u.observed, u.at, u.at, u.num, u.str, u.json, u.unit, u.extra
     FROM unnest($1::bigint[], $2::smallint[], $3::timestamptz[], $4::timestamptz[], $5::float8[], $6::text[],
                 $7::text[], $8::text[], $9::text[]) AS u(sid, kind, observed, at, num, str, json, unit, extra)`,
    [cols.sid, cols.kind, cols.observed, cols.at, cols.num, cols.str, cols.json, cols.unit, cols.extra],
  );
}

const key = (s: { teid: string; attr: string; ds: string }): string => JSON.stringify([s.teid, s.attr, s.ds]);

/** The series ids of (entity, attribute, datasetId) triples, created when new. */
async function seriesIds(db: Sql, pending: Pending[]): Promise<Map<string, string>> {
  const wanted = new Map<string, { teid: string; attr: string; ds: string }>();
  for (const x of pending) wanted.set(key(x), { teid: x.teid, attr: x.attr, ds: x.ds });
  const out = new Map<string, string>();
  const arrays = (list: Array<{ teid: string; attr: string; ds: string }>): unknown[] => [
    list.map((s) => s.teid),
    list.map((s) => s.attr),
    list.map((s) => s.ds),
  ];
  const found = await rows<{ sid: string; teid: string; attr: string; ds: string }>(
    db,
    `SELECT s.sid::text AS sid, s.teid::text AS teid, s.attr, s.ds FROM temporal_series s
     JOIN unnest($1::bigint[], $2::text[], $3::text[]) AS u(teid, attr, ds)
       ON s.teid = u.teid AND s.attr = u.attr AND s.ds = u.ds`,
    arrays([...wanted.values()]),
  );
  for (const r of found) out.set(key(r), r.sid);
  const missing = [...wanted.entries()].filter(([k]) => !out.has(k)).map(([, s]) => s);
  if (missing.length > 0) {
    // The temporal entity's row lock is held: nobody else creates or drops its series meanwhile.
    const made = await rows<{ sid: string; teid: string; attr: string; ds: string }>(
      db,
      `INSERT INTO temporal_series (teid, attr, ds)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING
       RETURNING sid::text AS sid, teid::text AS teid, attr, ds`,
      arrays(missing),
    );
    for (const r of made) out.set(key(r), r.sid);
    const lost = missing.find((s) => !out.has(key(s)));
    if (lost !== undefined) throw new Error(`series of ${lost.attr} could not be created`);
  }
  return out;
}
