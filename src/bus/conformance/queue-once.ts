/**
 * Conformance: a work queue hands each item to exactly one of the competing consumers on several
 * replicas, and the replicas share the load. The count is checked again after the ack wait has passed,
 * so a late redelivery would show.
 */
import { describe, expect, it } from 'vitest';
import { bytes, sleep, text, useCluster, waitFor, type MakeBusCluster } from './fixtures.js';

const ITEMS = 300;
const ACK_WAIT_MS = 1_000;

/** Register the exactly-once tests for a cluster factory. */
export function describeQueueOnce(make: MakeBusCluster): void {
  describe('work queue: each item once', () => {
    const cluster = useCluster(make);

    it(`hands ${ITEMS} items to 3 competing consumers, each item exactly once`, async () => {
      const replicas = [await cluster.replica(), await cluster.replica(), await cluster.replica()];
      const producer = await cluster.replica();
      const counts = new Map<string, number>();
      const perReplica = [0, 0, 0];
      let redeliveries = 0;
      await Promise.all(
        replicas.map((r, i) =>
          r.bus.consume(
            'jobs',
            async (item) => {
              if (item.deliveries !== 1) redeliveries++;
              await sleep(Math.random() * 3);
              const key = text(item.payload);
              counts.set(key, (counts.get(key) ?? 0) + 1);
              perReplica[i]!++;
            },
            { concurrency: 4, ackWaitMs: ACK_WAIT_MS },
          ),
        ),
      );
      await Promise.all(
        Array.from({ length: ITEMS }, (_, i) => producer.bus.enqueue('jobs', bytes(`item-${i}`))),
      );
      await waitFor(() => counts.size === ITEMS, 'every item', 10_000);
      await sleep(ACK_WAIT_MS + 300);
      expect(counts.size).toBe(ITEMS);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect(redeliveries).toBe(0);
      expect(perReplica.reduce((a, b) => a + b, 0)).toBe(ITEMS);
      expect(perReplica.every((n) => n > 0)).toBe(true);
      expect(replicas.flatMap((r) => r.errors)).toEqual([]);
    });

    it('keeps items enqueued before anyone consumes, and queues apart from each other', async () => {
      const r = await cluster.replica();
      await r.bus.enqueue('early', bytes('a'));
      await r.bus.enqueue('early', bytes('b'));
      await r.bus.enqueue('other', bytes('x'));
      const seen: string[] = [];
      await r.bus.consume('early', (item) => void seen.push(`${item.queue}:${text(item.payload)}`));
      await waitFor(() => seen.length === 2, 'both early items');
      await sleep(100);
      expect(seen.sort()).toEqual(['early:a', 'early:b']);
    });

    it('a gracefully stopped consumer finishes and acknowledges what it holds', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const seenA: number[] = [];
      const seenB: number[] = [];
      const stopA = await a.bus.consume(
        'graceful',
        async (item) => {
          seenA.push(item.deliveries);
          await gate;
        },
        { ackWaitMs: ACK_WAIT_MS },
      );
      await a.bus.enqueue('graceful', bytes('one'));
      await waitFor(() => seenA.length === 1, 'A to take the item');
      const stopped = stopA();
      await b.bus.consume('graceful', (item) => void seenB.push(item.deliveries), { ackWaitMs: ACK_WAIT_MS });
      release();
      await stopped;
      await sleep(ACK_WAIT_MS + 300);
      expect(seenA).toEqual([1]);
      expect(seenB).toEqual([]);
    });
  });
}
