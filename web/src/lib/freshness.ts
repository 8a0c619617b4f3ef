/**
 * How old a value is, in words ("2 min ago"), and whether it is stale: an operator must see at a
 * glance that a sensor stopped talking, not only what it said last.
 */

/** Older than this is stale (shown in amber) unless the caller knows better. */
export const DEFAULT_STALE_MS = 30 * 60 * 1000;

export interface Freshness {
  /** "just now", "2 min ago", "3 h ago", "4 d ago"; "unknown" without a time. */
  text: string;
  stale: boolean;
}

/** The age of `at` (ISO instant) seen from `now` (ms since the epoch). */
export function freshness(at: string | undefined, now: number, staleMs = DEFAULT_STALE_MS): Freshness {
  if (at === undefined) return { text: 'unknown', stale: true };
  const t = Date.parse(at);
  if (Number.isNaN(t)) return { text: 'unknown', stale: true };
  const age = now - t;
  return { text: ago(age), stale: age > staleMs };
}

/** An age in milliseconds, in words. Clock skew (a future instant) reads as "just now". */
export function ago(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} d ago`;
}
