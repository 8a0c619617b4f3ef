/**
 * The outbox in PostgreSQL (table `outbox`, migration 0005): notifications waiting for delivery.
 *
 * As a change sink, `record` runs inside the entity writer's transaction: it asks the reactor which
 * subscriptions each change concerns and inserts their notices with the transaction's client, so a
 * change and its notifications commit (or roll back) together. The writer may run a transaction
 * again from the start (a deadlock, a concurrent insert), so `record` keeps nothing in memory: the
 * listener is told by the function it returns, which the writer calls after the commit.
 *
 * Entries of one subscription commit in oid order across replicas (outbox/order-lock.ts), which the
 * dispatcher's cursor relies on. The repository side is outbox/repository.ts.
 */
import type pg from 'pg';
import type { Change, Notice, OutboxRepository, Reactor } from '../port.js';
import type { AppliedChange, ChangeSink } from './change-sink.js';
import { writeEntries, type OutboxWork } from './outbox/entries.js';
import { outboxRepository } from './outbox/repository.js';
import type { Sql } from './sql.js';

export type OutboxListener = (work: Array<{ tenant: string; subscriptionId: string }>) => void;

/** The outbox over one pool: a change sink for the entity writer and the OutboxRepository. */
export class PgOutbox implements ChangeSink {
  /** Turns changes into notices; none installed means no subscription can match. */
  reactor?: Reactor;
  /** Told after each commit that wrote entries. */
  listener?: OutboxListener;
  readonly repository: OutboxRepository;

  constructor(pool: pg.Pool) {
    this.repository = outboxRepository(pool, (work) => this.tell(work));
  }

  /** Inside the write transaction: the reactor's notices for every change, written with it. */
  async record(db: Sql, changes: AppliedChange[]): Promise<(() => void) | void> {
    const reactor = this.reactor;
    if (reactor === undefined) return;
    const entries: Array<{ tenant: string; notice: Notice }> = [];
    for (const c of changes) {
      const change: Change = { tenant: c.tenant, id: c.id, at: c.at };
      if (c.before !== undefined) change.before = c.before;
      if (c.after !== undefined) change.after = c.after;
      // A reactor that throws fails the call: the change is not committed without its notices.
      for (const notice of reactor(change)) entries.push({ tenant: c.tenant, notice });
    }
    if (entries.length === 0) return;
    const work = await writeEntries(db, entries);
    return () => this.tell(work);
  }

  private tell(work: OutboxWork): void {
    if (work.length === 0) return;
    // The writer resolves its callers after this: a failing listener must not stop it.
    try {
      this.listener?.(work);
    } catch {
      // The dispatcher also finds pending work by itself (at start and on its rescans).
      return;
    }
  }
}
