/**
 * The audit trail writer: what the rest of the platform calls to audit an action. `record` is cheap
 * and synchronous — it buffers — and the buffer goes to the store in one `append` per macrotask tick
 * (setImmediate), so a burst of writes costs a few transactions, not one each. One append is in
 * flight at a time and a batch is taken from the front of the buffer, so entries are chained in the
 * order they were recorded. `recordNow` is for admin actions, whose API answer waits for the entry.
 *
 * A failing append loses nothing: its records go back to the front of the buffer and are retried on
 * the next tick (then with a growing delay, up to a second, while the store keeps failing, so that a
 * broken store does not spin the CPU). Only when the buffer outgrows its bound (100,000) are the
 * oldest records dropped — counted in `dropped` and reported through onError.
 */
import type { AuditEntry, AuditLink, AuditRecord, AuditRepository } from '../../store/governance-port.js';
import { auditLink, toAuditRecord } from './chain.js';
import type { AuditHead } from './verify.js';

export interface AuditTrailOptions {
  repo: AuditRepository;
  /** A failed append (the records are kept and retried), an overflow, a throwing onHead. */
  onError?(err: unknown): void;
  /** The new head after each append (the server logs it so that shipped logs anchor the chain). */
  onHead?(head: AuditHead): void;
  /** Most records kept waiting (default 100,000); beyond it the oldest are dropped. */
  maxBuffered?: number;
  /** Most records per append (default 10,000). */
  maxBatch?: number;
  /** Longest delay between retries of a failing append, in ms (default 1,000). */
  maxRetryDelayMs?: number;
  /** The chain's link (default auditLink). */
  link?: AuditLink;
}

/** Records were dropped because the buffer was full: the store has been failing or too slow. */
export class AuditOverflowError extends Error {
  constructor(readonly dropped: number) {
    super(`audit buffer full: ${dropped} record(s) dropped so far (the store is failing or too slow)`);
    this.name = 'AuditOverflowError';
  }
}

interface Pending {
  record: AuditRecord;
  /** Recording order, 1, 2, …: what flush waits for. */
  ticket: number;
  /** recordNow's caller. */
  waiter?: { resolve(entry: AuditEntry): void; reject(err: unknown): void };
}

interface FlushWaiter {
  /** Waits for every record with ticket ≤ upTo. */
  upTo: number;
  /** How many of those were dropped meanwhile. */
  lost: number;
  resolve(): void;
  reject(err: unknown): void;
}

export class AuditTrail {
  private readonly repo: AuditRepository;
  private readonly link: AuditLink;
  private readonly onError: (err: unknown) => void;
  private readonly onHead?: (head: AuditHead) => void;
  private readonly maxBuffered: number;
  private readonly maxBatch: number;
  private readonly maxRetryDelayMs: number;

  private buffer: Pending[] = [];
  private inFlight?: Pending[];
  private timer?:
    { kind: 'immediate'; handle: NodeJS.Immediate } | { kind: 'timeout'; handle: NodeJS.Timeout };
  private flushes: FlushWaiter[] = [];
  private nextTicket = 1;
  private failures = 0;
  private droppedCount = 0;
  private overflowReported = false;
  private closed = false;
  /** Set when close() gave up on a failing store: no more retries. */
  private stopped = false;

  constructor(options: AuditTrailOptions) {
    this.repo = options.repo;
    this.link = options.link ?? auditLink;
    this.onError =
      options.onError ?? ((err) => process.emitWarning(err instanceof Error ? err : String(err)));
    this.onHead = options.onHead;
    this.maxBuffered = positive(options.maxBuffered ?? 100_000, 'maxBuffered');
    this.maxBatch = positive(options.maxBatch ?? 10_000, 'maxBatch');
    this.maxRetryDelayMs = Math.max(0, options.maxRetryDelayMs ?? 1000);
  }

  /** Records dropped because the buffer was full, since the trail was made. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Records not stored yet (buffered or being appended). */
  get pending(): number {
    return this.buffer.length + (this.inFlight?.length ?? 0);
  }

  /** Buffer a record; it is stored on the next tick. Throws a TypeError on a malformed record. */
  record(record: AuditRecord): void {
    if (this.closed) throw new Error('audit trail is closed');
    this.enqueue(toAuditRecord(record));
    this.schedule(0);
  }

  /**
   * Store a record now (after those recorded before it) and resolve to its entry. Rejects when the
   * append fails — the record stays buffered and is retried, so it may still be stored later.
   */
  recordNow(record: AuditRecord): Promise<AuditEntry> {
    if (this.closed) return Promise.reject(new Error('audit trail is closed'));
    let checked: AuditRecord;
    try {
      checked = toAuditRecord(record);
    } catch (e) {
      return Promise.reject(e);
    }
    const stored = new Promise<AuditEntry>((resolve, reject) => this.enqueue(checked, { resolve, reject }));
    this.drainNow();
    return stored;
  }

  /**
   * Resolve once everything recorded so far is stored. Rejects with the error of a failed append
   * that carried some of it (the records stay buffered and are retried: flush again to wait for them),
   * or with an AuditOverflowError when some of it was dropped.
   */
  flush(): Promise<void> {
    const upTo = this.nextTicket - 1;
    if (this.oldestOutstanding() > upTo) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) =>
      this.flushes.push({ upTo, lost: 0, resolve, reject }),
    );
    this.drainNow();
    return done;
  }

  /**
   * Refuse further records and flush. When the store fails, give up retrying and reject, saying how
   * many records were not stored.
   */
  async close(): Promise<void> {
    this.closed = true;
    try {
      await this.flush();
    } catch (e) {
      this.stopped = true;
      this.cancelTimer();
      throw new Error(
        `audit trail closed with ${this.pending} record(s) not stored: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
  }

  private enqueue(record: AuditRecord, waiter?: Pending['waiter']): void {
    this.buffer.push({ record, ticket: this.nextTicket++, ...(waiter && { waiter }) });
    this.trim();
  }

  /** Drop the oldest buffered records beyond the bound. */
  private trim(): void {
    if (this.buffer.length <= this.maxBuffered) return;
    while (this.buffer.length > this.maxBuffered) {
      const lost = this.buffer.shift() as Pending;
      this.droppedCount += 1;
      const err = new AuditOverflowError(this.droppedCount);
      lost.waiter?.reject(err);
      for (const f of this.flushes) if (lost.ticket <= f.upTo) f.lost += 1;
      // Once per outage, not once per record: the count is in `dropped`.
      if (!this.overflowReported) {
        this.overflowReported = true;
        this.report(err);
      }
    }
    this.settleFlushes();
  }

  /** The ticket of the oldest record not stored yet (Infinity when none). */
  private oldestOutstanding(): number {
    return this.inFlight?.[0]?.ticket ?? this.buffer[0]?.ticket ?? Infinity;
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.inFlight || this.stopped || this.buffer.length === 0) return;
    this.timer =
      delayMs <= 0
        ? { kind: 'immediate', handle: setImmediate(() => this.drain()) }
        : { kind: 'timeout', handle: setTimeout(() => this.drain(), delayMs) };
  }

  private cancelTimer(): void {
    if (this.timer?.kind === 'immediate') clearImmediate(this.timer.handle);
    else if (this.timer) clearTimeout(this.timer.handle);
    this.timer = undefined;
  }

  /** Append now unless an append is in flight (its completion drains the rest). */
  private drainNow(): void {
    if (this.inFlight) return;
    this.cancelTimer();
    this.drain();
  }

  private drain(): void {
    this.timer = undefined;
    if (this.inFlight || this.stopped || this.buffer.length === 0) return;
    const batch = this.buffer.splice(0, this.maxBatch);
    this.inFlight = batch;
    let appended: Promise<AuditEntry[]>;
    try {
      appended = this.repo.append(
        batch.map((p) => p.record),
        this.link,
      );
    } catch (e) {
      appended = Promise.reject(e);
    }
    appended.then(
      (entries) => this.stored(batch, entries),
      (err: unknown) => this.failed(batch, err),
    );
  }

  private stored(batch: Pending[], entries: AuditEntry[]): void {
    this.inFlight = undefined;
    this.failures = 0;
    this.overflowReported = false;
    if (entries.length !== batch.length) {
      this.report(new Error(`audit store returned ${entries.length} entries for ${batch.length} records`));
    }
    batch.forEach((p, i) => {
      const entry = entries[i];
      if (entry) p.waiter?.resolve(entry);
      else p.waiter?.reject(new Error('audit store did not return the entry'));
    });
    const last = entries.at(-1);
    if (last && this.onHead) {
      try {
        this.onHead({ seq: last.seq, hash: last.hash });
      } catch (e) {
        this.report(e);
      }
    }
    this.settleFlushes();
    this.schedule(0);
  }

  private failed(batch: Pending[], err: unknown): void {
    this.inFlight = undefined;
    this.failures += 1;
    for (const p of batch) {
      p.waiter?.reject(err);
      delete p.waiter;
    }
    // Back to the front, in order: nothing is lost, and nothing overtakes them.
    this.buffer = batch.concat(this.buffer);
    const flushes = this.flushes;
    this.flushes = [];
    for (const f of flushes) f.reject(err);
    this.trim();
    this.report(err);
    // The first retry on the next tick, then 10 ms, 20 ms, … up to maxRetryDelayMs.
    this.schedule(
      this.failures <= 1 ? 0 : Math.min(this.maxRetryDelayMs, 10 * 2 ** Math.min(this.failures - 2, 20)),
    );
  }

  private settleFlushes(): void {
    const oldest = this.oldestOutstanding();
    this.flushes = this.flushes.filter((f) => {
      if (oldest <= f.upTo) return true;
      if (f.lost > 0) f.reject(new AuditOverflowError(this.droppedCount));
      else f.resolve();
      return false;
    });
  }

  private report(err: unknown): void {
    try {
      this.onError(err);
    } catch {
      // An onError that throws must not break the trail; there is nowhere left to report it.
    }
  }
}

function positive(n: number, name: string): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer`);
  return n;
}
