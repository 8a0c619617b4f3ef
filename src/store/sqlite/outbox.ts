/**
 * The outbox in SQLite (table `outbox`, migration 0004): notifications waiting for delivery.
 *
 * As a change sink, `record` runs inside the write transaction: it asks the reactor which
 * subscriptions a change concerns and inserts their notices with the same connection, so a change
 * and its notifications commit (or roll back) together; once committed, the listener hears which
 * (tenant, subscription) got work. The repository side serves the dispatcher: oldest entries first
 * (by `oid`, which AUTOINCREMENT never reuses), and every outcome written with the subscription's
 * delivery statistics in one transaction, so the counters never disagree with the outbox. Outcomes
 * reported in the same event-loop turn (the dispatcher has many sends in flight) share one
 * transaction, as the entity writer's group commit does: one WAL append instead of one per outcome.
 */
import type Database from 'better-sqlite3';
import type { NoticePayload } from '../../core/subscription/model.js';
import type { Change, Notice, OutboxEntry, OutboxRepository, Reactor } from '../port.js';
import type { AppliedChange, ChangeSink } from './change-sink.js';
import type { Dictionary } from './dictionary.js';

export type OutboxListener = (work: Array<{ tenant: string; subscriptionId: string }>) => void;

interface EntryRow {
  oid: number;
  entity: string;
  payload: string;
  attempts: number;
  nid: string | null;
  created_at: string;
}

const ENTRY = 'oid, entity, payload, attempts, nid, created_at';
/** One entry of a call, by its oid (the rowid), checked against the tenant and subscription named. */
const ONE = 'oid = ? AND tid = ? AND sub = ? AND dead = 0';

/** The outbox over one connection: a change sink for the writer and the OutboxRepository. */
export class SqliteOutbox implements ChangeSink {
  /** Turns changes into notices; none installed means no subscription can match. */
  reactor?: Reactor;
  /** Told after each commit that wrote entries. */
  listener?: OutboxListener;
  readonly repository: OutboxRepository;
  private readonly insert: Database.Statement<[number, string, string, string, string]>;
  /** Outcome writes waiting for the end of this event-loop turn. */
  private outcomes: Array<{ apply: () => void; resolve: () => void; reject: (e: unknown) => void }> = [];
  private readonly applyOutcomes: Database.Transaction<(batch: Array<{ apply: () => void }>) => void>;

  constructor(
    readonly db: Database.Database,
    readonly tenants: Dictionary,
  ) {
    this.insert = db.prepare(
      'INSERT INTO outbox (tid, sub, entity, payload, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.applyOutcomes = db.transaction((batch: Array<{ apply: () => void }>) => {
      for (const o of batch) o.apply();
    });
    this.repository = this.buildRepository();
  }

  /** Run `apply` in the group transaction of this turn; resolves after its COMMIT. */
  private outcome(apply: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.outcomes.length === 0) setImmediate(() => this.flushOutcomes());
      this.outcomes.push({ apply, resolve, reject });
    });
  }

  private flushOutcomes(): void {
    const batch = this.outcomes;
    this.outcomes = [];
    try {
      this.applyOutcomes.immediate(batch);
    } catch (error) {
      for (const o of batch) o.reject(error);
      return;
    }
    for (const o of batch) o.resolve();
  }

  /** Inside the write transaction: the reactor's notices for every change, written with it. */
  record(changes: AppliedChange[]): (() => void) | void {
    const reactor = this.reactor;
    if (reactor === undefined) return;
    const at = new Date().toISOString();
    const work = new Map<string, { tenant: string; subscriptionId: string }>();
    for (const c of changes) {
      const change: Change = { tenant: c.tenant, id: c.id, at: c.at };
      if (c.before !== undefined) change.before = c.before;
      if (c.after !== undefined) change.after = c.after;
      // A reactor that throws fails the call: the change is not committed without its notices.
      for (const n of reactor(change)) {
        this.insert.run(c.tid, n.subscriptionId, n.entityId, JSON.stringify(n.payload), at);
        work.set(`${c.tid}\u0000${n.subscriptionId}`, { tenant: c.tenant, subscriptionId: n.subscriptionId });
      }
    }
    if (work.size === 0) return;
    return () => this.tell([...work.values()]);
  }

  private tell(work: Array<{ tenant: string; subscriptionId: string }>): void {
    // The writer resolves its callers after this: a failing listener must not stop it.
    try {
      this.listener?.(work);
    } catch {
      // The dispatcher also finds pending work by itself (at start and on its rechecks).
      return;
    }
  }

  private buildRepository(): OutboxRepository {
    const db = this.db;
    const tenants = this.tenants;
    const s = {
      pending: db.prepare<[], { tid: number; sub: string }>(
        'SELECT DISTINCT tid, sub FROM outbox WHERE dead = 0 ORDER BY tid, sub',
      ),
      take: db.prepare<[number, string, number, number], EntryRow>(
        `SELECT ${ENTRY} FROM outbox WHERE tid = ? AND sub = ? AND dead = 0 AND oid > ? ORDER BY oid LIMIT ?`,
      ),
      deadLetters: db.prepare<[number, string, number], EntryRow>(
        `SELECT ${ENTRY} FROM outbox WHERE tid = ? AND sub = ? AND dead = 1 ORDER BY oid LIMIT ?`,
      ),
      remove: db.prepare<[number, number, string]>(`DELETE FROM outbox WHERE ${ONE}`),
      retry: db.prepare<[string, string, number, number, string]>(
        `UPDATE outbox SET attempts = attempts + 1, nid = ?, error = ? WHERE ${ONE}`,
      ),
      bury: db.prepare<[string, number, number, string]>(
        `UPDATE outbox SET dead = 1, error = ? WHERE ${ONE}`,
      ),
      sent: db.prepare(
        'UPDATE subscriptions SET times_sent = times_sent + 1, last_notification = ?, last_success = ? WHERE tid = ? AND id = ?',
      ),
      failed: db.prepare(
        'UPDATE subscriptions SET times_failed = times_failed + 1, last_notification = ?, last_failure = ?, last_error = ? WHERE tid = ? AND id = ?',
      ),
      dead: db.prepare(
        'UPDATE subscriptions SET dead_letters = dead_letters + ?, last_error = ? WHERE tid = ? AND id = ?',
      ),
      size: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox WHERE dead = 0'),
    };
    const toEntry =
      (tenant: string, subscriptionId: string) =>
      (r: EntryRow): OutboxEntry => {
        const e: OutboxEntry = {
          oid: r.oid,
          tenant,
          subscriptionId,
          entityId: r.entity,
          payload: JSON.parse(r.payload) as NoticePayload,
          attempts: r.attempts,
          createdAt: r.created_at,
        };
        if (r.nid !== null) e.notificationId = r.nid;
        return e;
      };
    const enqueue = db.transaction((tid: number, notices: Notice[], at: string) => {
      for (const n of notices)
        this.insert.run(tid, n.subscriptionId, n.entityId, JSON.stringify(n.payload), at);
    });

    return {
      enqueue: async (tenant, notices) => {
        if (notices.length === 0) return;
        try {
          enqueue.immediate(tenants.ensure(tenant), notices, new Date().toISOString());
        } catch (error) {
          tenants.forget(); // a tenant interned inside the rolled-back transaction is gone
          throw error;
        }
        const work = new Map(
          notices.map((n) => [n.subscriptionId, { tenant, subscriptionId: n.subscriptionId }]),
        );
        this.tell([...work.values()]);
      },
      pending: async () =>
        s.pending.all().map((r) => ({ tenant: tenants.nameOf(r.tid), subscriptionId: r.sub })),
      take: async (tenant, subscriptionId, afterOid, limit) => {
        const tid = tenants.idOf(tenant);
        if (tid === undefined) return [];
        return s.take.all(tid, subscriptionId, afterOid, limit).map(toEntry(tenant, subscriptionId));
      },
      delivered: async (tenant, subscriptionId, oids, at) => {
        const tid = tenants.idOf(tenant);
        if (tid === undefined) return;
        await this.outcome(() => {
          for (const oid of oids) s.remove.run(oid, tid, subscriptionId);
          s.sent.run(at, at, tid, subscriptionId);
        });
      },
      failed: async (tenant, subscriptionId, oids, notificationId, error, at) => {
        const tid = tenants.idOf(tenant);
        if (tid === undefined) return;
        await this.outcome(() => {
          for (const oid of oids) s.retry.run(notificationId, error, oid, tid, subscriptionId);
          s.failed.run(at, at, error, tid, subscriptionId);
        });
      },
      dead: async (tenant, subscriptionId, oids, error, _at) => {
        const tid = tenants.idOf(tenant);
        if (tid === undefined) return;
        await this.outcome(() => {
          let n = 0;
          for (const oid of oids) n += s.bury.run(error, oid, tid, subscriptionId).changes;
          if (n > 0) s.dead.run(n, error, tid, subscriptionId);
        });
      },
      deadLetters: async (tenant, subscriptionId, limit) => {
        const tid = tenants.idOf(tenant);
        if (tid === undefined) return [];
        return s.deadLetters.all(tid, subscriptionId, limit).map(toEntry(tenant, subscriptionId));
      },
      size: async () => s.size.get()?.n ?? 0,
    };
  }
}
