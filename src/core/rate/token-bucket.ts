/**
 * Per-principal rate limiting: one token bucket per key. Each bucket holds at most `burst` tokens,
 * refills continuously at `ratePerSec`, and every request takes one token or is refused with the time
 * until the next token (the 429's Retry-After).
 *
 * Why a token bucket rather than the fixed windows of @fastify/rate-limit: a fixed window resets its
 * count at each boundary, so a client can spend the whole limit at the end of one window and again at
 * the start of the next — twice the limit within a moment. A bucket bounds every interval of T ms to
 * burst + rate·T requests, wherever it starts.
 *
 * Memory is bounded: beyond `maxKeys` buckets the least recently used ones are forgotten (a Map keeps
 * insertion order; a bucket is re-inserted on every use). A forgotten key starts again with a full
 * bucket, so maxKeys must exceed the number of principals active within a refill period.
 */

export interface TokenBucketOptions {
  /** Tokens added per second (the sustained rate); > 0. */
  ratePerSec: number;
  /** Capacity of a bucket (the largest burst); an integer ≥ 1. */
  burst: number;
  /** Most buckets kept; default 100,000. */
  maxKeys?: number;
}

export type TakeResult = { ok: true; remaining: number } | { ok: false; retryAfterSec: number };

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, in ms. */
  atMs: number;
}

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly ratePerMs: number;
  private readonly ratePerSec: number;
  private readonly burst: number;
  private readonly maxKeys: number;

  constructor({ ratePerSec, burst, maxKeys = 100_000 }: TokenBucketOptions) {
    if (!Number.isFinite(ratePerSec) || ratePerSec <= 0) {
      throw new RangeError(`ratePerSec must be a positive number, not ${ratePerSec}`);
    }
    if (!Number.isInteger(burst) || burst < 1)
      throw new RangeError(`burst must be an integer ≥ 1, not ${burst}`);
    if (!Number.isInteger(maxKeys) || maxKeys < 1) {
      throw new RangeError(`maxKeys must be an integer ≥ 1, not ${maxKeys}`);
    }
    this.ratePerSec = ratePerSec;
    this.ratePerMs = ratePerSec / 1000;
    this.burst = burst;
    this.maxKeys = maxKeys;
  }

  /** Takes one token from `key`'s bucket at time `nowMs` (any monotonic clock in ms). */
  take(key: string, nowMs: number): TakeResult {
    if (!Number.isFinite(nowMs)) throw new RangeError(`nowMs must be a finite number, not ${nowMs}`);
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.burst, atMs: nowMs };
    } else {
      this.buckets.delete(key);
      // A clock that steps back refills nothing (and does not move atMs back to refill twice later).
      if (nowMs > bucket.atMs) {
        bucket.tokens = Math.min(this.burst, bucket.tokens + (nowMs - bucket.atMs) * this.ratePerMs);
        bucket.atMs = nowMs;
      }
    }
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next();
      if (oldest.done !== true) this.buckets.delete(oldest.value);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true, remaining: Math.floor(bucket.tokens) };
    }
    return { ok: false, retryAfterSec: Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSec)) };
  }

  /** How many keys have a bucket. */
  get size(): number {
    return this.buckets.size;
  }
}
