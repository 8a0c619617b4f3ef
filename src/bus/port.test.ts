/** Unit tests of the rules the port gives both adapters: option defaults and bounds, the backoff, reasons. */
import { describe, expect, it } from 'vitest';
import { backoffDelay, BusError, deadReason, resolveConsumeOptions } from './port.js';

describe('resolveConsumeOptions', () => {
  it('applies the documented defaults', () => {
    expect(resolveConsumeOptions()).toEqual({
      concurrency: 1,
      ackWaitMs: 30_000,
      maxDeliver: 5,
      backoffMs: 1_000,
      maxBackoffMs: 60_000,
    });
  });

  it('raises the default cap to a larger base backoff', () => {
    expect(resolveConsumeOptions({ backoffMs: 120_000 }).maxBackoffMs).toBe(120_000);
  });

  it('refuses values out of bounds with invalid-option', () => {
    for (const bad of [{ concurrency: 1001 }, { ackWaitMs: 99 }, { maxDeliver: 1001 }, { backoffMs: 0.5 }]) {
      const error = (() => {
        try {
          resolveConsumeOptions(bad);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(BusError);
      expect((error as BusError).reason).toBe('invalid-option');
    }
  });
});

describe('backoffDelay', () => {
  it('doubles from backoffMs and stops at maxBackoffMs', () => {
    const options = resolveConsumeOptions({ backoffMs: 100, maxBackoffMs: 1_000 });
    expect([1, 2, 3, 4, 5, 6, 100].map((n) => backoffDelay(options, n))).toEqual([
      100, 200, 400, 800, 1_000, 1_000, 1_000,
    ]);
  });
});

describe('deadReason', () => {
  it('keeps one bounded line of the cause', () => {
    expect(deadReason(new Error('line 1\r\nline 2'))).toBe('line 1 line 2');
    expect(deadReason('x'.repeat(600))).toHaveLength(500);
    expect(deadReason(new Error(''))).toBe('handler failed');
  });
});
