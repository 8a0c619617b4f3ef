// Tests of the benchmark statistics (run with `node --test bench/`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { latencySummary, median, percentile, round, timeBatches } from './stats.js';

describe('median', () => {
  it('takes the middle value of an odd count and the mean of the two middle values of an even one', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
  });
  it('is NaN for no values and leaves its input unsorted', () => {
    assert.ok(Number.isNaN(median([])));
    const xs = [3, 1, 2];
    median(xs);
    assert.deepEqual(xs, [3, 1, 2]);
  });
});

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  it('returns an observed sample', () => {
    assert.equal(percentile(hundred, 95), 95);
    assert.equal(percentile(hundred, 50), 50);
    assert.equal(percentile(hundred, 99), 99);
    assert.equal(percentile([1, 2, 3, 4], 50), 2);
    assert.equal(percentile([7, 8, 9, 10, 11, 12, 13, 14, 15, 16], 99), 16);
  });
  it('clamps to the first and last sample', () => {
    assert.equal(percentile([5, 6], 0), 5);
    assert.equal(percentile([5, 6], 100), 6);
  });
  it('summarises latencies', () => {
    const s = latencySummary([...hundred].reverse());
    assert.deepEqual(s, { n: 100, p50: 50, p95: 95, p99: 99, max: 100 });
  });
});

describe('round', () => {
  it('rounds to the given decimals and passes non-finite values through', () => {
    assert.equal(round(1.23456, 3), 1.235);
    assert.ok(Number.isNaN(round(NaN)));
  });
});

describe('timeBatches', () => {
  it('hands every item over once, in order, in slices of the batch size, and times the whole', () => {
    const slices = [];
    const r = timeBatches([1, 2, 3, 4, 5, 6, 7], 3, (s) => slices.push(s));
    assert.deepEqual(slices, [[1, 2, 3], [4, 5, 6], [7]]);
    assert.equal(r.count, 7);
    assert.ok(r.seconds >= 0);
    assert.equal(r.perSec, 7 / r.seconds);
  });
});
