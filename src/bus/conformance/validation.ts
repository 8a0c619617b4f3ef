/**
 * Conformance: bad names and options are refused with a `BusError` and its reason before anything is
 * sent; a closed bus refuses everything with reason 'closed' and closes twice without harm.
 */
import { describe, expect, it } from 'vitest';
import { BusError, type BusErrorReason } from '../port.js';
import { bytes, useCluster, type MakeBusCluster } from './fixtures.js';

async function refused(p: Promise<unknown>, reason: BusErrorReason): Promise<void> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BusError);
  expect((error as BusError).reason).toBe(reason);
}

const noop = (): void => undefined;

/** Register the validation tests for a cluster factory. */
export function describeValidation(make: MakeBusCluster): void {
  describe('validation and closing', () => {
    const cluster = useCluster(make);

    it('refuses bad topics and patterns', async () => {
      const { bus } = await cluster.replica();
      for (const topic of ['', 'a..b', '.a', 'a.', 'a.*', 'a.>', 'a b', 'a\tb', 'x'.repeat(201)]) {
        await refused(bus.publish(topic, bytes('x')), 'invalid-name');
      }
      for (const pattern of ['', 'a..b', 'a.>.b', '>.a', 'a.b*', 'a b']) {
        await refused(bus.subscribe(pattern, noop), 'invalid-name');
      }
    });

    it('refuses bad queue and lease names, ids and payloads', async () => {
      const { bus } = await cluster.replica();
      for (const queue of ['', 'a b', 'a_b', 'a.*', 'a..b', 'é']) {
        await refused(bus.enqueue(queue, bytes('x')), 'invalid-name');
        await refused(bus.consume(queue, noop), 'invalid-name');
        await refused(bus.acquire(queue, 1_000), 'invalid-name');
      }
      await refused(bus.enqueue('q', bytes('x'), { id: '' }), 'invalid-name');
      await refused(bus.enqueue('q', bytes('x'), { id: 'a\nb' }), 'invalid-name');
      await refused(bus.enqueue('q', 'text' as unknown as Uint8Array), 'invalid-option');
      await refused(bus.publish('t', 'text' as unknown as Uint8Array), 'invalid-option');
    });

    it('refuses options out of bounds', async () => {
      const { bus } = await cluster.replica();
      await refused(bus.consume('q', noop, { concurrency: 0 }), 'invalid-option');
      await refused(bus.consume('q', noop, { concurrency: 1.5 }), 'invalid-option');
      await refused(bus.consume('q', noop, { ackWaitMs: 50 }), 'invalid-option');
      await refused(bus.consume('q', noop, { maxDeliver: 0 }), 'invalid-option');
      await refused(bus.consume('q', noop, { backoffMs: -1 }), 'invalid-option');
      await refused(bus.consume('q', noop, { backoffMs: 500, maxBackoffMs: 100 }), 'invalid-option');
      await refused(bus.acquire('l', 10), 'invalid-option');
      await refused(bus.acquire('l', Number.NaN), 'invalid-option');
    });

    it('refuses everything once closed, and closes twice without harm', async () => {
      const { bus } = await cluster.replica();
      const lease = await bus.acquire('l', 1_000);
      await bus.close();
      await bus.close();
      await refused(bus.publish('t', bytes('x')), 'closed');
      await refused(bus.subscribe('t', noop), 'closed');
      await refused(bus.enqueue('q', bytes('x')), 'closed');
      await refused(bus.consume('q', noop), 'closed');
      await refused(bus.acquire('l', 1_000), 'closed');
      await refused(lease!.renew(), 'closed');
    });
  });
}
