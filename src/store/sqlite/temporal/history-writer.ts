/**
 * Writes attribute instances into the history: from the current state's changes, inside the entity
 * writer's transaction (`record`), and from the temporal API (`append`). Every statement is prepared
 * once; the instances of a call are inserted together at its end (./instance-batch.ts), an entity
 * changed by a call costs one UPDATE of its temporal entity however many changes it had, and series
 * ids come from a memory cache, so recording reads nothing per instance once a series is known. Only
 * instances that are new or changed (the shared rule: src/store/shared/temporal/history-changes.ts)
 * are encoded at all.
 */
import type Database from 'better-sqlite3';
import type { Entity } from '../../../core/model/entity.js';
import type { TemporalWrite } from '../../port.js';
import { forEachNewInstance, sameTypes } from '../../shared/temporal/history-changes.js';
import { encodeInstance, LastInstant, toMs } from '../../shared/temporal/instance-codec.js';
import type { AppliedChange } from '../change-sink.js';
import type { Dictionary } from '../dictionary.js';
import { InstanceBatch } from './instance-batch.js';

/** Series ids learned inside a transaction: remembered only once it commits (a rollback forgets them). */
export type Learned = Map<string, number>;

/** Temporal entity rows one `record` call has moved: row id and the modifiedAt it was moved to, by "tid id". */
type Touched = Map<string, { teid: number; at: number }>;

/** Most series ids kept in memory; past it the cache starts over. */
const MAX_CACHED_SERIES = 100_000;

/** Writes instances and keeps temporal entities, their types and their series in step. */
export class HistoryWriter {
  private readonly s;
  private readonly series = new Map<string, number>();
  private readonly batch: InstanceBatch;
  private readonly modified = new LastInstant();

  constructor(
    db: Database.Database,
    private readonly terms: Dictionary,
  ) {
    this.batch = new InstanceBatch(db);
    this.s = {
      touch: db.prepare<[number, number, string], { teid: number }>(
        'UPDATE temporal_entities SET modified_at = max(modified_at, ?) WHERE tid = ? AND id = ? RETURNING teid',
      ),
      upsert: db.prepare<[number, string, string, number, number], { teid: number }>(
        'INSERT INTO temporal_entities (tid, id, types, created_at, modified_at) VALUES (?, ?, ?, ?, ?) ' +
          'ON CONFLICT (tid, id) DO UPDATE SET types = excluded.types, ' +
          'modified_at = max(modified_at, excluded.modified_at) RETURNING teid',
      ),
      // Returns a row only when the entity's history is new (nothing to look up for its series).
      insertNew: db.prepare<[number, string, string, number, number], { teid: number }>(
        'INSERT INTO temporal_entities (tid, id, types, created_at, modified_at) VALUES (?, ?, ?, ?, ?) ' +
          'ON CONFLICT (tid, id) DO NOTHING RETURNING teid',
      ),
      entity: db.prepare<[number, string], { teid: number; types: string }>(
        'SELECT teid, types FROM temporal_entities WHERE tid = ? AND id = ?',
      ),
      dropTypes: db.prepare<[number]>('DELETE FROM temporal_types WHERE teid = ?'),
      addType: db.prepare<[number, number]>(
        'INSERT OR IGNORE INTO temporal_types (teid, type) VALUES (?, ?)',
      ),
      findSeries: db.prepare<[number, number, number], { sid: number }>(
        'SELECT sid FROM temporal_series WHERE teid = ? AND attr = ? AND ds = ?',
      ),
      addSeries: db.prepare<[number, number, number]>(
        'INSERT INTO temporal_series (teid, attr, ds) VALUES (?, ?, ?)',
      ),
    };
  }

  /** Record the changed instances of applied changes; deletes keep the history as it is. */
  record(changes: AppliedChange[], learned: Learned): void {
    // Temporal entities this call has touched: a device's burst of readings moves its row once.
    const touched: Touched = new Map();
    this.batch.insertAll(() => {
      for (const c of changes) {
        if (c.after === undefined) continue;
        const at = toMs(c.at) ?? Date.now();
        const { teid, fresh } = this.entityRow(c.tid, c.after, c.before, at, touched);
        // Interned once per attribute that has a new instance (they come attribute by attribute).
        let name: string | undefined;
        let p = 0;
        forEachNewInstance(c.before, c.after, (attr, inst) => {
          if (attr !== name) [name, p] = [attr, this.terms.ensure(attr)];
          const t = this.modified.toMs(inst.modifiedAt) ?? at;
          this.batch.add(this.seriesId(teid, p, inst.datasetId, learned, fresh), encodeInstance(inst), t, t);
        });
      }
    });
  }

  /** Add instances through the temporal API; creates the temporal entity (types are merged in). */
  append(tid: number, write: TemporalWrite, now: number, learned: Learned): { created: boolean } {
    const row = this.s.entity.get(tid, write.id);
    let teid: number;
    if (row === undefined) {
      teid = this.s.upsert.get(tid, write.id, JSON.stringify(write.type), now, now)!.teid;
      this.setTypes(teid, write.type);
    } else {
      const had = JSON.parse(row.types) as string[];
      const types = [...had, ...write.type.filter((t) => !had.includes(t))];
      teid = this.s.upsert.get(tid, write.id, JSON.stringify(types), now, now)!.teid;
      if (types.length !== had.length) this.setTypes(teid, types);
    }
    this.batch.insertAll(() => {
      for (const [attr, list] of Object.entries(write.attrs)) {
        if (list.length === 0) continue;
        const p = this.terms.ensure(attr);
        for (const inst of list)
          this.batch.add(this.seriesId(teid, p, inst.datasetId, learned), encodeInstance(inst), now, now);
      }
    });
    return { created: row === undefined };
  }

  /** Remember the series ids of a committed transaction. */
  remember(learned: Learned): void {
    if (this.series.size + learned.size > MAX_CACHED_SERIES) this.series.clear();
    for (const [k, sid] of learned) this.series.set(k, sid);
  }

  /** Forget every cached series id (after series were deleted). */
  forgetSeries(): void {
    this.series.clear();
  }

  /**
   * The temporal entity's row id, its modifiedAt moved on, its types written when they changed;
   * `fresh` when the row is new, so it has no series yet. A row this call already moved to `at` or
   * later is not written again.
   */
  private entityRow(
    tid: number,
    after: Entity,
    before: Entity | undefined,
    at: number,
    touched: Touched,
  ): { teid: number; fresh: boolean } {
    const key = `${tid} ${after.id}`;
    if (before !== undefined && sameTypes(before.type, after.type)) {
      const known = touched.get(key);
      if (known !== undefined && at <= known.at) return { teid: known.teid, fresh: false };
      const row = this.s.touch.get(at, tid, after.id);
      if (row) {
        touched.set(key, { teid: row.teid, at });
        return { teid: row.teid, fresh: false };
      }
    }
    const got = this.writeEntityRow(tid, after, before, at);
    touched.set(key, { teid: got.teid, at });
    return got;
  }

  /** Insert or update the temporal entity's row with its types (a new entity, or its types changed). */
  private writeEntityRow(
    tid: number,
    after: Entity,
    before: Entity | undefined,
    at: number,
  ): { teid: number; fresh: boolean } {
    const created = toMs(after.createdAt) ?? at;
    const types = JSON.stringify(after.type);
    // A new entity's history is usually new too (unless the entity was deleted and made again).
    const inserted =
      before === undefined ? this.s.insertNew.get(tid, after.id, types, created, at) : undefined;
    if (inserted !== undefined) {
      for (const t of after.type) this.s.addType.run(inserted.teid, this.terms.ensure(t));
      return { teid: inserted.teid, fresh: true };
    }
    const teid = this.s.upsert.get(tid, after.id, types, created, at)!.teid;
    this.setTypes(teid, after.type);
    return { teid, fresh: false };
  }

  private setTypes(teid: number, types: string[]): void {
    this.s.dropTypes.run(teid);
    for (const t of types) this.s.addType.run(teid, this.terms.ensure(t));
  }

  /** The series of (entity, attribute, datasetId), created when new (not looked up for a `fresh` entity). */
  private seriesId(
    teid: number,
    attr: number,
    datasetId: string | undefined,
    learned: Learned,
    fresh = false,
  ): number {
    const ds = datasetId === undefined ? 0 : this.terms.ensure(datasetId);
    const key = `${teid} ${attr} ${ds}`;
    const known = this.series.get(key) ?? learned.get(key);
    if (known !== undefined) return known;
    const sid =
      (fresh ? undefined : this.s.findSeries.get(teid, attr, ds)?.sid) ??
      Number(this.s.addSeries.run(teid, attr, ds).lastInsertRowid);
    learned.set(key, sid);
    return sid;
  }
}
