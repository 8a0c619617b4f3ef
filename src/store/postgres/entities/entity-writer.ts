/**
 * Writes entities and their side rows in PostgreSQL, where several replicas write at once.
 *
 * One `mutate` call (or the calls of one event-loop turn, see `mutate`) is one transaction: it locks the rows of the ids it names (`FOR UPDATE`, in id
 * order, so two calls over overlapping ids queue instead of deadlocking), lets each mutation decide
 * from the entity as the call has left it so far, then lands the net result per id in a few set-based
 * statements (`unnest` arrays: one round trip per table, not per row), and tells the change sinks
 * (history, outbox) inside the same transaction.
 *
 * Two calls may both find an id absent and both insert it: the second's INSERT waits for the
 * first's commit and fails on the unique (tenant, id) index. That call, like one chosen as a deadlock
 * victim, is run again from the start — its mutations then see the entity the other call created, as
 * if the two had run one after the other. Mutations decide from their argument only, so running
 * one again is safe; sinks return their after-commit work rather than acting before the commit.
 */
import type pg from 'pg';
import { isNgsiError, NgsiError } from '../../../core/errors.js';
import type { Entity } from '../../../core/model/entity.js';
import type { Mutation, MutationResult } from '../../port.js';
import { byCodeUnit } from '../../shared/code-order.js';
import { decide } from '../../shared/mutation.js';
import type { AppliedChange, ChangeSink } from '../change-sink.js';
import { rowsPrepared, runPrepared, sqlState, transaction, UNIQUE_VIOLATION, type Sql } from '../sql.js';
import type { Terms } from '../terms.js';
import { derive, type Derived } from './derive.js';
import { decodeDoc, encodeDoc } from './entity-reader.js';

/** SQLSTATEs after which the whole call is run again: deadlock_detected, serialization_failure, and a concurrent insert. */
const RETRYABLE = new Set(['40P01', '40001', UNIQUE_VIOLATION]);
/** Attempts of one call before its failure is reported. */
const ATTEMPTS = 8;

/** An id's row as found when the call began, and where the call has left it. */
interface Slot {
  eid?: number;
  /** The entity as the call has left it so far (undefined: absent). */
  now?: Entity;
  touched: boolean;
}

/** What one attempt produced. */
interface Attempt {
  results: MutationResult[];
  after: Array<() => void>;
}

/** A queued `mutate` call. */
interface Job {
  tenant: string;
  mutations: Mutation[];
  resolve(results: MutationResult[]): void;
  reject(error: unknown): void;
}

/** What a failed call is rejected with: its NgsiError, or an InternalError that keeps the cause. */
function wrap(e: unknown): unknown {
  if (isNgsiError(e)) return e;
  return new NgsiError('InternalError', `write failed: ${(e as Error).message}`, { cause: e });
}

export class PgEntityWriter {
  private readonly sinks: ChangeSink[] = [];
  private queue: Job[] = [];

  constructor(
    private readonly pool: pg.Pool,
    private readonly terms: Terms,
  ) {}

  /** Add a sink told of every applied change inside the transaction (history first, then the outbox). */
  addSink(sink: ChangeSink): void {
    this.sinks.push(sink);
  }

  /**
   * Apply mutations in one transaction; results in input order (the Store port's `mutate`). Calls
   * made in the same event-loop turn share one transaction (group commit: one round of locks and
   * one commit for many small writes, as concurrent single-entity creates are); should that shared
   * transaction fail for a reason other than a conflict, each call is run again alone, so a call
   * that fails never takes the others down with it.
   */
  mutate(tenant: string, mutations: Mutation[]): Promise<MutationResult[]> {
    if (mutations.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => void this.flush());
      this.queue.push({ tenant, mutations, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const jobs = this.queue;
    this.queue = [];
    if (jobs.length === 0) return;
    try {
      const done = await this.run(jobs);
      jobs.forEach((j, i) => {
        for (const f of done[i]!.after) f();
        j.resolve(done[i]!.results);
      });
    } catch (e) {
      if (jobs.length === 1) return jobs[0]!.reject(wrap(e));
      // Find the call that failed: each alone, in its own transaction.
      await Promise.all(
        jobs.map(async (j) => {
          try {
            const [done] = await this.run([j]);
            for (const f of done!.after) f();
            j.resolve(done!.results);
          } catch (alone) {
            j.reject(wrap(alone));
          }
        }),
      );
    }
  }

  /** The calls in one transaction, run again from the start after a conflict (up to ATTEMPTS times). */
  private async run(jobs: Job[]): Promise<Attempt[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await transaction(this.pool, async (db) => {
          // The calls of one tenant are run as one: their mutations in call order, with one round of
          // set-based statements (32 single-entity creates cost the statements of one, not 32 times
          // 11 round trips). Each call gets its slice of the results; the after-commit work is shared.
          const out: Attempt[] = new Array<Attempt>(jobs.length);
          const byTenant = new Map<string, number[]>();
          jobs.forEach((j, i) => byTenant.set(j.tenant, [...(byTenant.get(j.tenant) ?? []), i]));
          for (const [tenant, idx] of byTenant) {
            const all = await this.attempt(
              db,
              tenant,
              idx.flatMap((i) => jobs[i]!.mutations),
            );
            let from = 0;
            idx.forEach((i, k) => {
              const n = jobs[i]!.mutations.length;
              out[i] = { results: all.results.slice(from, from + n), after: k === 0 ? all.after : [] };
              from += n;
            });
          }
          return out;
        });
      } catch (e) {
        if (attempt < ATTEMPTS && RETRYABLE.has(sqlState(e) ?? '')) {
          // A short random pause, so that callers that collided do not collide again at once.
          await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
          continue;
        }
        throw e;
      }
    }
  }

  private async attempt(db: Sql, tenant: string, mutations: Mutation[]): Promise<Attempt> {
    const slots = await this.lock(db, tenant, mutations);
    const changes: AppliedChange[] = [];
    const results = mutations.map((m): MutationResult => {
      const slot = slots.get(m.id)!;
      // Mutators do not change what they are given (port.ts): no copies, before is what they saw.
      const before = slot.now;
      const decision = decide(m, before);
      if (decision.action === 'fail') return { id: m.id, ok: false, error: decision.error };
      switch (decision.action) {
        case 'skip':
          return { id: m.id, ok: true, action: 'skip', before, after: before };
        case 'delete':
          if (before) {
            slot.now = undefined;
            slot.touched = true;
            changes.push({ tenant, id: m.id, before, at: new Date().toISOString() });
          }
          return { id: m.id, ok: true, action: 'delete', before };
        case 'put': {
          const after = decision.entity;
          if (holdsNul(after)) {
            // PostgreSQL text cannot hold U+0000 (capability nulInText): refused whole, for this entity only.
            const error = new NgsiError('BadRequestData', 'this store cannot hold the character U+0000');
            return { id: m.id, ok: false, error };
          }
          slot.now = after;
          slot.touched = true;
          const at = after.modifiedAt ?? new Date().toISOString();
          changes.push(before ? { tenant, id: m.id, before, after, at } : { tenant, id: m.id, after, at });
          return { id: m.id, ok: true, action: 'put', before, after };
        }
      }
    });
    await this.write(db, tenant, slots);
    const after: Array<() => void> = [];
    if (changes.length > 0) {
      for (const sink of this.sinks) {
        const f = await sink.record(db, changes);
        if (f) after.push(f);
      }
    }
    return { results, after };
  }

  /** Lock the rows of the ids named, in id order, and read them. */
  private async lock(db: Sql, tenant: string, mutations: Mutation[]): Promise<Map<string, Slot>> {
    const ids = [...new Set(mutations.map((m) => m.id))].sort(byCodeUnit);
    // An id (or tenant) holding U+0000 cannot be stored here, so it names no stored entity.
    const found = tenant.includes('\u0000')
      ? []
      : await rowsPrepared<{ eid: string; id: string; doc: string }>(
          db,
          `SELECT eid, id, doc::text AS doc FROM entities WHERE tenant = $1 AND id = ANY($2::text[])
           ORDER BY id FOR UPDATE`,
          [tenant, ids.filter((id) => !id.includes('\u0000'))],
        );
    const slots = new Map<string, Slot>(ids.map((id) => [id, { touched: false }]));
    for (const r of found) {
      const e = decodeDoc(r.id, r.doc);
      slots.set(r.id, { eid: Number(r.eid), now: e, touched: false });
    }
    return slots;
  }

  /** Land the net state of every touched id: deletes, updates and inserts, then the side rows. */
  private async write(db: Sql, tenant: string, slots: Map<string, Slot>): Promise<void> {
    const gone: number[] = [];
    const updated: Array<{ eid: number; e: Entity }> = [];
    const created: Entity[] = [];
    for (const s of slots.values()) {
      if (!s.touched) continue;
      if (s.eid !== undefined && s.now === undefined) gone.push(s.eid);
      else if (s.eid !== undefined && s.now) updated.push({ eid: s.eid, e: s.now });
      else if (s.now) created.push(s.now);
    }
    if (gone.length > 0) await runPrepared(db, 'DELETE FROM entities WHERE eid = ANY($1::bigint[])', [gone]);
    if (updated.length === 0 && created.length === 0) return;
    await runPrepared(db, 'INSERT INTO tenants (name) VALUES ($1) ON CONFLICT DO NOTHING', [tenant]);
    const written: Array<{ eid: number; e: Entity; d: Derived }> = [];
    if (updated.length > 0) {
      const ds = updated.map((u) => derive(u.e));
      await runPrepared(
        db,
        `UPDATE entities AS e SET type0 = u.type0, created_at = u.created_at, modified_at = u.modified_at,
           signature = u.signature, doc = u.doc::json
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
           AS u(eid, type0, created_at, modified_at, signature, doc)
         WHERE e.eid = u.eid`,
        [
          updated.map((u) => u.eid),
          updated.map((u) => u.e.type[0] ?? ''),
          updated.map((u) => u.e.createdAt ?? null),
          updated.map((u) => u.e.modifiedAt ?? null),
          ds.map((d) => d.signature),
          updated.map((u) => encodeDoc(u.e)),
        ],
      );
      const eids = updated.map((u) => u.eid);
      // Side rows are replaced whole: one statement per table, whatever changed.
      for (const table of ['entity_types', 'entity_scopes', 'attr_values', 'entity_geo'])
        await runPrepared(db, `DELETE FROM ${table} WHERE eid = ANY($1::bigint[])`, [eids]);
      updated.forEach((u, n) => written.push({ eid: u.eid, e: u.e, d: ds[n]! }));
    }
    if (created.length > 0) {
      const ds = created.map((e) => derive(e));
      const inserted = await rowsPrepared<{ eid: string; id: string }>(
        db,
        `INSERT INTO entities (tenant, id, type0, created_at, modified_at, signature, doc)
         SELECT $1, u.id, u.type0, u.created_at, u.modified_at, u.signature, u.doc::json
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
           AS u(id, type0, created_at, modified_at, signature, doc)
         RETURNING eid, id`,
        [
          tenant,
          created.map((e) => e.id),
          created.map((e) => e.type[0] ?? ''),
          created.map((e) => e.createdAt ?? null),
          created.map((e) => e.modifiedAt ?? null),
          ds.map((d) => d.signature),
          created.map((e) => encodeDoc(e)),
        ],
      );
      const eidOf = new Map(inserted.map((r) => [r.id, Number(r.eid)]));
      created.forEach((e, n) => written.push({ eid: eidOf.get(e.id)!, e, d: ds[n]! }));
    }
    await this.writeSideRows(db, tenant, written);
  }

  private async writeSideRows(
    db: Sql,
    tenant: string,
    written: Array<{ eid: number; e: Entity; d: Derived }>,
  ): Promise<void> {
    const names = new Set<string>();
    for (const w of written) {
      for (const v of w.d.values) names.add(v.attr);
      for (const s of w.d.shapes) names.add(s.attr);
    }
    // Terms are made on the terms' own connection and committed at once (never rolled back with us).
    await this.terms.intern(names);
    const types = { eid: [] as number[], type: [] as string[], id: [] as string[] };
    const scopes = { eid: [] as number[], scope: [] as string[] };
    const values = {
      eid: [] as number[],
      p: [] as number[],
      i: [] as number[],
      k: [] as number[],
      num: [] as Array<number | null>,
      str: [] as Array<string | null>,
      d: [] as Array<number | null>,
      ms: [] as Array<number | null>,
    };
    const geo = { eid: [] as number[], n: [] as number[], p: [] as number[], g: [] as string[] };
    for (const { eid, e, d } of written) {
      for (const t of d.types) {
        types.eid.push(eid);
        types.type.push(t);
        types.id.push(e.id);
      }
      for (const s of d.scopes) {
        scopes.eid.push(eid);
        scopes.scope.push(s);
      }
      for (const v of d.values) {
        const p = this.terms.idOf(v.attr);
        v.rows.forEach((r, i) => {
          values.eid.push(eid);
          values.p.push(p);
          values.i.push(i);
          values.k.push(r.k);
          values.num.push(r.num);
          values.str.push(r.str);
          values.d.push(r.d);
          values.ms.push(r.ms);
        });
      }
      d.shapes.forEach((s, n) => {
        geo.eid.push(eid);
        geo.n.push(n);
        geo.p.push(this.terms.idOf(s.attr));
        geo.g.push(s.geojson);
      });
    }
    if (types.eid.length > 0)
      await runPrepared(
        db,
        `INSERT INTO entity_types (eid, type, tenant, id)
         SELECT u.eid, u.type, $1, u.id FROM unnest($2::bigint[], $3::text[], $4::text[]) AS u(eid, type, id)`,
        [tenant, types.eid, types.type, types.id],
      );
    if (scopes.eid.length > 0)
      await runPrepared(
        db,
        `INSERT INTO entity_scopes (eid, scope, tenant)
         SELECT u.eid, u.scope, $1 FROM unnest($2::bigint[], $3::text[]) AS u(eid, scope)`,
        [tenant, scopes.eid, scopes.scope],
      );
    if (values.eid.length > 0)
      await runPrepared(
        db,
        `INSERT INTO attr_values (eid, p, i, tenant, k, num, str, d, ms)
         SELECT u.eid, u.p, u.i, $1, u.k, u.num, u.str, u.d, u.ms
         FROM unnest($2::bigint[], $3::int[], $4::int[], $5::smallint[], $6::float8[], $7::text[],
                     $8::smallint[], $9::bigint[]) AS u(eid, p, i, k, num, str, d, ms)`,
        [tenant, values.eid, values.p, values.i, values.k, values.num, values.str, values.d, values.ms],
      );
    if (geo.eid.length > 0)
      await runPrepared(
        db,
        `INSERT INTO entity_geo (eid, n, p, tenant, geom)
         SELECT u.eid, u.n, u.p, $1, ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON(u.g)), 4326)
         FROM unnest($2::bigint[], $3::smallint[], $4::int[], $5::text[]) AS u(eid, n, p, g)`,
        [tenant, geo.eid, geo.n, geo.p, geo.g],
      );
  }
}

/** True when some string of a JSON value (a key or a value) holds U+0000. */
export function holdsNul(x: unknown): boolean {
  if (typeof x === 'string') return x.includes('\u0000');
  if (Array.isArray(x)) return x.some(holdsNul);
  if (x !== null && typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) if (k.includes('\u0000') || holdsNul(v)) return true;
  }
  return false;
}
