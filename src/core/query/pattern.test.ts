import { describe, expect, it } from 'vitest';
import { NgsiError } from '../errors.js';
import { compilePattern } from './pattern.js';

function failure(source: string): NgsiError {
  try {
    compilePattern(source);
  } catch (e) {
    if (e instanceof NgsiError) return e;
    throw e;
  }
  throw new Error(`compilePattern(${JSON.stringify(source)}) did not fail`);
}

describe('compilePattern', () => {
  it('compiles common patterns, searching rather than anchoring', () => {
    expect(compilePattern('Ruuvi').test('my Ruuvi tag')).toBe(true);
    expect(compilePattern('^urn:ngsi-ld:Building:.*').test('urn:ngsi-ld:Building:1')).toBe(true);
    expect(compilePattern('^(jpg|png)$').test('png')).toBe(true);
    expect(compilePattern('\\d+(\\.\\d+)?').test('12.5')).toBe(true);
    expect(compilePattern('[(|)]+').test('|')).toBe(true);
    expect(compilePattern('(ab?)?c').test('c')).toBe(true);
    expect(compilePattern('a{2,3}').test('aa')).toBe(true);
  });

  it('(?i) makes the match case-insensitive', () => {
    expect(compilePattern('(?i)^abc').test('ABCD')).toBe(true);
    expect(compilePattern('^abc').test('ABCD')).toBe(false);
  });

  it.each([
    ['(a+)+$', 'nested quantifiers'],
    ['(a*)*', 'nested quantifiers'],
    ['(x+x+)+y', 'nested quantifiers'],
    ['(a{1,5}){2,10}', 'nested quantifiers'],
    ['((ab)*c)+', 'nested quantifiers'],
    ['(a|a)*b', 'alternatives'],
    ['(a|ab)+', 'alternatives'],
    ['(a)\\1', 'back-reference'],
    ['(?<n>a)\\k<n>', 'back-reference'],
    ['^(?!foo)', 'look-around'],
    ['(?<=a)b', 'look-around'],
    ['a.*b.*c+d*e', 'unbounded repetitions'],
    ['(', 'not a valid regular expression'],
    ['[a-', 'not a valid regular expression'],
    ['x'.repeat(257), 'at most 256'],
  ])('refuses %j', (source, message) => {
    const e = failure(source);
    expect(e.kind).toBe('BadRequestData');
    expect(e.detail).toContain(message);
  });

  it('drops leading and trailing .* that a search does not need', () => {
    expect(compilePattern('.*foo.*').source).toBe('foo');
    expect(compilePattern('.*.*?foo.*?').source).toBe('foo');
    expect(compilePattern('(?i).*Park.*').source).toBe('Park');
    expect(compilePattern('^.*foo').source).toBe('^.*foo');
    expect(compilePattern('a\\.*').source).toBe('a\\.*');
    expect(compilePattern('a\\\\.*').source).toBe('a\\\\');
    expect(compilePattern('.*').test('')).toBe(true);
    const long = 'a'.repeat(200_000);
    const start = performance.now();
    expect(compilePattern('.*foo.*').test(long)).toBe(false);
    expect(performance.now() - start).toBeLessThan(1000);
  });

  it('checks the pattern as written before dropping anything', () => {
    expect(failure('.*{2}').detail).toContain('not a valid regular expression');
  });

  it('a refused pattern keeps the syntax error as its cause', () => {
    expect(failure('(').cause).toBeInstanceOf(SyntaxError);
  });
});
