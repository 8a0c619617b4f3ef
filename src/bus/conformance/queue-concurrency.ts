/**
 * Conformance: a consumer never runs more than `concurrency` handlers at once, and does run that many
 * when there is work; with several replicas the limit holds per replica.
 */
import { describe, expect, it } from 'vitest';
import { bytes, sleep, useCluster, waitFor, type MakeBusCluster } from './fixtures.js';

/** Counts handlers in flight and remembers the highest count. */
function gauge(): { enter(): void; leave(): void; readonly max: number } {
  let now = 0;
  let max = 0;
  return {
    enter: () => void (max = Math.max(max, ++now)),
    leave: () => void now--,
    get max() {
      return max;
    },
  };
}

/** Register the concurrency tests for a cluster factory. */
export function describeQueueConcurrency(make: MakeBusCluster): void {
  describe('work queue: concurrency', () => {
    const cluster = useCluster(make);

    it('runs at most (and up to) `concurrency` handlers at once', async () => {
      const r = await cluster.replica();
      for (let i = 0; i < 12; i++) await r.bus.enqueue('slow', bytes(`${i}`));
      const g = gauge();
      let done = 0;
      await r.bus.consume(
        'slow',
        async () => {
          g.enter();
          await sleep(80);
          g.leave();
          done++;
        },
        { concurrency: 3, ackWaitMs: 5_000 },
      );
      await waitFor(() => done === 12, 'every item');
      expect(g.max).toBe(3);
    });

    it('holds the limit per replica', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      for (let i = 0; i < 16; i++) await a.bus.enqueue('shared', bytes(`${i}`));
      const gauges = [gauge(), gauge()];
      const total = gauge();
      let done = 0;
      await Promise.all(
        [a, b].map((r, i) =>
          r.bus.consume(
            'shared',
            async () => {
              gauges[i]!.enter();
              total.enter();
              await sleep(80);
              total.leave();
              gauges[i]!.leave();
              done++;
            },
            { concurrency: 2, ackWaitMs: 5_000 },
          ),
        ),
      );
      await waitFor(() => done === 16, 'every item');
      expect(gauges.map((x) => x.max)).toEqual([2, 2]);
      expect(total.max).toBe(4);
    });
  });
}
