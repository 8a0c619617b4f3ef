/**
 * Group commit in front of the ingest pipeline. Transports submit one message at a time (an MQTT
 * PUBLISH, an HTTP POST); committing each alone would cost one write transaction per message. The
 * queue gathers what arrives while the previous batch commits, up to `maxBatch`, and hands it to the
 * pipeline in one call: under load, batches grow by themselves; when idle, a message waits at most
 * `maxDelayMs`. Every submitter's promise resolves with its own outcome only after the commit, so a
 * transport that acknowledges on it acknowledges only durable data.
 *
 * Bounded: past `maxPending` waiting messages, `submit` answers `overloaded` at once (the transport
 * tells the device to retry later) instead of growing memory without limit.
 */
import type { IngestOutcome, IngestPipeline, InboundMessage } from './pipeline.js';

export interface IngestQueueOptions {
  /** Most messages per pipeline call; default 1,000. */
  maxBatch?: number;
  /** Longest a message waits for companions when nothing is committing; default 2 ms. */
  maxDelayMs?: number;
  /** Most messages waiting; default 50,000. */
  maxPending?: number;
}

/** The pipeline's outcome, or `overloaded` when the queue was full, or `closed` after close(). */
export type QueuedOutcome =
  IngestOutcome | { ok: false; reason: 'overloaded' | 'closed' | 'internal'; detail: string };

interface Waiting {
  message: InboundMessage;
  resolve: (outcome: QueuedOutcome) => void;
}

export class IngestQueue {
  private readonly pipeline: Pick<IngestPipeline, 'ingest'>;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly maxPending: number;
  private waiting: Waiting[] = [];
  private committing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Pipeline calls made and messages they carried (batch size = messages / batches). */
  readonly stats = { batches: 0, messages: 0, overloaded: 0, internalErrors: 0 };

  constructor(pipeline: Pick<IngestPipeline, 'ingest'>, options: IngestQueueOptions = {}) {
    this.pipeline = pipeline;
    this.maxBatch = positiveInt(options.maxBatch ?? 1000, 'maxBatch');
    this.maxDelayMs = Math.max(0, options.maxDelayMs ?? 2);
    this.maxPending = positiveInt(options.maxPending ?? 50_000, 'maxPending');
  }

  /** Messages waiting for a commit. */
  get pending(): number {
    return this.waiting.length;
  }

  /** Ingest one message; resolves with its outcome once its batch is committed. Never rejects. */
  submit(message: InboundMessage): Promise<QueuedOutcome> {
    if (this.closed)
      return Promise.resolve({ ok: false, reason: 'closed', detail: 'ingest is shutting down' });
    if (this.waiting.length >= this.maxPending) {
      this.stats.overloaded++;
      return Promise.resolve({
        ok: false,
        reason: 'overloaded',
        detail: `more than ${this.maxPending} messages wait for storage; retry later`,
      });
    }
    return new Promise((resolve) => {
      this.waiting.push({ message, resolve });
      this.schedule();
    });
  }

  /** Several messages (an HTTP batch); outcomes in order. */
  submitMany(messages: InboundMessage[]): Promise<QueuedOutcome[]> {
    return Promise.all(messages.map((m) => this.submit(m)));
  }

  /** Refuse new messages, commit those waiting, and resolve when done. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.committing !== undefined || this.waiting.length > 0) {
      if (this.committing === undefined) this.flush();
      await this.committing;
    }
  }

  private schedule(): void {
    // While a batch commits, arrivals simply wait: the commit's end starts the next batch.
    if (this.committing !== undefined) return;
    if (this.waiting.length >= this.maxBatch) {
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (this.committing === undefined) this.flush();
    }, this.maxDelayMs);
  }

  private flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiting.length === 0) return;
    const batch = this.waiting.splice(0, this.maxBatch);
    this.committing = this.commit(batch).finally(() => {
      this.committing = undefined;
      // Whatever arrived during the commit goes next, without waiting for the delay.
      if (this.waiting.length > 0) this.flush();
    });
  }

  private async commit(batch: Waiting[]): Promise<void> {
    this.stats.batches++;
    this.stats.messages += batch.length;
    let outcomes: QueuedOutcome[];
    try {
      outcomes = await this.pipeline.ingest(batch.map((w) => w.message));
    } catch (e) {
      // A malformed message is a transport's bug; it must not take its batch companions down with it.
      this.stats.internalErrors++;
      outcomes = await this.oneByOne(batch, e);
    }
    batch.forEach((w, i) => w.resolve(outcomes[i] as QueuedOutcome));
  }

  /** After a batch threw: each message alone, so that only the faulty one fails. */
  private async oneByOne(batch: Waiting[], first: unknown): Promise<QueuedOutcome[]> {
    if (batch.length === 1) return [internal(first)];
    const out: QueuedOutcome[] = [];
    for (const w of batch) {
      try {
        out.push(...(await this.pipeline.ingest([w.message])));
      } catch (e) {
        out.push(internal(e));
      }
    }
    return out;
  }
}

function internal(e: unknown): QueuedOutcome {
  return { ok: false, reason: 'internal', detail: e instanceof Error ? e.message : String(e) };
}

function positiveInt(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${name} must be an integer ≥ 1, not ${n}`);
  return n;
}
