/**
 * Conformance: enqueue de-duplication. An id seen on a queue within the window (JetStream's
 * `Nats-Msg-Id` duplicate window) adds nothing, even after the first item was handled; ids are per
 * queue; items without an id are never de-duplicated.
 */
import { describe, expect, it } from 'vitest';
import { bytes, sleep, text, useCluster, waitFor, type MakeBusCluster } from './fixtures.js';

/** Register the de-duplication tests for a cluster factory. */
export function describeQueueDedup(make: MakeBusCluster): void {
  describe('work queue: de-duplication by id', () => {
    const cluster = useCluster(make);

    it('drops a second item with the same id, even once the first was handled', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      expect(await a.bus.enqueue('dedup', bytes('first'), { id: 'cmd-42' })).toEqual({ duplicate: false });
      expect(await b.bus.enqueue('dedup', bytes('second'), { id: 'cmd-42' })).toEqual({ duplicate: true });
      const seen: string[] = [];
      await a.bus.consume('dedup', (item) => void seen.push(text(item.payload)));
      await waitFor(() => seen.length === 1, 'the item');
      expect(await b.bus.enqueue('dedup', bytes('third'), { id: 'cmd-42' })).toEqual({ duplicate: true });
      await sleep(200);
      expect(seen).toEqual(['first']);
    });

    it('keeps ids per queue and never de-duplicates items without an id', async () => {
      const r = await cluster.replica();
      expect(await r.bus.enqueue('qa', bytes('1'), { id: 'same' })).toEqual({ duplicate: false });
      expect(await r.bus.enqueue('qb', bytes('2'), { id: 'same' })).toEqual({ duplicate: false });
      expect(await r.bus.enqueue('qa', bytes('3'))).toEqual({ duplicate: false });
      expect(await r.bus.enqueue('qa', bytes('3'))).toEqual({ duplicate: false });
      expect(await r.bus.enqueue('qa', bytes('4'), { id: 'other' })).toEqual({ duplicate: false });
      const seen: string[] = [];
      await r.bus.consume('qa', (item) => void seen.push(`qa:${text(item.payload)}:${item.id ?? '-'}`));
      await r.bus.consume('qb', (item) => void seen.push(`qb:${text(item.payload)}:${item.id ?? '-'}`));
      await waitFor(() => seen.length === 5, 'five items');
      expect(seen.sort()).toEqual(['qa:1:same', 'qa:3:-', 'qa:3:-', 'qa:4:other', 'qb:2:same']);
    });
  });
}
