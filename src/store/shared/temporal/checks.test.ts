/** The temporal repository's argument checks: nonsense is a BadRequestData, the same on every store. */
import { describe, expect, it } from 'vitest';
import type { Attribute } from '../../../core/model/entity.js';
import type { Aggregation, InstanceSelect } from '../../../core/temporal/model.js';
import type { TemporalEntityQuery, TemporalWrite } from '../../port.js';
import {
  checkAggregation,
  checkErase,
  checkPaging,
  checkPatch,
  checkSelect,
  checkWrite,
  pruneArgs,
} from './checks.js';

/** `f` throws a BadRequestData whose message matches. */
const refused = (f: () => unknown, message: RegExp): void => {
  expect(f).toThrow(
    expect.objectContaining({ kind: 'BadRequestData', message: expect.stringMatching(message) }),
  );
};

const select = (over: Partial<InstanceSelect> = {}): InstanceSelect => ({
  timeproperty: 'observedAt',
  limit: 100,
  ...over,
});

describe('temporal argument checks', () => {
  it('accepts well-formed arguments', () => {
    checkSelect(select({ lastN: 5, attrs: ['https://x/a'], time: { timerel: 'after', timeAt: 0 } }));
    checkPaging({ limit: 0, offset: 0, count: false } as TemporalEntityQuery);
    expect(checkAggregation({ methods: ['sum', 'avg', 'sum'], period: { months: 1, ms: 0 } })).toEqual([
      'sum',
      'avg',
    ]);
    checkWrite({
      id: 'urn:a',
      type: ['https://x/T'],
      attrs: { 'https://x/a': [{ type: 'Property', value: 1 }] },
    });
    checkPatch({ type: 'Property', value: 2 });
    checkErase([], 'x');
    expect(pruneArgs('2026-01-01T00:00:00Z', undefined)).toEqual({
      cutoff: Date.UTC(2026, 0, 1),
      types: undefined,
      attrs: undefined,
      dryRun: false,
    });
  });

  it('refuses a malformed selection', () => {
    refused(() => checkSelect(null as unknown as InstanceSelect), /selection is needed/);
    refused(() => checkSelect(select({ timeproperty: 'toString' as never })), /unknown timeproperty/);
    refused(
      () => checkSelect(select({ time: { timerel: 'around', timeAt: 0 } as never })),
      /unknown timerel/,
    );
    refused(() => checkSelect(select({ time: { timerel: 'before', timeAt: Number.NaN } })), /instant/);
    refused(() => checkSelect(select({ limit: 0 })), /instance limit/);
    refused(() => checkSelect(select({ lastN: 1.5 })), /lastN/);
    refused(() => checkSelect(select({ attrs: 'https://x/a' as never })), /attrs must be a list/);
  });

  it('refuses a malformed page, aggregation, write, patch, prune and erasure', () => {
    refused(() => checkPaging({ limit: -1, offset: 0, count: false } as TemporalEntityQuery), /limit/);
    refused(() => checkPaging({ limit: 1, offset: 0.5, count: false } as TemporalEntityQuery), /offset/);
    refused(() => checkAggregation(null as unknown as Aggregation), /aggregation is needed/);
    refused(() => checkAggregation({ methods: [] }), /at least one method/);
    refused(() => checkAggregation({ methods: ['median' as never] }), /unknown aggregation method/);
    refused(() => checkAggregation({ methods: ['sum'], period: null as never }), /aggregation period/);
    refused(
      () => checkAggregation({ methods: ['sum'], period: { months: -1, ms: 0 } }),
      /aggregation period/,
    );
    refused(
      () => checkWrite({ id: 'urn:a', type: 'T', attrs: {} } as unknown as TemporalWrite),
      /temporal write/,
    );
    refused(() => checkWrite({ id: 'urn:a', type: [], attrs: { a: [null] } } as never), /temporal write/);
    refused(() => checkPatch(null as unknown as Attribute), /patch must be an object/);
    refused(() => pruneArgs('yesterday', {}), /prune needs an instant/);
    refused(() => pruneArgs('2026-01-01T00:00:00Z', { types: [1] as never }), /types must be a list/);
    refused(() => checkErase(undefined as unknown as string[], 'x'), /attrs must be a list/);
    refused(() => checkErase(['https://x/a'], 5 as unknown as string), /value to erase/);
  });
});
