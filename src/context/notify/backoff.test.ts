import { describe, expect, it } from 'vitest';
import { backoffCeiling, backoffDelay } from './backoff.js';

const policy = { baseMs: 1_000, maxMs: 300_000 };

describe('backoff', () => {
  it('doubles the ceiling with each failed attempt, up to the maximum', () => {
    expect([1, 2, 3, 4, 9, 10, 50, 5_000].map((n) => backoffCeiling(n, policy))).toEqual([
      1_000, 2_000, 4_000, 8_000, 256_000, 300_000, 300_000, 300_000,
    ]);
  });

  it('draws the delay uniformly between zero and the ceiling (full jitter)', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(2_000);
    expect(backoffDelay(3, policy, () => 0.999_999)).toBe(3_999);
    for (let attempts = 1; attempts < 30; attempts++) {
      const d = backoffDelay(attempts, policy);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(backoffCeiling(attempts, policy));
    }
  });
});
