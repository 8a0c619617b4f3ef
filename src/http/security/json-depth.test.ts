import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonDepthExceeds } from './json-depth.js';

/** The nesting depth of a parsed value: containers count one, scalars nothing. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + children.reduce((deepest: number, child) => Math.max(deepest, depthOf(child)), 0);
}

/** The smallest max that `text` does not exceed, found by asking the guard. */
function guardDepth(text: string): number {
  let max = 0;
  while (jsonDepthExceeds(text, max)) max++;
  return max;
}

describe('jsonDepthExceeds', () => {
  it('counts arrays and objects, not scalars', () => {
    expect(guardDepth('1')).toBe(0);
    expect(guardDepth('"text"')).toBe(0);
    expect(guardDepth('[]')).toBe(1);
    expect(guardDepth('{}')).toBe(1);
    expect(guardDepth('{"a":[1,{"b":[]}],"c":{}}')).toBe(4);
    expect(guardDepth('[[],[],[[]]]')).toBe(3);
    expect(jsonDepthExceeds('[[1]]', 2)).toBe(false);
    expect(jsonDepthExceeds('[[[1]]]', 2)).toBe(true);
  });

  it('ignores brackets inside strings, including after escaped quotes and backslashes', () => {
    expect(guardDepth('["[[[[{{{{"]')).toBe(1);
    expect(guardDepth('{"k\\"[[[":"]]]\\"{{{"}')).toBe(1);
    // An escaped backslash ends with the string's closing quote: the brackets after it count.
    expect(guardDepth('["\\\\",[[1]]]')).toBe(3);
    expect(guardDepth('["\\\\\\"[[[",1]')).toBe(1);
    expect(guardDepth('"\\u005b\\u005b"')).toBe(0);
  });

  it('refuses a hostile body quickly, long before its end', () => {
    const hostile = '['.repeat(5_000_000) + ']'.repeat(5_000_000);
    const started = performance.now();
    expect(jsonDepthExceeds(hostile, 64)).toBe(true);
    expect(performance.now() - started).toBeLessThan(50);
    expect(jsonDepthExceeds('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), 100)).toBe(true);
  });

  it('scans a large flat body in linear time without tripping', () => {
    const flat = JSON.stringify(Array.from({ length: 200_000 }, (_, i) => ({ id: `urn:x:${i}`, v: [i] })));
    expect(jsonDepthExceeds(flat, 3)).toBe(false);
    expect(jsonDepthExceeds(flat, 2)).toBe(true);
  });

  it('never lets stray closers hide the nesting that follows them', () => {
    expect(jsonDepthExceeds(']]]]][[[', 2)).toBe(true);
    expect(jsonDepthExceeds('}}}{{{', 3)).toBe(false);
  });

  it('refuses a negative or fractional max', () => {
    expect(() => jsonDepthExceeds('[]', -1)).toThrow(RangeError);
    expect(() => jsonDepthExceeds('[]', 1.5)).toThrow(RangeError);
  });

  it('agrees with the depth of the parsed value (property)', () => {
    const strings = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', ',') }),
    );
    const values = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constant(null),
        fc.boolean(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        strings,
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(strings, tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    fc.assert(
      fc.property(values, fc.constantFrom(undefined, 2, '\t'), (value, indent) => {
        const text = JSON.stringify(value, null, indent);
        const depth = depthOf(JSON.parse(text));
        for (let max = 0; max <= depth + 1; max++) expect(jsonDepthExceeds(text, max)).toBe(depth > max);
      }),
      { numRuns: 500 },
    );
  });
});
