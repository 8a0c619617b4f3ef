/**
 * The Bus port: how replicas of Urbis coordinate. Three primitives, each with the guarantee its uses need
 * (decision record 0008):
 * - events (`publish`/`subscribe`): fan-out, every live subscriber of every replica gets each event,
 *   at most once, in publish order per publisher; a replica that is down misses them (cache
 *   invalidation, entity-change signals — nothing that must not be lost);
 * - work queues (`enqueue`/`consume`): each item handled by exactly one consumer among the replicas,
 *   at least once: redelivered after a failure (with backoff) or when its consumer dies without
 *   acknowledging (after `ackWaitMs`), moved to `<queue>.dead` after `maxDeliver` deliveries;
 * - leases (`acquire`): one holder at a time per name, lost `ttlMs` after the last write if not renewed.
 *
 * The rules both adapters must share (what a name may be, option defaults and bounds, the backoff) live
 * here too, because an adapter imports only `core` and its port.
 */

/** Why a bus operation failed. */
export type BusErrorReason =
  /** A topic, pattern, queue or lease name the bus does not accept. */
  | 'invalid-name'
  /** An option out of bounds (concurrency, ackWaitMs, ttlMs, …). */
  | 'invalid-option'
  /** The bus was closed. */
  | 'closed'
  /** The underlying engine failed or is unreachable. */
  | 'unavailable'
  /** A subscriber's or a worker's handler threw; reported to `onError`, never to the publisher. */
  | 'handler-failed';

/** A bus failure with a reason a caller can branch on; the engine's error, if any, is the cause. */
export class BusError extends Error {
  readonly reason: BusErrorReason;

  constructor(reason: BusErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BusError';
    this.reason = reason;
  }
}

/** An event as a subscriber receives it. */
export interface BusEvent {
  readonly topic: string;
  readonly payload: Uint8Array;
}

/** Receives events; what it throws or rejects goes to the bus's `onError`, not to the publisher. */
export type EventHandler = (event: BusEvent) => void | Promise<void>;

/** A work item as a consumer receives it. */
export interface WorkItem {
  readonly queue: string;
  readonly payload: Uint8Array;
  /** The de-duplication id given to `enqueue`, if any (kept on dead letters). */
  readonly id: string | undefined;
  /** 1 on the first delivery, 2 on the first redelivery, … */
  readonly deliveries: number;
  /** On an item of a `<queue>.dead` queue: why it was given up. */
  readonly deadReason: string | undefined;
}

/** Handles one work item: resolving acknowledges it, rejecting asks for a redelivery after a backoff. */
export type WorkHandler = (item: WorkItem) => void | Promise<void>;

/** Options of `enqueue`. */
export interface EnqueueOptions {
  /** De-duplication id: a second item with the same id on the same queue within the window is dropped. */
  id?: string;
}

/** What `enqueue` did. */
export interface EnqueueResult {
  /** True when an item with the same id was enqueued within the de-duplication window: nothing added. */
  duplicate: boolean;
}

/** Options of `consume`; shared by every replica consuming the same queue (the last one set wins). */
export interface ConsumeOptions {
  /** Items this consumer handles at once (1…1000, default 1). */
  concurrency?: number;
  /** How long a delivery may stay unacknowledged before it goes to another consumer (ms, default 30 s). */
  ackWaitMs?: number;
  /** Deliveries before an item moves to `<queue>.dead` (1…1000, default 5). */
  maxDeliver?: number;
  /** Delay before the redelivery of a failed item, doubled each time (ms, default 1 s). */
  backoffMs?: number;
  /** Upper bound of that delay (ms, default 60 s). */
  maxBackoffMs?: number;
}

/** `ConsumeOptions` with every default applied. */
export type ResolvedConsumeOptions = Required<ConsumeOptions>;

/** Stops a subscription or a consumer; a consumer's stop waits for its handlers in flight (and acks them). */
export type Stop = () => Promise<void>;

/** A held lease on a singleton job. */
export interface Lease {
  readonly name: string;
  readonly ttlMs: number;
  /** Extends the lease by `ttlMs`; false when it was lost (expired, or taken by another replica). */
  renew(): Promise<boolean>;
  /** Gives the lease up so another replica can take it at once; does nothing if already lost. */
  release(): Promise<void>;
}

/** Options every adapter accepts. */
export interface BusOptions {
  /** Hears what cannot be thrown to a caller: handler failures, failed acknowledgements. */
  onError?: (error: BusError) => void;
}

/** The Bus port. Every method rejects with a `BusError`. */
export interface Bus {
  /** Sends an event to every current subscriber of a matching pattern, on every replica. */
  publish(topic: string, payload: Uint8Array): Promise<void>;
  /**
   * Subscribes to a pattern (`*` = one token, `>` = one or more trailing tokens). Resolves once the
   * subscription is in force: an event published after that, by any replica, reaches it.
   */
  subscribe(pattern: string, handler: EventHandler): Promise<Stop>;
  /** Adds an item to a work queue; durable once resolved. */
  enqueue(queue: string, payload: Uint8Array, options?: EnqueueOptions): Promise<EnqueueResult>;
  /** Starts handling a queue's items, competing with every other consumer of that queue. */
  consume(queue: string, handler: WorkHandler, options?: ConsumeOptions): Promise<Stop>;
  /**
   * Takes the lease `name` for `ttlMs` if nobody holds it; undefined when someone does. Contenders must
   * use the same `ttlMs` for a name (on NATS the ttl selects the bucket); renew well within it.
   */
  acquire(name: string, ttlMs: number): Promise<Lease | undefined>;
  /**
   * Closes at once, like a replica that dies: deliveries in flight are not acknowledged (they go to
   * another consumer after `ackWaitMs`) and leases are not released (they expire after `ttlMs`). For a
   * graceful shutdown stop the consumers and release the leases first.
   */
  close(): Promise<void>;
}

// ---- Names ----------------------------------------------------------------------------------------

/** A topic token: anything but separators, wildcards, whitespace and control characters. */
const TOPIC_TOKEN = /^[^\s.*>\p{Cc}]+$/u;
/** A queue or lease token: a conservative set that is valid in every engine's names. */
const NAME_TOKEN = /^[A-Za-z0-9-]+$/;
const MAX_NAME_LENGTH = 200;

function tokens(kind: string, name: unknown): string[] {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new BusError('invalid-name', `${kind} must be a string of 1 to ${MAX_NAME_LENGTH} characters`);
  }
  return name.split('.');
}

/** Checks a topic to publish on: dot-separated tokens, no wildcard. */
export function checkTopic(topic: string): void {
  for (const t of tokens('topic', topic)) {
    if (!TOPIC_TOKEN.test(t)) throw new BusError('invalid-name', `invalid topic '${topic}'`);
  }
}

/** Checks a subscription pattern: like a topic, where a token may be `*`, and the last one `>`. */
export function checkPattern(pattern: string): void {
  const ts = tokens('pattern', pattern);
  ts.forEach((t, i) => {
    if (t === '*' || (t === '>' && i === ts.length - 1)) return;
    if (!TOPIC_TOKEN.test(t)) throw new BusError('invalid-name', `invalid pattern '${pattern}'`);
  });
}

/** Checks a queue or lease name: dot-separated tokens of letters, digits and '-'. */
export function checkName(kind: 'queue' | 'lease', name: string): void {
  for (const t of tokens(kind, name)) {
    if (!NAME_TOKEN.test(t)) {
      throw new BusError('invalid-name', `invalid ${kind} name '${name}': use letters, digits, '-' and '.'`);
    }
  }
}

/** The queue where items of `queue` go after `maxDeliver` deliveries. */
export function deadLetterQueue(queue: string): string {
  return `${queue}.dead`;
}

/** Checks a de-duplication id. */
export function checkId(id: unknown): void {
  if (id === undefined) return;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_NAME_LENGTH || /\p{Cc}/u.test(id)) {
    throw new BusError('invalid-name', `an item id must be 1 to ${MAX_NAME_LENGTH} printable characters`);
  }
}

/** Checks a payload is bytes. */
export function checkPayload(payload: unknown): void {
  if (!(payload instanceof Uint8Array))
    throw new BusError('invalid-option', 'a payload must be a Uint8Array');
}

// ---- Options --------------------------------------------------------------------------------------

function bounded(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new BusError('invalid-option', `${name} must be an integer from ${min} to ${max}`);
  }
  return v;
}

const HOUR = 3_600_000;

/** Applies defaults and bounds to consume options. */
export function resolveConsumeOptions(options: ConsumeOptions = {}): ResolvedConsumeOptions {
  const backoffMs = bounded('backoffMs', options.backoffMs, 1_000, 0, HOUR);
  return {
    concurrency: bounded('concurrency', options.concurrency, 1, 1, 1_000),
    ackWaitMs: bounded('ackWaitMs', options.ackWaitMs, 30_000, 100, 12 * HOUR),
    maxDeliver: bounded('maxDeliver', options.maxDeliver, 5, 1, 1_000),
    backoffMs,
    maxBackoffMs: bounded('maxBackoffMs', options.maxBackoffMs, Math.max(60_000, backoffMs), backoffMs, HOUR),
  };
}

/** Checks a lease ttl (100 ms … 24 h, whole milliseconds). */
export function checkTtl(ttlMs: number): void {
  bounded('ttlMs', ttlMs, 0, 100, 24 * HOUR);
}

/** The delay before redelivering an item that failed on its `deliveries`-th delivery. */
export function backoffDelay(options: ResolvedConsumeOptions, deliveries: number): number {
  const exp = Math.min(deliveries - 1, 30);
  return Math.min(options.backoffMs * 2 ** exp, options.maxBackoffMs);
}

/** Why an item is given up, as carried by its dead letter (one line, bounded). */
export function deadReason(cause: unknown): string {
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.replace(/[\r\n\p{Cc}]+/gu, ' ').slice(0, 500) || 'handler failed';
}
