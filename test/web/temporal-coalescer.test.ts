import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../web/src/lib/backoff.js';
import { Coalescer, type Change, type Scheduler } from '../../web/src/lib/coalescer.js';
import { aggregatedSeries, chartableAttributes } from '../../web/src/lib/temporal.js';

describe('aggregated temporal answer → chart columns', () => {
  it('aligns methods on period starts, with null where a method has no value', () => {
    const body = {
      id: 'urn:x',
      type: 'T',
      pm25: {
        type: 'Property',
        avg: [
          [12, '2026-12-01T01:00:00Z', '2026-12-01T02:00:00Z'],
          [10, '2026-12-01T00:00:00Z', '2026-12-01T01:00:00Z'],
        ],
        max: [[20, '2026-12-01T00:00:00Z', '2026-12-01T01:00:00Z']],
      },
    };
    const s = aggregatedSeries(body, 'pm25', ['avg', 'max', 'min']);
    const t0 = Date.parse('2026-12-01T00:00:00Z') / 1000;
    expect(s.x).toEqual([t0, t0 + 3600]);
    expect(s.y).toEqual({ avg: [10, 12], max: [20, null], min: [null, null] });
  });

  it('gives empty columns for a missing attribute or a malformed body', () => {
    expect(aggregatedSeries({ id: 'x' }, 'pm25', ['avg'])).toEqual({ x: [], y: { avg: [] } });
    expect(aggregatedSeries(null, 'pm25', ['avg'])).toEqual({ x: [], y: { avg: [] } });
    expect(
      chartableAttributes([
        { name: 'a', value: 1 },
        { name: 'b', value: 'x' },
      ]),
    ).toEqual(['a']);
  });
});

/** A scheduler the test advances by hand. */
function manualScheduler() {
  let pending: Array<{ fn: () => void; at: number }> = [];
  let now = 0;
  const s: Scheduler & { advance(ms: number): void; count(): number } = {
    setTimeout: (fn, ms) => {
      const t = { fn, at: now + ms };
      pending.push(t);
      return t;
    },
    clearTimeout: (h) => {
      pending = pending.filter((t) => t !== h);
    },
    advance: (ms) => {
      now += ms;
      const due = pending.filter((t) => t.at <= now);
      pending = pending.filter((t) => t.at > now);
      due.forEach((t) => t.fn());
    },
    count: () => pending.length,
  };
  return s;
}

describe('Coalescer', () => {
  it('flushes once per interval with the latest change of each id', () => {
    const batches: Change<number>[][] = [];
    const sched = manualScheduler();
    const c = new Coalescer<number>((b) => batches.push(b), 500, sched);
    for (let i = 0; i < 1000; i++) c.add({ kind: 'upsert', id: `e${i % 10}`, value: i });
    c.add({ kind: 'delete', id: 'e3' });
    expect(batches).toHaveLength(0);
    expect(sched.count()).toBe(1);
    sched.advance(499);
    expect(batches).toHaveLength(0);
    sched.advance(1);
    expect(batches).toHaveLength(1);
    const batch = batches[0]!;
    expect(batch).toHaveLength(10);
    expect(batch.find((x) => x.id === 'e9')).toEqual({ kind: 'upsert', id: 'e9', value: 999 });
    expect(batch.find((x) => x.id === 'e3')).toEqual({ kind: 'delete', id: 'e3' });
    sched.advance(10_000);
    expect(batches).toHaveLength(1);
  });

  it('drains on demand and stops cleanly', () => {
    const batches: Change<number>[][] = [];
    const sched = manualScheduler();
    const c = new Coalescer<number>((b) => batches.push(b), 500, sched);
    c.add({ kind: 'upsert', id: 'a', value: 1 });
    c.drain();
    expect(batches).toHaveLength(1);
    expect(sched.count()).toBe(0);
    c.add({ kind: 'upsert', id: 'b', value: 2 });
    c.stop();
    sched.advance(1000);
    expect(batches).toHaveLength(1);
    expect(c.size).toBe(0);
  });
});

describe('backoff', () => {
  it('grows exponentially with jitter, capped', () => {
    expect(backoffDelay(0, 500, 30_000, () => 0)).toBe(250);
    expect(backoffDelay(0, 500, 30_000, () => 1)).toBe(500);
    expect(backoffDelay(3, 500, 30_000, () => 1)).toBe(4000);
    expect(backoffDelay(50, 500, 30_000, () => 1)).toBe(30_000);
  });
});
