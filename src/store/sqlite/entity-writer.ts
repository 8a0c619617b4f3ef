/**
 * Writes entities and their side data. Each mutation decides from the entity as the group has left
 * it (entity-slots.ts), and when the group's calls have run, every entity they changed is written
 * once, with only the side rows that changed (derived from the stored and the final documents).
 * Group commit: `mutate` calls made in the same event-loop turn share one IMMEDIATE transaction
 * (one WAL append), each call inside its own savepoint, so a call that throws is rolled back alone;
 * every promise settles after the COMMIT.
 */
import type Database from 'better-sqlite3';
import { NgsiError } from '../../core/errors.js';
import type { Attribute, Entity } from '../../core/model/entity.js';
import type { Mutation, MutationResult } from '../port.js';
import { sameJson } from '../shared/same-json.js';
import { attributes, sameShape } from '../shared/entity-shape.js';
import { decide } from '../shared/mutation.js';
import type { AppliedChange, ChangeSink } from './change-sink.js';
import type { Dictionary } from './dictionary.js';
import { StatsDelta, type Discovery } from './discovery.js';
import { decodeDoc, encodeDoc } from './entity-doc.js';
import { GEO_SLOTS, indexEntity, type EntityIndex, type Shape } from './entity-index.js';
import { EntitySlots } from './entity-slots.js';
import { plainRows, type ValueRow } from './value-rows.js';

interface Job {
  tenant: string;
  mutations: Mutation[];
  resolve(r: MutationResult[]): void;
  reject(e: unknown): void;
}

/** What became of one queued call inside the group's transaction. */
type Outcome = JobOutcome | { error: unknown };

interface JobOutcome {
  results: MutationResult[];
  /** What the change sinks asked to run after the commit. */
  afterCommit: Array<() => void>;
}

/** Applies mutations and keeps every side table in step with the documents. */
export class EntityWriter {
  private readonly s;
  private readonly db: Database.Database;
  private readonly job: Database.Transaction<(tenant: string, mutations: Mutation[]) => JobOutcome>;
  private readonly group: Database.Transaction<(jobs: Job[], outcomes: Outcome[]) => Map<number, number>>;
  private queue: Job[] = [];
  private readonly sinks: ChangeSink[] = [];
  private readonly slots: EntitySlots;

  constructor(
    db: Database.Database,
    private readonly terms: Dictionary,
    private readonly tenants: Dictionary,
    private readonly discovery: Discovery,
    /** Told (tid, +n | -n) after a commit that created or deleted entities, for size estimates. */
    private readonly onCount: (tid: number, by: number) => void,
    /** Prove that no mutator or sink changes an entity in place (slower; for the test suites). */
    check = false,
  ) {
    this.db = db;
    this.s = {
      current: db.prepare<[number, string], { eid: number; doc: string }>(
        'SELECT eid, doc FROM entities WHERE tid = ? AND id = ?',
      ),
      insert: db.prepare(
        'INSERT INTO entities (tid, id, type0, created_at, modified_at, geo_n, doc) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      // geo_n NULL keeps the count: the entity's GeoProperties did not change.
      update: db.prepare(
        'UPDATE entities SET type0 = ?, created_at = ?, modified_at = ?, geo_n = coalesce(?, geo_n), doc = ? WHERE eid = ?',
      ),
      remove: db.prepare('DELETE FROM entities WHERE eid = ?'),
      dropTypes: db.prepare('DELETE FROM entity_types WHERE eid = ?'),
      dropScopes: db.prepare('DELETE FROM entity_scopes WHERE eid = ?'),
      dropValues: db.prepare('DELETE FROM attr_values WHERE eid = ?'),
      addType: db.prepare('INSERT INTO entity_types (eid, type, tid, id) VALUES (?, ?, ?, ?)'),
      dropType: db.prepare('DELETE FROM entity_types WHERE eid = ? AND type = ?'),
      addScope: db.prepare('INSERT INTO entity_scopes (eid, scope, tid) VALUES (?, ?, ?)'),
      dropScope: db.prepare('DELETE FROM entity_scopes WHERE eid = ? AND scope = ?'),
      addValue: db.prepare(
        'INSERT INTO attr_values (eid, p, i, tid, k, v, d, ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      setValue: db.prepare(
        'UPDATE attr_values SET k = ?, v = ?, d = ?, ms = ? WHERE eid = ? AND p = ? AND i = ?',
      ),
      dropValue: db.prepare('DELETE FROM attr_values WHERE eid = ? AND p = ? AND i = ?'),
      addShape: db.prepare('INSERT INTO geo_rtree VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      dropShape: db.prepare('DELETE FROM geo_rtree WHERE id = ?'),
    };
    this.slots = new EntitySlots((tenant, id) => {
      const tid = this.tenants.idOf(tenant);
      const row = tid === undefined ? undefined : this.s.current.get(tid, id);
      return row && { eid: row.eid, doc: row.doc, entity: decodeDoc(id, row.doc) };
    }, check);
    // Called inside the group's transaction, better-sqlite3 runs this in a SAVEPOINT.
    this.job = db.transaction((tenant: string, mutations: Mutation[]) => this.run(tenant, mutations));
    this.group = db.transaction((jobs: Job[], outcomes: Outcome[]) => this.runGroup(jobs, outcomes));
  }

  /** Add a sink told of every applied change inside the transaction (history, outbox). */
  addSink(sink: ChangeSink): void {
    this.sinks.push(sink);
  }

  /** Queue a batch; it commits with the other calls of this event-loop turn. Results in input order. */
  mutate(tenant: string, mutations: Mutation[]): Promise<MutationResult[]> {
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push({ tenant, mutations, resolve, reject });
    });
  }

  /** Commit every queued call now (the store calls this before closing). */
  flush(): void {
    const jobs = this.queue;
    this.queue = [];
    if (jobs.length === 0) return;
    const outcomes: Outcome[] = [];
    let counts: Map<number, number>;
    try {
      counts = this.group.immediate(jobs, outcomes);
    } catch (cause) {
      this.slots.clear();
      this.forget();
      // A lone call runs without a savepoint: its own failure rolled the transaction back, and is its answer.
      const own = jobs.length === 1 ? outcomes[0] : undefined;
      if (own && 'error' in own) return jobs[0]!.reject(own.error);
      // The group's transaction itself failed (closed database, disk full): nobody's batch is in.
      const error = new NgsiError('InternalError', `write failed: ${(cause as Error).message}`, { cause });
      for (const j of jobs) j.reject(error);
      return;
    }
    this.slots.clear();
    for (const [tid, by] of counts) if (by !== 0) this.onCount(tid, by);
    jobs.forEach((j, n) => {
      const out = outcomes[n]!;
      if ('error' in out) return j.reject(out.error);
      for (const after of out.afterCommit) after();
      j.resolve(out.results);
    });
  }

  /**
   * The body of the group's transaction: each call in its savepoint, unless it is alone; then the
   * rows of every entity the calls changed. Returns the entities created (+) or deleted (-) per tenant id.
   */
  private runGroup(jobs: Job[], outcomes: Outcome[]): Map<number, number> {
    if (jobs.length === 1) {
      // Savepoints cost two statements per call; alone, the transaction's rollback does the same job.
      const j = jobs[0]!;
      try {
        outcomes.push(this.run(j.tenant, j.mutations));
      } catch (error) {
        outcomes.push({ error });
        throw error;
      }
    } else {
      for (const j of jobs) {
        this.slots.begin();
        try {
          outcomes.push(this.job(j.tenant, j.mutations));
        } catch (error) {
          this.slots.rollback();
          this.forget(); // the savepoint rolled back ids interned inside it
          outcomes.push({ error });
        }
      }
    }
    const delta = new StatsDelta();
    const counts = this.writeRows(delta);
    this.discovery.apply(delta);
    return counts;
  }

  /** Write every changed entity once: its final state against the one stored when the group began. */
  private writeRows(delta: StatsDelta): Map<number, number> {
    const counts = new Map<number, number>();
    for (const slot of this.slots.touched()) {
      const { stored, now, eid } = slot;
      if (stored === now) continue;
      // The tenant was made when the entity was first put, or the entity could not have been read.
      const tid = this.tenants.ensure(slot.tenant);
      if (stored !== undefined && eid !== undefined) {
        if (now !== undefined) this.replace(tid, eid, stored, now, delta);
        else {
          this.remove(tid, eid, stored, delta);
          counts.set(tid, (counts.get(tid) ?? 0) - 1);
        }
      } else if (now !== undefined) {
        this.create(tid, now, delta);
        counts.set(tid, (counts.get(tid) ?? 0) + 1);
      }
    }
    return counts;
  }

  /** Recompute every side table from the stored documents (when INDEX_VERSION changed), in one transaction. */
  rebuild(): void {
    const page = this.db.prepare<[number], { eid: number; tid: number; id: string; doc: string }>(
      'SELECT eid, tid, id, doc FROM entities WHERE eid > ? ORDER BY eid LIMIT 1000',
    );
    const setGeo = this.db.prepare('UPDATE entities SET geo_n = ? WHERE eid = ?');
    const tables = ['entity_types', 'entity_scopes', 'attr_values', 'geo_rtree', 'shape_stats'];
    this.db
      .transaction(() => {
        for (const t of tables) this.db.exec(`DELETE FROM ${t}`);
        const delta = new StatsDelta();
        // Pages by rowid: better-sqlite3 cannot write while a read iterator is open.
        for (let rows = page.all(0); rows.length > 0; rows = page.all(rows[rows.length - 1]!.eid)) {
          for (const r of rows) {
            const e = decodeDoc(r.id, r.doc);
            const ix = indexEntity(e);
            this.writeNew(r.tid, r.eid, e, ix);
            setGeo.run(ix.shapes.length, r.eid);
            delta.add(r.tid, ix, 1);
          }
        }
        this.discovery.apply(delta);
      })
      .immediate();
  }

  private forget(): void {
    this.terms.forget();
    this.tenants.forget();
  }

  private run(tenant: string, mutations: Mutation[]): JobOutcome {
    const changes: AppliedChange[] = [];
    const results = mutations.map((m): MutationResult => {
      const slot = this.slots.get(tenant, m.id);
      // Mutators do not change what they are given (port.ts), so it is also the state reported before.
      const before = slot.now;
      const decision = decide(m, before);
      if (decision.action === 'fail') return { id: m.id, ok: false, error: decision.error };
      switch (decision.action) {
        case 'skip':
          return { id: m.id, ok: true, action: 'skip', before, after: before };
        case 'delete':
          if (before) {
            this.slots.set(slot, undefined);
            const tid = this.tenants.ensure(tenant);
            changes.push({ tid, tenant, id: m.id, before, at: new Date().toISOString() });
          }
          return { id: m.id, ok: true, action: 'delete', before };
        case 'put': {
          const after = decision.entity;
          const tid = this.tenants.ensure(tenant);
          this.slots.set(slot, after);
          const at = after.modifiedAt ?? new Date().toISOString();
          changes.push(
            before ? { tid, tenant, id: m.id, before, after, at } : { tid, tenant, id: m.id, after, at },
          );
          return { id: m.id, ok: true, action: 'put', before, after };
        }
      }
    });
    const afterCommit: Array<() => void> = [];
    if (changes.length > 0) {
      for (const sink of this.sinks) {
        const after = sink.record(changes);
        if (after) afterCommit.push(after);
      }
    }
    return { results, afterCommit };
  }

  private create(tid: number, e: Entity, delta: StatsDelta): void {
    const ix = indexEntity(e);
    const doc = encodeDoc(e);
    const info = this.s.insert.run(
      tid,
      e.id,
      e.type[0] ?? '',
      e.createdAt ?? null,
      e.modifiedAt ?? null,
      ix.shapes.length,
      doc,
    );
    this.writeNew(tid, Number(info.lastInsertRowid), e, ix);
    delta.add(tid, ix, 1);
  }

  /** Side rows of an entity that has none yet: inserts only, no diff (creates and rebuilds). */
  private writeNew(tid: number, eid: number, e: Entity, ix: EntityIndex): void {
    const s = this.s;
    for (const t of ix.types) s.addType.run(eid, this.terms.ensure(t), tid, e.id);
    for (const sc of ix.scopes) s.addScope.run(eid, sc, tid);
    for (const attr in e.attrs) {
      const instances = e.attrs[attr];
      if (!Array.isArray(instances)) continue;
      const rows = plainRows(instances);
      if (rows.length === 0) continue;
      const p = this.terms.ensure(attr);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        s.addValue.run(eid, p, i, tid, r.k, r.v, r.d, r.ms);
      }
    }
    for (let n = 0; n < ix.shapes.length; n++) this.addShape(tid, eid, n, ix.shapes[n]!);
  }

  private replace(tid: number, eid: number, old: Entity, e: Entity, delta: StatsDelta): void {
    // Value rows and shapes derive from each instance's type and value only: attributes whose
    // instances kept both (a timestamp-only change, or an untouched attribute) keep their rows.
    const before = new Map(attributes(old));
    const changed: Array<[string, Attribute[] | undefined, Attribute[] | undefined]> = [];
    let geoChanged = false;
    for (const [attr, now] of attributes(e)) {
      const prev = before.get(attr);
      before.delete(attr);
      if (prev !== undefined && sameValues(prev, now)) continue;
      changed.push([attr, prev, now]);
      geoChanged ||= hasGeo(prev) || hasGeo(now);
    }
    for (const [attr, prev] of before) {
      changed.push([attr, prev, undefined]);
      geoChanged ||= hasGeo(prev);
    }
    // Shapes (JSON + bounding box, R*Tree rows) only when a GeoProperty changed.
    const same = sameShape(old, e);
    const [was, ix] = [indexEntity(old, geoChanged, !same), indexEntity(e, geoChanged, !same)];
    this.s.update.run(
      e.type[0] ?? '',
      e.createdAt ?? null,
      e.modifiedAt ?? null,
      geoChanged ? ix.shapes.length : null,
      encodeDoc(e),
      eid,
    );
    const s = this.s;
    for (const t of was.types) if (!ix.types.includes(t)) s.dropType.run(eid, this.terms.ensure(t));
    for (const t of ix.types) if (!was.types.includes(t)) s.addType.run(eid, this.terms.ensure(t), tid, e.id);
    for (const sc of was.scopes) if (!ix.scopes.includes(sc)) s.dropScope.run(eid, sc);
    for (const sc of ix.scopes) if (!was.scopes.includes(sc)) s.addScope.run(eid, sc, tid);
    for (const [attr, prev, now] of changed)
      this.writeValues(tid, eid, attr, prev ? plainRows(prev) : [], now ? plainRows(now) : []);
    if (geoChanged) {
      const slots = Math.max(was.shapes.length, ix.shapes.length);
      for (let n = 0; n < slots; n++) {
        const [o, g] = [was.shapes[n], ix.shapes[n]];
        if (o && g && o.attr === g.attr && o.geom === g.geom) continue;
        if (o) s.dropShape.run(eid * GEO_SLOTS + n);
        if (g) this.addShape(tid, eid, n, g);
      }
    }
    if (!same && was.signature !== ix.signature) {
      delta.add(tid, was, -1);
      delta.add(tid, ix, 1);
    }
  }

  private remove(tid: number, eid: number, old: Entity, delta: StatsDelta): void {
    const was = indexEntity(old);
    // Whole key ranges by eid: one statement per table instead of one per row.
    this.s.dropTypes.run(eid);
    this.s.dropScopes.run(eid);
    this.s.dropValues.run(eid);
    for (let n = 0; n < was.shapes.length; n++) this.s.dropShape.run(eid * GEO_SLOTS + n);
    this.s.remove.run(eid);
    delta.add(tid, was, -1);
  }

  private addShape(tid: number, eid: number, n: number, g: Shape): void {
    const b = g.box;
    this.s.addShape.run(
      eid * GEO_SLOTS + n,
      b[0],
      b[2],
      b[1],
      b[3],
      tid,
      this.terms.ensure(g.attr),
      eid,
      g.geom,
    );
  }

  private writeValues(tid: number, eid: number, attr: string, old: ValueRow[], now: ValueRow[]): void {
    let p: number | undefined;
    for (let i = 0; i < Math.max(old.length, now.length); i++) {
      const [o, r] = [old[i], now[i]];
      if (o && r && o.k === r.k && o.v === r.v && o.ms === r.ms && o.d === r.d) continue;
      p ??= this.terms.ensure(attr);
      if (o && r) this.s.setValue.run(r.k, r.v, r.d, r.ms, eid, p, i);
      else if (r) this.s.addValue.run(eid, p, i, tid, r.k, r.v, r.d, r.ms);
      else this.s.dropValue.run(eid, p, i);
    }
  }
}

/** True when an attribute has a GeoProperty instance (its shapes are indexed). */
function hasGeo(instances: Attribute[] | undefined): boolean {
  return instances?.some((i) => i.type === 'GeoProperty') ?? false;
}

/** Same instances as far as the index is concerned: same attribute types and values, in order. */
function sameValues(a: Attribute[], b: Attribute[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i], b[i]];
    if (x?.type !== y?.type || !sameJson(x?.value, y?.value)) return false;
  }
  return true;
}
