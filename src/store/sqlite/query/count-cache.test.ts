import { describe, expect, it } from 'vitest';
import { COUNT_TTL_MS, CountCache } from './count-cache.js';
import { sql } from './sql.js';

/** A cache on a hand-driven clock, counting how often the real counter runs. */
function setup(rows = 500) {
  let t = 0;
  const calls: number[] = [];
  const cache = new CountCache(() => t);
  const count = (_s: unknown, cap: number): number => {
    calls.push(cap);
    return Math.min(rows, cap);
  };
  return { cache, calls, count, tick: (ms: number) => (t += ms) };
}

const S = sql('SELECT eid FROM entity_types WHERE tid = ? AND type = ?', 0, 7);

describe('planner count cache', () => {
  it('answers a repeated count without counting again', () => {
    const { cache, calls, count } = setup();
    expect(cache.count(0, 1000, S, 1000, count)).toBe(500);
    expect(cache.count(0, 1000, S, 1000, count)).toBe(500);
    expect(calls).toEqual([1000]);
  });

  it('answers any cap from an exact count, and smaller caps only from a capped one', () => {
    const { cache, calls, count } = setup();
    expect(cache.count(0, 1000, S, 2000, count)).toBe(500);
    expect(cache.count(0, 1000, S, 100, count)).toBe(100);
    const capped = setup(5000);
    expect(capped.cache.count(0, 9000, S, 1000, capped.count)).toBe(1000);
    expect(capped.cache.count(0, 9000, S, 300, capped.count)).toBe(300);
    expect(capped.cache.count(0, 9000, S, 3000, capped.count)).toBe(3000);
    expect(calls).toEqual([2000]);
    expect(capped.calls).toEqual([1000, 3000]);
  });

  it('counts again after the time to live or when the tenant size moved', () => {
    const { cache, calls, count, tick } = setup();
    cache.count(0, 1000, S, 1000, count);
    tick(COUNT_TTL_MS);
    cache.count(0, 1000, S, 1000, count);
    cache.count(0, 1050, S, 1000, count); // within 1/16: still trusted
    cache.count(0, 1200, S, 1000, count);
    expect(calls).toEqual([1000, 1000, 1000]);
  });

  it('keeps tenants and parameters apart', () => {
    const { cache, calls, count } = setup();
    cache.count(0, 1000, S, 1000, count);
    cache.count(1, 1000, S, 1000, count);
    cache.count(0, 1000, sql(S.sql, 0, 8), 1000, count);
    expect(calls).toHaveLength(3);
  });

  it('stays bounded', () => {
    let t = 0;
    const cache = new CountCache(() => t, 4);
    const calls: string[] = [];
    const count = (s: { params: unknown[] }): number => (calls.push(String(s.params[1])), 1);
    for (const p of [1, 2, 3, 4, 5, 1]) cache.count(0, 10, sql(S.sql, 0, p), 10, count);
    t += 1;
    expect(calls).toEqual(['1', '2', '3', '4', '5', '1']);
  });
});
