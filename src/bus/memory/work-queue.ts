/**
 * One in-memory work queue: the state machine of a JetStream work-queue stream with one durable pull
 * consumer shared by every replica, so that the embedded bus keeps the promises the NATS bus keeps.
 * An item is owned by one delivery at a time; the delivery ends with the handler's outcome (resolve →
 * gone, reject → back after a backoff, or to the dead-letter queue on the last delivery) or, if the
 * outcome never comes or its consumer's bus closed, with the ack-wait timer (→ back at the head of the
 * queue). Timers are unref'd: a queue never keeps the process alive.
 */
import {
  backoffDelay,
  BusError,
  deadReason,
  type EnqueueResult,
  type ResolvedConsumeOptions,
  type WorkHandler,
  type WorkItem,
} from '../port.js';

/** An item waiting in, or out of, a queue. */
interface Item {
  readonly payload: Uint8Array;
  readonly id: string | undefined;
  readonly deadReason: string | undefined;
  deliveries: number;
  /** The delivery (its number) that currently owns the item; undefined while it waits. */
  owner: number | undefined;
}

/** What a queue hands to the dead-letter queue. */
export interface DeadLetter {
  readonly payload: Uint8Array;
  readonly id: string | undefined;
  readonly reason: string;
}

/** One replica's `consume` of a queue. */
export class QueueConsumer {
  busy = 0;
  /** False once stopped or closed: gets no new deliveries. */
  accepting = true;
  /** False once its bus closed: its outcomes are lost, as with a dead connection. */
  live = true;
  readonly inFlight = new Set<Promise<void>>();

  constructor(
    readonly queue: string,
    readonly handler: WorkHandler,
    readonly options: ResolvedConsumeOptions,
    readonly report: (error: BusError) => void,
  ) {}
}

type Outcome = { ok: true } | { ok: false; cause: unknown };

/** A named queue with its competing consumers and its de-duplication window. */
export class MemoryWorkQueue {
  private readonly ready: Item[] = [];
  private readonly consumers: QueueConsumer[] = [];
  /** Round-robin position among consumers, so replicas share the load. */
  private turn = 0;
  /** De-duplication ids → expiry (ms); insertion order is expiry order, the window being fixed. */
  private readonly seen = new Map<string, number>();

  constructor(
    readonly name: string,
    private readonly dedupWindowMs: number,
    private readonly deadLetter: (letter: DeadLetter) => void,
  ) {}

  /** Adds an item; with `dedup`, an id seen within the window adds nothing. */
  add(
    payload: Uint8Array,
    id: string | undefined,
    reason: string | undefined,
    dedup: boolean,
  ): EnqueueResult {
    if (dedup && id !== undefined) {
      const now = Date.now();
      for (const [seenId, expiry] of this.seen) {
        if (expiry > now) break;
        this.seen.delete(seenId);
      }
      if (this.seen.has(id)) return { duplicate: true };
      this.seen.set(id, now + this.dedupWindowMs);
    }
    this.ready.push({ payload, id, deadReason: reason, deliveries: 0, owner: undefined });
    this.pump();
    return { duplicate: false };
  }

  /** Registers a consumer; it starts receiving at once. */
  register(consumer: QueueConsumer): void {
    this.consumers.push(consumer);
    this.pump();
  }

  /** Takes a consumer out: no new deliveries; with `graceful`, its handlers' outcomes still count. */
  unregister(consumer: QueueConsumer, graceful: boolean): Promise<void> {
    consumer.accepting = false;
    if (!graceful) consumer.live = false;
    const at = this.consumers.indexOf(consumer);
    if (at >= 0) this.consumers.splice(at, 1);
    return Promise.all(consumer.inFlight).then(() => undefined);
  }

  private pump(): void {
    while (this.ready.length > 0) {
      const consumer = this.freeConsumer();
      if (consumer === undefined) return;
      this.deliver(consumer, this.ready.shift()!);
    }
  }

  private freeConsumer(): QueueConsumer | undefined {
    const n = this.consumers.length;
    for (let k = 0; k < n; k++) {
      const c = this.consumers[(this.turn + k) % n]!;
      if (c.accepting && c.busy < c.options.concurrency) {
        this.turn = (this.turn + k + 1) % n;
        return c;
      }
    }
    return undefined;
  }

  private deliver(consumer: QueueConsumer, item: Item): void {
    item.deliveries++;
    if (item.deliveries > consumer.options.maxDeliver) {
      this.giveUp(item, `not acknowledged after ${item.deliveries - 1} deliveries`);
      return;
    }
    const delivery = item.deliveries;
    item.owner = delivery;
    consumer.busy++;
    const timer = setTimeout(() => {
      if (item.owner !== delivery) return;
      item.owner = undefined;
      this.ready.unshift(item);
      this.pump();
    }, consumer.options.ackWaitMs);
    timer.unref();
    const view: WorkItem = {
      queue: this.name,
      payload: item.payload.slice(),
      id: item.id,
      deliveries: delivery,
      deadReason: item.deadReason,
    };
    const run: Promise<Outcome> = (async () => consumer.handler(view))().then(
      () => ({ ok: true }),
      (cause: unknown) => ({ ok: false, cause }),
    );
    const done = run.then((outcome) => {
      consumer.busy--;
      if (consumer.live && item.owner === delivery) {
        clearTimeout(timer);
        item.owner = undefined;
        if (!outcome.ok) this.failed(consumer, item, outcome.cause);
      }
      this.pump();
    });
    consumer.inFlight.add(done);
    void done.then(() => consumer.inFlight.delete(done));
  }

  private failed(consumer: QueueConsumer, item: Item, cause: unknown): void {
    consumer.report(
      new BusError('handler-failed', `work on '${this.name}' failed (delivery ${item.deliveries})`, {
        cause,
      }),
    );
    if (item.deliveries >= consumer.options.maxDeliver) {
      this.giveUp(item, deadReason(cause));
      return;
    }
    setTimeout(
      () => {
        this.ready.push(item);
        this.pump();
      },
      backoffDelay(consumer.options, item.deliveries),
    ).unref();
  }

  private giveUp(item: Item, reason: string): void {
    this.deadLetter({ payload: item.payload, id: item.id, reason });
  }
}
