/**
 * Conformance: fan-out events. Every subscriber on every replica gets each event, in publish order;
 * unsubscribing stops delivery; a throwing subscriber is reported to its own bus's `onError` and
 * neither the publisher nor the other subscribers notice.
 */
import { describe, expect, it } from 'vitest';
import type { BusEvent } from '../port.js';
import { bytes, sleep, text, useCluster, waitFor, type MakeBusCluster } from './fixtures.js';

/** Register the fan-out tests for a cluster factory. */
export function describeFanOut(make: MakeBusCluster): void {
  describe('fan-out events', () => {
    const cluster = useCluster(make);

    it('delivers each event to two subscribers on two replicas, in order', async () => {
      const [a, b, publisher] = [await cluster.replica(), await cluster.replica(), await cluster.replica()];
      const seenA: string[] = [];
      const seenB: BusEvent[] = [];
      await a.bus.subscribe('entity.changed.city-a', (e) => void seenA.push(text(e.payload)));
      await b.bus.subscribe('entity.changed.city-a', (e) => void seenB.push(e));
      for (let i = 0; i < 20; i++) await publisher.bus.publish('entity.changed.city-a', bytes(`e${i}`));
      const expected = Array.from({ length: 20 }, (_, i) => `e${i}`);
      await waitFor(() => seenA.length === 20 && seenB.length === 20, 'both subscribers');
      expect(seenA).toEqual(expected);
      expect(seenB.map((e) => text(e.payload))).toEqual(expected);
      expect(seenB[0]!.topic).toBe('entity.changed.city-a');
    });

    it('delivers to a subscriber of the publishing replica too', async () => {
      const a = await cluster.replica();
      const seen: string[] = [];
      await a.bus.subscribe('cache.invalidate', (e) => void seen.push(text(e.payload)));
      await a.bus.publish('cache.invalidate', bytes('x'));
      await waitFor(() => seen.length === 1, 'own event');
      expect(seen).toEqual(['x']);
    });

    it('stops delivering after unsubscribe', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      const gone: string[] = [];
      const kept: string[] = [];
      const stop = await a.bus.subscribe('t.x', (e) => void gone.push(text(e.payload)));
      await a.bus.subscribe('t.x', (e) => void kept.push(text(e.payload)));
      await b.bus.publish('t.x', bytes('1'));
      await waitFor(() => gone.length === 1 && kept.length === 1, 'first event');
      await stop();
      await b.bus.publish('t.x', bytes('2'));
      await waitFor(() => kept.length === 2, 'second event on the kept subscription');
      await sleep(50);
      expect(gone).toEqual(['1']);
    });

    it('reports a failing subscriber to its own onError; others and the publisher are untouched', async () => {
      const [a, b, publisher] = [await cluster.replica(), await cluster.replica(), await cluster.replica()];
      const seen: string[] = [];
      await a.bus.subscribe('t.y', () => {
        throw new Error('subscriber bug');
      });
      await a.bus.subscribe('t.y', async () => Promise.reject(new Error('async bug')));
      await b.bus.subscribe('t.y', (e) => void seen.push(text(e.payload)));
      await expect(publisher.bus.publish('t.y', bytes('1'))).resolves.toBeUndefined();
      await publisher.bus.publish('t.y', bytes('2'));
      await waitFor(() => seen.length === 2 && a.errors.length === 4, 'deliveries and reports');
      expect(a.errors.every((e) => e.reason === 'handler-failed')).toBe(true);
      expect(a.errors.map((e) => (e.cause as Error).message).sort()).toEqual([
        'async bug',
        'async bug',
        'subscriber bug',
        'subscriber bug',
      ]);
      expect(publisher.errors).toEqual([]);
      expect(b.errors).toEqual([]);
    });

    it('carries bytes unchanged, and a subscriber cannot alter what another receives', async () => {
      const [a, b] = [await cluster.replica(), await cluster.replica()];
      const payload = new Uint8Array([0, 1, 2, 254, 255]);
      const mutated: Uint8Array[] = [];
      const clean: Uint8Array[] = [];
      await a.bus.subscribe('bin', (e) => {
        e.payload.fill(9);
        mutated.push(e.payload);
      });
      await a.bus.subscribe('bin', (e) => void clean.push(e.payload));
      await b.bus.publish('bin', payload);
      await waitFor(() => mutated.length === 1 && clean.length === 1, 'two deliveries');
      expect([...clean[0]!]).toEqual([0, 1, 2, 254, 255]);
      expect([...payload]).toEqual([0, 1, 2, 254, 255]);
    });
  });
}
