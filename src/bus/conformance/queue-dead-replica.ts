/**
 * Conformance: a replica that dies while holding an item (its bus closed, its handler never finished)
 * loses the item to another consumer once the ack wait has passed, not before; and an item whose every
 * delivery died with its consumer is dead-lettered after `maxDeliver` without running the handler again.
 */
import { describe, expect, it } from 'vitest';
import type { WorkItem } from '../port.js';
import { bytes, text, useCluster, waitFor, type MakeBusCluster } from './fixtures.js';

const ACK_WAIT_MS = 1_000;

/** A handler that never settles: the replica hangs, then dies. */
const hang = (): Promise<void> => new Promise<void>(() => undefined);

/** Register the dead-replica tests for a cluster factory. */
export function describeQueueDeadReplica(make: MakeBusCluster): void {
  describe('work queue: a replica dies', () => {
    const cluster = useCluster(make);

    it('redelivers the held item to another replica after ackWait', async () => {
      const [a, b, producer] = [await cluster.replica(), await cluster.replica(), await cluster.replica()];
      let takenAt = 0;
      await a.bus.consume(
        'ingest',
        () => {
          takenAt = Date.now();
          return hang();
        },
        { ackWaitMs: ACK_WAIT_MS },
      );
      await producer.bus.enqueue('ingest', bytes('frame-1'), { id: 'f1' });
      await waitFor(() => takenAt > 0, 'A to take the item');
      await a.bus.close();
      const got: Array<{ item: WorkItem; at: number }> = [];
      await b.bus.consume('ingest', (item) => void got.push({ item, at: Date.now() }), {
        ackWaitMs: ACK_WAIT_MS,
      });
      await waitFor(() => got.length === 1, 'B to get the item', 5_000);
      expect(text(got[0]!.item.payload)).toBe('frame-1');
      expect(got[0]!.item.id).toBe('f1');
      expect(got[0]!.item.deliveries).toBe(2);
      expect(got[0]!.at - takenAt).toBeGreaterThanOrEqual(ACK_WAIT_MS - 100);
    });

    it('dead-letters an item whose deliveries all died, without running the handler again', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      let taken = 0;
      await a.bus.consume(
        'cmd',
        () => {
          taken++;
          return hang();
        },
        { ackWaitMs: ACK_WAIT_MS, maxDeliver: 1 },
      );
      await a.bus.enqueue('cmd', bytes('switch-on'));
      await waitFor(() => taken === 1, 'A to take the item');
      await a.bus.close();
      let handledByB = 0;
      const dead: WorkItem[] = [];
      await b.bus.consume('cmd', () => void handledByB++, { ackWaitMs: ACK_WAIT_MS, maxDeliver: 1 });
      await b.bus.consume('cmd.dead', (item) => void dead.push(item));
      await waitFor(() => dead.length === 1, 'the dead letter', 5_000);
      expect(handledByB).toBe(0);
      expect(text(dead[0]!.payload)).toBe('switch-on');
      expect(dead[0]!.deadReason).toBe('not acknowledged after 1 deliveries');
    });
  });
}
