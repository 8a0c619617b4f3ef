/**
 * The delivery loop of the notifier. The outbox holds every match, written with its change; the
 * dispatcher reads it per subscription, oldest first, and delivers:
 *
 * - Woken by the store after each commit that wrote entries (`onOutbox`), and at `start()` by the
 *   subscriptions that have pending entries (a restart loses nothing).
 * - Batches: up to `batchSize` entries of distinct entities in one notification (`data` array).
 * - Order per entity: an entity's entry is sent only when no earlier entry of that entity is in
 *   flight or waiting for a retry, so a later change never overtakes an earlier one, retries
 *   included. Batches of other entities go on in parallel, up to the endpoint's concurrency cap.
 * - Retries: a failed notification keeps its entries, its notification id and its attempt count in
 *   the outbox, and is sent again, the same batch under the same id, after an exponential backoff
 *   with full jitter; while a subscription has a notification waiting to be retried it starts no new
 *   one (its receiver is failing: no point in piling more on it). After `maxAttempts` attempts the
 *   entries go to the dead-letter state, counted on the subscription, and the rest flows on.
 * - Throttling: at least `throttling` seconds between two notifications of a subscription.
 * - A paused subscription (isActive false) keeps its entries until it is active again (looked at
 *   every `recheckMs`, or at once through `wake`).
 * - `stop()` waits (bounded) for the sends in flight and leaves everything else in the outbox.
 *
 * Memory stays bounded: each subscription keeps at most `windowSize` entries loaded.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Subscription } from '../../core/subscription/model.js';
import type { OutboxEntry, Store } from '../../store/port.js';
import { backoffDelay } from './backoff.js';
import type { NotificationSource } from './contracts.js';
import { EndpointSlots } from './endpoint-slots.js';
import {
  DISPATCHER_DEFAULTS,
  type DispatcherOptions,
  type DispatcherStats,
  type NotifierLogger,
} from './dispatcher-options.js';
import { reasonOf, type SendOutcome, type Sender } from './sender.js';

export { DISPATCHER_DEFAULTS, type DispatcherOptions, type DispatcherStats, type NotifierLogger };

/** What the dispatcher works with. */
export interface DispatcherDeps {
  store: Pick<Store, 'outbox' | 'onOutbox'>;
  source: NotificationSource;
  /** Senders by URL scheme with its colon: `http:`, `https:`, `mqtt:`, `mqtts:`. */
  senders: Readonly<Record<string, Sender>>;
  logger?: NotifierLogger;
  /** Random numbers in [0, 1) for the backoff jitter (tests). */
  random?: () => number;
  /**
   * With replicas: whether this replica delivers a subscription now (cluster/delivery-gate.ts).
   * Absent: this process delivers everything.
   */
  gate?: { mayDeliver(tenant: string, subscriptionId: string): Promise<boolean> };
}

/** One notification: entries of distinct entities, with the id it got at its first attempt. */
interface Batch {
  entries: OutboxEntry[];
  nid?: string;
  attempts: number;
  retryAt: number;
  lastError?: string;
}

/** What the dispatcher knows about one subscription's deliveries. */
interface SubState {
  /** Key in `states`: tenant and subscription id. */
  key: string;
  tenant: string;
  id: string;
  /** Loaded entries not in any batch, oldest first. */
  queue: OutboxEntry[];
  /** Highest oid loaded. */
  cursor: number;
  /** The outbox may hold entries beyond `cursor`. */
  more: boolean;
  /** Entries that were sent before this process (or this state) began are gathered first. */
  gathered: boolean;
  /** oids held in batches (not to be loaded again). */
  held: Set<number>;
  /** Entities with an entry in a batch (in flight or waiting for a retry): count per entity. */
  busy: Map<string, number>;
  /** Failed batches waiting for their retry, oldest first. */
  waiting: Batch[];
  inflight: number;
  /** Retries in flight: until they succeed no new notification starts (the receiver was failing). */
  probing: number;
  lastSentAt: number;
  /** Throttling of the subscription at the last look, in ms. */
  gapMs: number;
  timer?: NodeJS.Timeout;
  timerAt: number;
  pumping: boolean;
  again: boolean;
  /** Paused, or not known to the source: looked at again every recheckMs. */
  parked: boolean;
  /** createdAt of the subscription these entries belong to (a deleted and re-created one starts afresh). */
  createdAt?: string;
}

const SILENT: NotifierLogger = { debug: () => undefined, warn: () => undefined, error: () => undefined };
/** Pages read at start to find notifications already sent once (their entries carry a notification id). */
const GATHER_PAGES = 10;

/** Delivers the outbox. One per store. */
export class NotificationDispatcher {
  readonly options: Readonly<Required<DispatcherOptions>>;
  private readonly log: NotifierLogger;
  private readonly random: () => number;
  private readonly states = new Map<string, SubState>();
  private readonly dirty = new Set<SubState>();
  private drainScheduled = false;
  private readonly slots: EndpointSlots<SubState>;
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly counters = { notifications: 0, entries: 0, failures: 0, deadEntries: 0 };
  private recheck?: NodeJS.Timeout;
  private rescan?: NodeJS.Timeout;
  private started = false;
  private stopping?: Promise<void>;
  /** Past the stop deadline: outcomes of sends still in flight are not recorded. */
  private abandoned = false;

  constructor(
    private readonly deps: DispatcherDeps,
    options: DispatcherOptions = {},
  ) {
    const o = { ...DISPATCHER_DEFAULTS, ...definedOnly(options) };
    for (const [name, value] of Object.entries(o)) {
      if (!Number.isFinite(value) || value < (name === 'baseBackoffMs' || name === 'maxBackoffMs' ? 0 : 1))
        throw new RangeError(`dispatcher option ${name} must be a positive number, not ${value}`);
    }
    o.windowSize = Math.max(o.windowSize, 2 * o.batchSize);
    this.options = Object.freeze(o);
    this.log = deps.logger ?? SILENT;
    this.random = deps.random ?? Math.random;
    this.slots = new EndpointSlots(o.concurrencyPerEndpoint);
    // Every send in flight listens to the stop signal: as many listeners as sends, by design.
    setMaxListeners(0, this.abort.signal);
  }

  /** Listen to the store and deliver what the outbox already holds. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.deps.store.onOutbox((work) => {
      for (const w of work) this.wake(w.tenant, w.subscriptionId);
    });
    await this.scan();
    this.recheck = setInterval(() => this.recheckParked(), this.options.recheckMs);
    this.recheck.unref();
    this.rescan = setInterval(() => {
      this.scan().catch((err: unknown) => this.log.error({ err }, 'outbox scan failed'));
    }, this.options.rescanMs);
    this.rescan.unref();
  }

  /**
   * There may be work for this subscription: new entries, or it became active again. The store's
   * listener calls this; the subscription service may too (after a PATCH that resumes it).
   */
  wake(tenant: string, subscriptionId: string): void {
    if (this.stopping || !this.started) return;
    const s = this.state(tenant, subscriptionId);
    s.more = true;
    this.kick(s);
  }

  /** Stop: no new sends; wait up to stopTimeoutMs for those in flight; the rest stays in the outbox. */
  stop(): Promise<void> {
    this.stopping ??= this.stopNow();
    return this.stopping;
  }

  stats(): DispatcherStats {
    return { ...this.counters, inFlight: this.running.size };
  }

  private async stopNow(): Promise<void> {
    if (this.started) this.deps.store.onOutbox(undefined);
    clearInterval(this.recheck);
    clearInterval(this.rescan);
    for (const s of this.states.values()) clearTimeout(s.timer);
    const settled = Promise.allSettled([...this.running]).then(() => true);
    if (!(await Promise.race([settled, sleep(this.options.stopTimeoutMs, false)]))) {
      this.abandoned = true;
      this.abort.abort(new Error('notifier stopped'));
      this.log.warn(
        { inFlight: this.running.size },
        'notifier stopped with sends in flight; they stay in the outbox',
      );
      await Promise.race([settled, sleep(1_000, false)]);
    }
  }

  private async scan(): Promise<void> {
    for (const w of await this.deps.store.outbox.pending()) this.wake(w.tenant, w.subscriptionId);
  }

  private state(tenant: string, id: string): SubState {
    const k = `${tenant}\u0000${id}`;
    let s = this.states.get(k);
    if (s === undefined) {
      s = {
        key: k,
        tenant,
        id,
        queue: [],
        cursor: 0,
        more: true,
        gathered: false,
        held: new Set(),
        busy: new Map(),
        waiting: [],
        inflight: 0,
        probing: 0,
        lastSentAt: 0,
        gapMs: 0,
        timerAt: 0,
        pumping: false,
        again: false,
        parked: false,
      };
      this.states.set(k, s);
    }
    return s;
  }

  /** Pump `s` soon (coalesces the wake-ups of one event-loop turn). */
  private kick(s: SubState): void {
    // A state forgotten meanwhile (and maybe replaced) is not pumped: one state per subscription.
    if (this.stopping || this.states.get(s.key) !== s) return;
    this.dirty.add(s);
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      const todo = [...this.dirty];
      this.dirty.clear();
      for (const d of todo) void this.pump(d);
    });
  }

  private recheckParked(): void {
    for (const s of this.states.values()) if (s.parked) this.kick(s);
  }

  private async pump(s: SubState): Promise<void> {
    if (s.pumping) {
      s.again = true;
      return;
    }
    s.pumping = true;
    try {
      do {
        s.again = false;
        await this.step(s);
      } while (s.again && !this.stopping);
    } catch (err) {
      // The store failed under us: park the subscription, the recheck tries again.
      s.parked = true;
      this.log.error({ err, tenant: s.tenant, subscriptionId: s.id }, 'notification dispatch failed');
    } finally {
      s.pumping = false;
    }
    this.forgetIfIdle(s);
  }

  /** Send what can be sent now; arrange to be woken for the rest. */
  private async step(s: SubState): Promise<void> {
    if (this.stopping) return;
    const sub = this.deps.source.subscription(s.tenant, s.id);
    if (sub === undefined) return this.unknown(s);
    if (s.createdAt !== sub.createdAt) {
      if (s.createdAt !== undefined) this.reset(s);
      s.createdAt = sub.createdAt;
    }
    s.parked = !sub.isActive;
    if (s.parked) return;
    if (this.deps.gate && !(await this.deps.gate.mayDeliver(s.tenant, s.id))) {
      // Another replica delivers it: what was loaded here may be sent there; read afresh if it comes back.
      if (s.inflight === 0) this.reset(s);
      return;
    }
    if (!s.gathered) await this.gather(s);
    const endpoint = sub.notification.endpoint.uri;
    const slot = EndpointSlots.keyOf(endpoint);
    for (;;) {
      if (this.stopping) return;
      s.gapMs = (sub.throttling ?? 0) * 1000;
      if (s.gapMs > 0 && s.inflight > 0) return;
      const now = Date.now();
      if (s.gapMs > 0 && now < s.lastSentAt + s.gapMs) return this.wakeAt(s, s.lastSentAt + s.gapMs);
      if (!this.slots.free(slot)) return this.slots.wait(slot, s);
      let batch = this.dueRetry(s, now);
      if (batch === undefined) {
        // Backing off: nothing new for a receiver that is failing, until a retry got through.
        if (s.waiting.length > 0) return this.wakeAt(s, Math.min(...s.waiting.map((b) => b.retryAt)));
        if (s.probing > 0) return;
        if (s.more && s.queue.length <= this.options.windowSize / 2) {
          await this.refill(s);
          continue; // the world may have moved during the read: look again
        }
        batch = this.form(s);
        if (batch === undefined) return;
      }
      this.launch(s, sub, batch, slot);
    }
  }

  /** The subscription is not (or no longer) known: forget it when it has nothing pending, else park it. */
  private async unknown(s: SubState): Promise<void> {
    s.parked = true;
    if (s.inflight > 0) return;
    const left = await this.deps.store.outbox.take(s.tenant, s.id, 0, 1);
    if (left.length === 0) {
      this.reset(s);
      s.parked = false;
      s.more = false;
    }
  }

  /** Drop what was loaded for a subscription that was deleted (and maybe created again). */
  private reset(s: SubState): void {
    for (const b of s.waiting) this.release(s, b);
    s.waiting = [];
    s.queue = [];
    s.cursor = 0;
    s.more = true;
    s.gathered = false;
  }

  /**
   * At the first look (after a start): entries that already carry a notification id were sent once
   * and failed; they are retried together under that id. They are the oldest of their entities, so
   * they lie near the front; a bounded number of pages is read to find them.
   */
  private async gather(s: SubState): Promise<void> {
    s.gathered = true;
    const page = this.options.windowSize;
    const batches = new Map<string, Batch>();
    let after = 0;
    for (let n = 0; n < GATHER_PAGES; n++) {
      const entries = await this.deps.store.outbox.take(s.tenant, s.id, after, page);
      let sent = false;
      for (const e of entries) {
        if (e.notificationId !== undefined && !s.held.has(e.oid)) {
          sent = true;
          let b = batches.get(e.notificationId);
          if (b === undefined)
            batches.set(
              e.notificationId,
              (b = { entries: [], nid: e.notificationId, attempts: 0, retryAt: 0 }),
            );
          b.entries.push(e);
          b.attempts = Math.max(b.attempts, e.attempts);
          this.hold(s, e);
        } else if (n === 0 && !s.held.has(e.oid)) s.queue.push(e);
      }
      if (n === 0) {
        s.cursor = entries.at(-1)?.oid ?? s.cursor;
        s.more = entries.length === page;
      }
      if (entries.length < page || !sent) break;
      after = entries.at(-1)!.oid;
    }
    s.waiting.push(...batches.values());
    s.waiting.sort((a, b) => a.entries[0]!.oid - b.entries[0]!.oid);
  }

  /** Load more entries after the cursor, up to the window. */
  private async refill(s: SubState): Promise<void> {
    const limit = this.options.windowSize - s.queue.length;
    // Cleared before the read: a commit after it wakes us again and sets it back.
    s.more = false;
    const entries = await this.deps.store.outbox.take(s.tenant, s.id, s.cursor, limit);
    for (const e of entries) if (!s.held.has(e.oid)) s.queue.push(e);
    if (entries.length > 0) s.cursor = Math.max(s.cursor, entries.at(-1)!.oid);
    if (entries.length === limit) s.more = true;
  }

  /** The oldest waiting batch whose retry time has come. */
  private dueRetry(s: SubState, now: number): Batch | undefined {
    const i = s.waiting.findIndex((b) => b.retryAt <= now);
    return i < 0 ? undefined : s.waiting.splice(i, 1)[0];
  }

  /** A new batch: the first entry of each entity that has nothing in flight, oldest first. */
  private form(s: SubState): Batch | undefined {
    const queue = s.queue;
    const chosen: OutboxEntry[] = [];
    const at: number[] = [];
    const seen = new Set<string>();
    // Scan only until the batch is full: what lies beyond stays as it is.
    for (let i = 0; i < queue.length && chosen.length < this.options.batchSize; i++) {
      const e = queue[i]!;
      if (!seen.has(e.entityId) && !s.busy.has(e.entityId)) {
        chosen.push(e);
        at.push(i);
      }
      // A later entry of an entity skipped here must wait too: seen covers chosen and skipped.
      seen.add(e.entityId);
    }
    if (chosen.length === 0) return undefined;
    for (const e of chosen) this.hold(s, e);
    if (at[at.length - 1] === at.length - 1) queue.splice(0, at.length);
    else {
      const taken = new Set(at);
      s.queue = queue.filter((_, i) => !taken.has(i));
    }
    let attempts = 0;
    for (const e of chosen) attempts = Math.max(attempts, e.attempts);
    return { entries: chosen, attempts, retryAt: 0 };
  }

  private hold(s: SubState, e: OutboxEntry): void {
    s.held.add(e.oid);
    s.busy.set(e.entityId, (s.busy.get(e.entityId) ?? 0) + 1);
  }

  /** The batch is done with (delivered, dead or dropped): its entities may go on. */
  private release(s: SubState, b: Batch): void {
    for (const e of b.entries) {
      s.held.delete(e.oid);
      const n = (s.busy.get(e.entityId) ?? 1) - 1;
      if (n > 0) s.busy.set(e.entityId, n);
      else s.busy.delete(e.entityId);
    }
  }

  private launch(s: SubState, sub: Subscription, batch: Batch, slot: string): void {
    this.slots.acquire(slot);
    s.inflight++;
    const probe = batch.attempts > 0;
    if (probe) s.probing++;
    s.lastSentAt = Date.now();
    const run = this.deliver(s, sub, batch)
      .catch((err: unknown) => {
        // The outcome could not be recorded (the store failed): try the same batch again later.
        this.log.error(
          { err, tenant: s.tenant, subscriptionId: s.id },
          'recording a delivery outcome failed',
        );
        batch.retryAt = Date.now() + this.options.recheckMs;
        if (!this.abandoned) s.waiting.push(batch);
      })
      .finally(() => {
        this.running.delete(run);
        s.inflight--;
        if (probe) s.probing--;
        for (const w of this.slots.release(slot)) this.kick(w);
        this.kick(s);
      });
    this.running.add(run);
  }

  private async deliver(s: SubState, sub: Subscription, batch: Batch): Promise<void> {
    const outbox = this.deps.store.outbox;
    const oids = batch.entries.map((e) => e.oid);
    if (batch.attempts >= this.options.maxAttempts) {
      // Already tried enough (before a restart): straight to the dead letters.
      await outbox.dead(s.tenant, s.id, oids, batch.lastError ?? 'too many attempts', iso());
      this.counters.deadEntries += oids.length;
      this.release(s, batch);
      return;
    }
    batch.nid ??= `urn:ngsi-ld:Notification:${randomUUID()}`;
    const outcome = await this.send(s.tenant, sub, batch.nid, batch);
    if (this.abandoned) return;
    const at = iso();
    if (outcome.ok) {
      await outbox.delivered(s.tenant, s.id, oids, at);
      this.counters.notifications++;
      this.counters.entries += oids.length;
      this.release(s, batch);
      return;
    }
    batch.attempts++;
    batch.lastError = outcome.error;
    this.counters.failures++;
    await outbox.failed(s.tenant, s.id, oids, batch.nid, outcome.error, at);
    const where = {
      tenant: s.tenant,
      subscriptionId: s.id,
      notificationId: batch.nid,
      attempts: batch.attempts,
    };
    if (batch.attempts >= this.options.maxAttempts) {
      await outbox.dead(s.tenant, s.id, oids, outcome.error, at);
      this.counters.deadEntries += oids.length;
      this.release(s, batch);
      this.log.warn(
        { ...where, entries: oids.length, error: outcome.error },
        'notification given up: dead letters',
      );
      return;
    }
    const delay = backoffDelay(
      batch.attempts,
      { baseMs: this.options.baseBackoffMs, maxMs: this.options.maxBackoffMs },
      this.random,
    );
    batch.retryAt = Date.now() + delay;
    s.waiting.push(batch);
    s.waiting.sort((a, b) => a.entries[0]!.oid - b.entries[0]!.oid);
    this.log.debug({ ...where, error: outcome.error, retryInMs: delay }, 'notification failed; will retry');
  }

  /** Render and send; every failure becomes an outcome. */
  private async send(tenant: string, sub: Subscription, nid: string, batch: Batch): Promise<SendOutcome> {
    const endpoint = sub.notification.endpoint;
    const scheme = URL.canParse(endpoint.uri) ? new URL(endpoint.uri).protocol : '';
    const sender = this.deps.senders[scheme];
    if (sender === undefined) return { ok: false, error: `no sender for ${scheme || 'this'} endpoint` };
    try {
      const rendered = await this.deps.source.render(
        tenant,
        sub,
        nid,
        batch.entries.map((e) => e.payload),
        iso(),
      );
      return await sender.send(endpoint, rendered, {
        timeoutMs: endpoint.timeout ?? this.options.timeoutMs,
        signal: this.abort.signal,
      });
    } catch (error) {
      return { ok: false, error: reasonOf(error) };
    }
  }

  /** Pump `s` at `at` (the earliest wins). */
  private wakeAt(s: SubState, at: number): void {
    if (s.timer !== undefined && s.timerAt <= at) return;
    clearTimeout(s.timer);
    s.timerAt = at;
    s.timer = setTimeout(
      () => {
        s.timer = undefined;
        this.kick(s);
      },
      Math.max(0, at - Date.now()),
    );
    s.timer.unref();
  }

  /** Drop the state of a subscription with nothing left to do (and no throttling window open). */
  private forgetIfIdle(s: SubState): void {
    const idle =
      !s.pumping &&
      !s.parked &&
      !s.more &&
      s.inflight === 0 &&
      s.queue.length === 0 &&
      s.waiting.length === 0 &&
      s.timer === undefined &&
      !this.dirty.has(s) &&
      Date.now() >= s.lastSentAt + s.gapMs;
    if (idle && this.states.get(s.key) === s) this.states.delete(s.key);
  }
}

function iso(): string {
  return new Date().toISOString();
}

function sleep<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
}

/** The options actually given (an explicit undefined keeps the default). */
function definedOnly(options: DispatcherOptions): DispatcherOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as DispatcherOptions;
}
