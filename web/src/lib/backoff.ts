/**
 * Reconnection delays: exponential with full jitter, capped, so a thousand dashboards do not
 * reconnect in step after a server restart.
 */

/** The delay before attempt `n` (0-based) in ms; `random` is injectable for tests. */
export function backoffDelay(
  n: number,
  baseMs = 500,
  capMs = 30_000,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(n, 20));
  return Math.round(baseMs / 2 + random() * (ceiling - baseMs / 2));
}
