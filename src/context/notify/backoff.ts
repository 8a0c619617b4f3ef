/**
 * Retry delays: exponential backoff with full jitter (a uniformly random delay between zero and an
 * exponentially growing cap), so that receivers coming back from an outage are not hit by every
 * broker's retries at the same instant.
 */

/** The bounds of the delays. */
export interface BackoffPolicy {
  /** Cap of the delay after the first failed attempt, in ms; it doubles with each further attempt. */
  baseMs: number;
  /** Largest delay, in ms. */
  maxMs: number;
}

/** The ceiling of the delay after `attempts` failed attempts (≥ 1): min(max, base · 2^(attempts − 1)). */
export function backoffCeiling(attempts: number, policy: BackoffPolicy): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 52));
  return Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
}

/** The delay before the next attempt after `attempts` failed attempts: uniform in [0, ceiling]. */
export function backoffDelay(
  attempts: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * backoffCeiling(attempts, policy));
}
