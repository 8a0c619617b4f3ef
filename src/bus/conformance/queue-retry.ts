/**
 * Conformance: a failing handler gets its item again after a backoff, and after `maxDeliver` failed
 * deliveries the item moves to `<queue>.dead`, where an operator reads it with its id and the reason.
 */
import { describe, expect, it } from 'vitest';
import { bytes, sleep, text, useCluster, waitFor, type MakeBusCluster } from './fixtures.js';
import type { WorkItem } from '../port.js';

/** Register the retry and dead-letter tests for a cluster factory. */
export function describeQueueRetry(make: MakeBusCluster): void {
  describe('work queue: retry and dead letters', () => {
    const cluster = useCluster(make);

    it('redelivers a failed item after the backoff until the handler succeeds', async () => {
      const r = await cluster.replica();
      const attempts: Array<{ deliveries: number; at: number }> = [];
      let done = false;
      await r.bus.consume(
        'flaky',
        async (item) => {
          attempts.push({ deliveries: item.deliveries, at: Date.now() });
          if (item.deliveries < 3) throw new Error(`attempt ${item.deliveries} failed`);
          done = true;
        },
        { maxDeliver: 5, backoffMs: 200, ackWaitMs: 5_000 },
      );
      await r.bus.enqueue('flaky', bytes('x'));
      await waitFor(() => done, 'the third delivery');
      expect(attempts.map((a) => a.deliveries)).toEqual([1, 2, 3]);
      // Backoff 200 ms then 400 ms (doubled), with a little slack for timer granularity.
      expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(180);
      expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(360);
      expect(r.errors.map((e) => e.reason)).toEqual(['handler-failed', 'handler-failed']);
      await sleep(300);
      expect(attempts).toHaveLength(3);
    });

    it('moves an item to <queue>.dead after maxDeliver failures, with its id and the reason', async () => {
      const [worker, operator] = [await cluster.replica(), await cluster.replica()];
      let calls = 0;
      await worker.bus.consume(
        'notify',
        async () => {
          calls++;
          throw new Error('receiver refused: 410 Gone');
        },
        { maxDeliver: 3, backoffMs: 50, ackWaitMs: 5_000 },
      );
      await worker.bus.enqueue('notify', bytes('payload-1'), { id: 'n-1' });
      const dead: WorkItem[] = [];
      await operator.bus.consume('notify.dead', (item) => void dead.push(item));
      await waitFor(() => dead.length === 1, 'the dead letter');
      expect(calls).toBe(3);
      const [letter] = dead;
      expect(letter!.queue).toBe('notify.dead');
      expect(text(letter!.payload)).toBe('payload-1');
      expect(letter!.id).toBe('n-1');
      expect(letter!.deadReason).toBe('receiver refused: 410 Gone');
      await sleep(300);
      expect(calls).toBe(3);
      expect(dead).toHaveLength(1);
    });

    it('with maxDeliver 1, a single failure is final', async () => {
      const r = await cluster.replica();
      let calls = 0;
      await r.bus.consume(
        'once',
        () => {
          calls++;
          throw new Error('no');
        },
        { maxDeliver: 1, backoffMs: 10 },
      );
      await r.bus.enqueue('once', bytes('x'));
      const dead: WorkItem[] = [];
      await r.bus.consume('once.dead', (item) => void dead.push(item));
      await waitFor(() => dead.length === 1, 'the dead letter');
      expect(calls).toBe(1);
      expect(dead[0]!.id).toBeUndefined();
      expect(dead[0]!.deadReason).toBe('no');
    });
  });
}
