/**
 * Periodic notifications (the `timeInterval` member of clause 5.2.12): every interval, the current
 * state of every entity a subscription selects is notified, whether it changed or not. One timer
 * serves all periodic subscriptions: a queue ordered by due time, and a single timeout armed for the
 * earliest entry, so that a thousand periodic subscriptions cost one timer, not a thousand.
 *
 * A round queries the store (entities, q, geoQ, scopeQ, one query per selector, paged, at most
 * `maxEntities` entities) and writes the notices to the outbox with `outbox.enqueue`; the notifier
 * delivers them like any other. Paused or expired subscriptions keep their place in the queue but
 * send nothing. A round that fails is reported and retried at the next interval. The first
 * notification comes one interval after the subscription was scheduled.
 */
import type { EntityQuery, TypeExpr } from '../../core/query/ast.js';
import type { Entity } from '../../core/model/entity.js';
import { isLive, notifiedView } from '../../core/subscription/match-change.js';
import type { Subscription } from '../../core/subscription/model.js';
import type { Notice, Store } from '../../store/port.js';
import type { Access } from '../../governance/policy/access.js';

/** Options of the periodic notifier; every one has a default. */
export interface PeriodicOptions {
  /** Most entities notified per subscription per round (default 10,000). */
  maxEntities?: number;
  /** Entities per store query (default: the store's maxLimit). */
  pageSize?: number;
}

/** What the periodic notifier needs. */
export interface PeriodicDeps {
  store: Pick<Store, 'queryEntities' | 'outbox' | 'capabilities'>;
  /** The subscription as it is now (it may have been changed or deleted since it was scheduled). */
  lookup: (tenant: string, id: string) => Subscription | undefined;
  /** Current time in epoch ms (tests fix it). */
  clock?: () => number;
  /** Told of a round that failed. */
  onError?: (error: unknown, tenant: string, subscriptionId: string) => void;
  /** What the subscription's owner may read (undefined: no restriction). */
  ownerAccess?: (tenant: string, sub: Subscription) => Access | undefined;
  options?: PeriodicOptions;
  /**
   * With replicas: whether this replica sends the subscription's notifications now (the holder of
   * its delivery lease, cluster/delivery-gate.ts), so that each interval is notified once.
   */
  gate?: { mayDeliver(tenant: string, subscriptionId: string): Promise<boolean> };
}

interface Entry {
  tenant: string;
  id: string;
  intervalMs: number;
  dueMs: number;
}

export class PeriodicNotifier {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private round: Promise<unknown> = Promise.resolve();
  private readonly clock: () => number;
  private readonly maxEntities: number;
  private readonly pageSize: number;

  constructor(private readonly deps: PeriodicDeps) {
    this.clock = deps.clock ?? Date.now;
    this.maxEntities = deps.options?.maxEntities ?? 10_000;
    this.pageSize = Math.max(1, deps.options?.pageSize ?? deps.store.capabilities.maxLimit);
  }

  /** Schedule (or reschedule) a subscription; non-periodic ones are unscheduled. */
  schedule(tenant: string, sub: Subscription): void {
    const key = keyOf(tenant, sub.id);
    if (sub.timeInterval === undefined) {
      this.unschedule(tenant, sub.id);
      return;
    }
    const intervalMs = sub.timeInterval * 1000;
    const existing = this.entries.get(key);
    // Keep the rhythm of an unchanged interval; a new interval starts counting now.
    if (existing !== undefined && existing.intervalMs === intervalMs) return;
    this.entries.set(key, { tenant, id: sub.id, intervalMs, dueMs: this.clock() + intervalMs });
    this.arm();
  }

  unschedule(tenant: string, id: string): void {
    if (this.entries.delete(keyOf(tenant, id))) this.arm();
  }

  /** Subscriptions scheduled. */
  get size(): number {
    return this.entries.size;
  }

  /** Start the timer. */
  start(): void {
    this.running = true;
    this.arm();
  }

  /** Stop the timer and wait for a round in progress. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.round;
  }

  /**
   * Notify every subscription that is due at `nowMs` and move it to its next due time. Returns how
   * many notices were enqueued. The timer calls it; tests call it with a chosen instant.
   */
  async runDue(nowMs: number = this.clock()): Promise<number> {
    const due = [...this.entries.values()].filter((e) => e.dueMs <= nowMs).sort((a, b) => a.dueMs - b.dueMs);
    // Move them on before any await, so that an overlapping round does not take them again. After a
    // long pause (process suspended) the missed rounds are skipped rather than sent in a burst.
    for (const entry of due) {
      const next = entry.dueMs + entry.intervalMs;
      entry.dueMs = next > nowMs ? next : nowMs + entry.intervalMs;
    }
    let enqueued = 0;
    for (const entry of due) {
      const sub = this.deps.lookup(entry.tenant, entry.id);
      if (sub === undefined || sub.timeInterval === undefined) {
        this.entries.delete(keyOf(entry.tenant, entry.id));
        continue;
      }
      const at = new Date(nowMs).toISOString();
      if (!isLive(sub, at)) continue;
      try {
        if (this.deps.gate && !(await this.deps.gate.mayDeliver(entry.tenant, entry.id))) continue;
        const notices = (await this.select(entry.tenant, sub)).map((entity): Notice => ({
          subscriptionId: sub.id,
          entityId: entity.id,
          payload: { trigger: 'timeInterval', entity: notifiedView(sub, entity), at },
        }));
        if (notices.length > 0) await this.deps.store.outbox.enqueue(entry.tenant, notices);
        enqueued += notices.length;
      } catch (error) {
        this.deps.onError?.(error, entry.tenant, entry.id);
      }
    }
    return enqueued;
  }

  /** The entities a periodic subscription selects now (each once). */
  private async select(tenant: string, sub: Subscription): Promise<Entity[]> {
    const found = new Map<string, Entity>();
    const access = this.deps.ownerAccess?.(tenant, sub);
    const visibility = access?.visibility('read');
    if (visibility !== undefined && visibility.allow.length === 0) return [];
    for (const selector of sub.entities ?? []) {
      const type: TypeExpr = selector.typeExpr ?? { kind: 'type', name: selector.type };
      const query: EntityQuery = { type, limit: this.pageSize, offset: 0, count: false };
      if (selector.id !== undefined) query.ids = [selector.id];
      if (selector.idPattern !== undefined) query.idPattern = selector.idPattern;
      if (sub.q !== undefined) query.q = sub.q.expr;
      if (sub.geoQ !== undefined) query.geoQ = sub.geoQ;
      if (sub.scopeQ !== undefined) query.scopeQ = sub.scopeQ.expr;
      if (visibility !== undefined) query.visibility = visibility;
      while (found.size < this.maxEntities) {
        const { entities } = await this.deps.store.queryEntities(tenant, query);
        for (const e of entities) {
          const seen = access === undefined ? e : access.filterEntity(e);
          if (seen !== undefined && found.size < this.maxEntities) found.set(e.id, seen);
        }
        if (entities.length < query.limit) break;
        query.offset += entities.length;
      }
    }
    return [...found.values()];
  }

  /** Arm the one timeout for the earliest due entry. */
  private arm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running || this.entries.size === 0) return;
    let next = Infinity;
    for (const e of this.entries.values()) next = Math.min(next, e.dueMs);
    // setTimeout takes at most 2^31-1 ms; a longer wait simply re-arms when it fires.
    const delay = Math.min(Math.max(0, next - this.clock()), 2 ** 31 - 1);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.round = this.runDue()
        .catch((error: unknown) => this.deps.onError?.(error, '', ''))
        .finally(() => this.arm());
    }, delay);
    this.timer.unref();
  }
}

function keyOf(tenant: string, id: string): string {
  return `${tenant}\u0000${id}`;
}
