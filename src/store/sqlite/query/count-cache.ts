/**
 * Remembers the planner's driver counts for a short while. A count only steers the choice between
 * scanning and driving, never what a query returns, so a slightly stale one costs at most some
 * speed; re-counting every time costs each query an index walk of up to a few thousand rows (the
 * type driver of a broad query pays it on every request).
 */
import type { Sql } from './sql.js';

/** How long a count is trusted, in ms. */
export const COUNT_TTL_MS = 2000;

interface Entry {
  /** Rows counted (equal to `cap` when the count stopped there). */
  n: number;
  cap: number;
  /** The tenant's size when counted: a count is dropped when the tenant grew or shrank by 1/16. */
  size: number;
  at: number;
}

/** A bounded, time-limited cache of `count(driver, cap)` answers per tenant. */
export class CountCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number,
    private readonly maxEntries = 512,
  ) {}

  /** `count(s, cap)`, from the cache when a recent enough count answers it. */
  count(tid: number, size: number, s: Sql, cap: number, count: (s: Sql, cap: number) => number): number {
    const key = `${tid}\u0000${s.sql}\u0000${JSON.stringify(s.params)}`;
    const t = this.now();
    const e = this.entries.get(key);
    // An exact count (n < its cap) answers any cap; a capped one answers caps up to its own.
    if (
      e &&
      t - e.at < COUNT_TTL_MS &&
      Math.abs(size - e.size) * 16 <= e.size &&
      (e.n < e.cap || cap <= e.cap)
    )
      return Math.min(e.n, cap);
    const n = count(s, cap);
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { n, cap, size, at: t });
    return n;
  }
}
