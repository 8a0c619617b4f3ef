// Tests of the benchmark table and verdicts (run with `node --test bench/`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable, ratio, verdict } from './report.js';

const create = {
  what: 'create entity, c=32',
  figure: 12_000,
  unit: 'req/s',
  baseline: 24_000,
  baselineWhat: 'node:http hello',
  better: 'higher',
  target: 10_000,
  reps: [11_000, 12_000, 13_000],
};
const query = {
  what: 'near',
  figure: 25,
  unit: 'ms',
  baseline: 1,
  baselineWhat: 'hello',
  better: 'lower',
  target: 20,
  reps: [25],
};

describe('verdict', () => {
  it('compares with the target in the row’s direction', () => {
    assert.equal(verdict(create), 'pass');
    assert.equal(verdict({ ...create, figure: 9_999 }), 'FAIL');
    assert.equal(verdict(query), 'FAIL');
    assert.equal(verdict({ ...query, figure: 20 }), 'pass');
  });
  it('fails a row with problems whatever its figure, and says nothing without a target', () => {
    assert.equal(verdict({ ...create, problems: ['3 non-2xx'] }), 'FAIL');
    assert.equal(verdict({ ...create, target: undefined }), '');
  });
});

describe('ratio', () => {
  it('is figure over baseline, undefined without a positive baseline', () => {
    assert.equal(ratio(create), 0.5);
    assert.equal(ratio({ ...create, baseline: undefined }), undefined);
    assert.equal(ratio({ ...create, baseline: 0 }), undefined);
  });
});

describe('formatTable', () => {
  it('prints one aligned line per row, and a line per problem', () => {
    const text = formatTable([create, { ...query, problems: ['wrong answer'] }]);
    const lines = text.split('\n');
    assert.match(lines[0], /^what\s+figure\s+baseline\s+ratio\s+target\s+result$/);
    assert.match(
      lines[2],
      /create entity, c=32\s+12,000 req\/s\s+24,000 req\/s \(node:http hello\)\s+0\.50×\s+≥ 10,000\s+pass/,
    );
    assert.match(lines[3], /near\s+25\.0 ms\s+1\.00 ms \(hello\)\s+25×\s+≤ 20\.0\s+FAIL/);
    assert.equal(lines[4], '! near: wrong answer');
  });
});
