/**
 * The group-commit queue: messages that arrive while a batch commits go together in the next one;
 * each submitter gets its own outcome only after its batch's commit; a full queue answers
 * `overloaded` at once; a batch that throws fails only its faulty message; close() commits what waits.
 */
import { describe, expect, it } from 'vitest';
import { IngestQueue } from './ingest-queue.js';
import type { IngestOutcome, InboundMessage } from './pipeline.js';

const msg = (deviceId: string): InboundMessage => ({
  tenant: '',
  deviceId,
  payload: '{}',
  receivedAt: '2026-12-03T08:00:00Z',
});

/** A pipeline whose commits end when the test says so. */
function gatedPipeline() {
  const calls: string[][] = [];
  const gates: Array<() => void> = [];
  return {
    calls,
    release: () => gates.shift()?.(),
    ingest: async (messages: InboundMessage[]): Promise<IngestOutcome[]> => {
      calls.push(messages.map((m) => m.deviceId));
      await new Promise<void>((resolve) => gates.push(resolve));
      return messages.map((m) =>
        m.deviceId.startsWith('bad') ? { ok: false, reason: 'decode', detail: 'bad' } : { ok: true },
      );
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('IngestQueue', () => {
  it('batches what arrives during a commit and resolves each message after its own commit', async () => {
    const pipeline = gatedPipeline();
    const queue = new IngestQueue(pipeline, { maxDelayMs: 1 });
    const first = queue.submit(msg('a'));
    await tick();
    expect(pipeline.calls).toEqual([['a']]);
    const later = [queue.submit(msg('b')), queue.submit(msg('bad-c')), queue.submit(msg('d'))];
    let resolved = false;
    void first.then(() => (resolved = true));
    await tick();
    expect(resolved).toBe(false); // not before the commit
    pipeline.release();
    expect(await first).toEqual({ ok: true });
    await tick();
    expect(pipeline.calls).toEqual([['a'], ['b', 'bad-c', 'd']]);
    pipeline.release();
    expect(await Promise.all(later)).toEqual([
      { ok: true },
      { ok: false, reason: 'decode', detail: 'bad' },
      { ok: true },
    ]);
    expect(queue.stats).toMatchObject({ batches: 2, messages: 4 });
  });

  it('splits at maxBatch', async () => {
    const pipeline = gatedPipeline();
    const queue = new IngestQueue(pipeline, { maxBatch: 2, maxDelayMs: 50 });
    const all = ['a', 'b', 'c', 'd', 'e'].map((d) => queue.submit(msg(d)));
    await tick();
    expect(pipeline.calls).toEqual([['a', 'b']]); // full: sent without waiting for the delay
    pipeline.release();
    await tick();
    pipeline.release();
    await tick();
    pipeline.release();
    await Promise.all(all);
    expect(pipeline.calls).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('answers overloaded at once when maxPending messages wait', async () => {
    const pipeline = gatedPipeline();
    const queue = new IngestQueue(pipeline, { maxBatch: 1, maxPending: 2, maxDelayMs: 0 });
    const a = queue.submit(msg('a'));
    await tick(); // a is committing; b and c wait
    const b = queue.submit(msg('b'));
    const c = queue.submit(msg('c'));
    expect(queue.pending).toBe(2);
    expect(await queue.submit(msg('d'))).toMatchObject({ ok: false, reason: 'overloaded' });
    expect(queue.stats.overloaded).toBe(1);
    for (let i = 0; i < 3; i++) {
      pipeline.release();
      await tick();
    }
    expect(await Promise.all([a, b, c])).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
  });

  it('a batch that throws fails only the faulty message', async () => {
    const pipeline = {
      ingest: async (messages: InboundMessage[]): Promise<IngestOutcome[]> => {
        if (messages.some((m) => m.deviceId === 'boom')) throw new TypeError('malformed message');
        return messages.map(() => ({ ok: true }));
      },
    };
    const queue = new IngestQueue(pipeline, { maxDelayMs: 1 });
    const out = await Promise.all(['a', 'boom', 'b'].map((d) => queue.submit(msg(d))));
    expect(out).toEqual([
      { ok: true },
      { ok: false, reason: 'internal', detail: 'malformed message' },
      { ok: true },
    ]);
    expect(queue.stats.internalErrors).toBe(1);
  });

  it('close() commits what waits and refuses what comes after', async () => {
    const pipeline = gatedPipeline();
    const queue = new IngestQueue(pipeline, { maxDelayMs: 1000 });
    const waiting = [queue.submit(msg('a')), queue.submit(msg('b'))];
    const closing = queue.close();
    await tick();
    expect(await queue.submit(msg('late'))).toMatchObject({ ok: false, reason: 'closed' });
    pipeline.release();
    await closing;
    expect(await Promise.all(waiting)).toEqual([{ ok: true }, { ok: true }]);
  });

  it('refuses nonsense options', () => {
    expect(() => new IngestQueue(gatedPipeline(), { maxBatch: 0 })).toThrow(RangeError);
    expect(() => new IngestQueue(gatedPipeline(), { maxPending: 1.5 })).toThrow(RangeError);
  });
});
