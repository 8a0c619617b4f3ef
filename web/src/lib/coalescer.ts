/**
 * Coalesces live updates: many changes of the same entity within one interval become one, and the
 * map's GeoJSON source is rewritten at most once per interval (default 500 ms) — never once per
 * message, which would stall the map at thousands of updates a second.
 */

export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export type Change<T> = { kind: 'upsert'; id: string; value: T } | { kind: 'delete'; id: string };

/** Collects changes by id and hands them to `flush` in one batch per interval. */
export class Coalescer<T> {
  private pending = new Map<string, Change<T>>();
  private timer: unknown;

  constructor(
    private readonly flush: (changes: Change<T>[]) => void,
    private readonly intervalMs = 500,
    private readonly scheduler: Scheduler = {
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
      clearTimeout: (h) => globalThis.clearTimeout(h as number),
    },
  ) {}

  /** Queue a change; the latest change of an id wins. */
  add(change: Change<T>): void {
    this.pending.set(change.id, change);
    if (this.timer === undefined) {
      this.timer = this.scheduler.setTimeout(() => this.drain(), this.intervalMs);
    }
  }

  /** How many distinct ids wait. */
  get size(): number {
    return this.pending.size;
  }

  /** Flush now (tests, or before the page goes away). */
  drain(): void {
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.flush(batch);
  }

  /** Drop what waits and stop the timer. */
  stop(): void {
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
