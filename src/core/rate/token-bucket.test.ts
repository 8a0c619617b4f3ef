import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TokenBucketLimiter } from './token-bucket.js';

describe('TokenBucketLimiter', () => {
  it('lets a burst through, then refuses with the time to the next token', () => {
    const limiter = new TokenBucketLimiter({ ratePerSec: 2, burst: 3 });
    expect(limiter.take('k', 0)).toEqual({ ok: true, remaining: 2 });
    expect(limiter.take('k', 0)).toEqual({ ok: true, remaining: 1 });
    expect(limiter.take('k', 0)).toEqual({ ok: true, remaining: 0 });
    // Empty bucket, 2 tokens/s: the next token is 0.5 s away, rounded up to whole seconds.
    expect(limiter.take('k', 0)).toEqual({ ok: false, retryAfterSec: 1 });
  });

  it('rounds Retry-After up to the next whole second at slow rates', () => {
    const limiter = new TokenBucketLimiter({ ratePerSec: 0.1, burst: 1 });
    expect(limiter.take('k', 0).ok).toBe(true);
    expect(limiter.take('k', 0)).toEqual({ ok: false, retryAfterSec: 10 });
    // 2.5 s later a quarter token has come back: 7.5 s to go → 8.
    expect(limiter.take('k', 2_500)).toEqual({ ok: false, retryAfterSec: 8 });
    expect(limiter.take('k', 9_999)).toEqual({ ok: false, retryAfterSec: 1 });
    expect(limiter.take('k', 10_000)).toEqual({ ok: true, remaining: 0 });
  });

  it('refills continuously with time, never beyond the burst', () => {
    const limiter = new TokenBucketLimiter({ ratePerSec: 10, burst: 5 });
    for (let i = 0; i < 5; i++) expect(limiter.take('k', 1_000).ok).toBe(true);
    expect(limiter.take('k', 1_000).ok).toBe(false);
    expect(limiter.take('k', 1_099).ok).toBe(false); // 0.99 token
    expect(limiter.take('k', 1_100)).toEqual({ ok: true, remaining: 0 });
    expect(limiter.take('k', 1_300)).toEqual({ ok: true, remaining: 1 });
    // An hour idle refills to the burst, not to 36,000 tokens.
    expect(limiter.take('k', 3_601_300)).toEqual({ ok: true, remaining: 4 });
  });

  it('does not refill when the clock steps back', () => {
    const limiter = new TokenBucketLimiter({ ratePerSec: 1, burst: 1 });
    expect(limiter.take('k', 10_000).ok).toBe(true);
    expect(limiter.take('k', 5_000).ok).toBe(false);
    expect(limiter.take('k', 10_500).ok).toBe(false);
    expect(limiter.take('k', 11_000).ok).toBe(true);
  });

  it('keeps keys independent', () => {
    const limiter = new TokenBucketLimiter({ ratePerSec: 1, burst: 1 });
    expect(limiter.take('alice', 0).ok).toBe(true);
    expect(limiter.take('alice', 0).ok).toBe(false);
    expect(limiter.take('bob', 0).ok).toBe(true);
    expect(limiter.take('bob', 0).ok).toBe(false);
  });

  it('forgets the least recently used keys beyond maxKeys', () => {
    const limiter = new TokenBucketLimiter({ ratePerSec: 1, burst: 1, maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) expect(limiter.take(key, 0).ok).toBe(true);
    expect(limiter.take('a', 0).ok).toBe(false); // 'a' is now the most recently used
    expect(limiter.take('d', 0).ok).toBe(true); // evicts 'b'
    expect(limiter.size).toBe(3);
    expect(limiter.take('a', 0).ok).toBe(false); // kept: still empty
    expect(limiter.take('b', 0).ok).toBe(true); // forgotten: a fresh bucket (evicts 'c')
    expect(limiter.take('c', 0).ok).toBe(true);
    for (let i = 0; i < 1_000; i++) limiter.take(`key-${i}`, 0);
    expect(limiter.size).toBe(3);
  });

  it('refuses settings that make no sense', () => {
    expect(() => new TokenBucketLimiter({ ratePerSec: 0, burst: 1 })).toThrow(/ratePerSec/);
    expect(() => new TokenBucketLimiter({ ratePerSec: Number.NaN, burst: 1 })).toThrow(/ratePerSec/);
    expect(() => new TokenBucketLimiter({ ratePerSec: 1, burst: 0 })).toThrow(/burst/);
    expect(() => new TokenBucketLimiter({ ratePerSec: 1, burst: 1.5 })).toThrow(/burst/);
    expect(() => new TokenBucketLimiter({ ratePerSec: 1, burst: 1, maxKeys: 0 })).toThrow(/maxKeys/);
    expect(() => new TokenBucketLimiter({ ratePerSec: 1, burst: 1 }).take('k', Number.NaN)).toThrow(/nowMs/);
  });

  it('never lets more than burst + rate·T through within T ms (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 1_000, noNaN: true }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 1e9 }),
        fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 300 }),
        (ratePerSec, burst, start, gaps) => {
          const limiter = new TokenBucketLimiter({ ratePerSec, burst });
          const times: number[] = [];
          let now = start;
          for (const gap of gaps) {
            now += gap;
            times.push(now);
          }
          const ok = times.map((t) => limiter.take('k', t).ok);
          // Every window [i, j] of the sequence, not only the whole of it.
          for (let i = 0; i < times.length; i++) {
            let count = 0;
            for (let j = i; j < times.length; j++) {
              if (ok[j]) count++;
              const elapsedMs = times[j]! - times[i]!;
              // 1e-9 absorbs floating-point rounding of the continuous refill.
              expect(count).toBeLessThanOrEqual(burst + (ratePerSec * elapsedMs) / 1000 + 1e-9);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
