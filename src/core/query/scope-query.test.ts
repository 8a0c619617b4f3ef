import { describe, expect, it } from 'vitest';
import { NgsiError } from '../errors.js';
import { matchesScopeQ, parseScopeQ, printScopeQ, validateScope } from './scope-query.js';

const s = (segments: string[], descendants = false) => ({ kind: 'scope' as const, segments, descendants });

function failure(f: () => unknown): NgsiError {
  try {
    f();
  } catch (e) {
    if (e instanceof NgsiError) return e;
    throw e;
  }
  throw new Error('did not fail');
}

describe('parseScopeQ — clause 4.19', () => {
  it('EXAMPLE 1: /Madrid', () => {
    expect(parseScopeQ('/Madrid')).toEqual(s(['Madrid']));
  });

  it('EXAMPLE 2: /Madrid/Gardens/#', () => {
    expect(parseScopeQ('/Madrid/Gardens/#')).toEqual(s(['Madrid', 'Gardens'], true));
  });

  it('EXAMPLE 3: /Madrid/+/ParqueNorte', () => {
    expect(parseScopeQ('/Madrid/+/ParqueNorte')).toEqual(s(['Madrid', '+', 'ParqueNorte']));
  });

  it('EXAMPLE 4/5: conjunctions and both spellings of or', () => {
    const and = { kind: 'and', items: [s(['Madrid', 'Districts']), s(['CompanyA'])] };
    expect(parseScopeQ('(/Madrid/Districts;/CompanyA)')).toEqual(and);
    const expected = { kind: 'or', items: [and, s(['CompanyB'])] };
    expect(parseScopeQ('(/Madrid/Districts;/CompanyA)|/CompanyB')).toEqual(expected);
    expect(parseScopeQ('(/Madrid/Districts;/CompanyA),/CompanyB')).toEqual(expected);
  });

  it('/# is any scope', () => {
    expect(parseScopeQ('/#')).toEqual(s([], true));
  });

  it.each(['', 'Madrid', '/', '/Madrid/', '/Madrid/#/x', '/1abc', '/a b', '(/a', '/a)', '/a,,/b', '/a-b'])(
    'refuses %j',
    (text) => {
      expect(failure(() => parseScopeQ(text)).kind).toBe('BadRequestData');
    },
  );

  it('limits', () => {
    expect(failure(() => parseScopeQ(Array.from({ length: 300 }, () => '/a').join(','))).kind).toBe(
      'TooComplexQuery',
    );
  });

  it('printScopeQ round-trips', () => {
    for (const text of ['/a', '/a/#', '/#', '/a/+/b', '(/a;/b)|/c', '/a|/b/#', '(/a|/b);/c']) {
      const e = parseScopeQ(text);
      expect(parseScopeQ(printScopeQ(e))).toEqual(e);
    }
  });
});

describe('matchesScopeQ', () => {
  it('EXAMPLE 2: a scope and its whole tree', () => {
    const e = parseScopeQ('/Madrid/Gardens/#');
    for (const scope of [
      '/Madrid/Gardens',
      '/Madrid/Gardens/ParqueNorte',
      '/Madrid/Gardens/ParqueNorte/Parterre1',
      '/Madrid/Gardens/ParqueSur',
    ]) {
      expect(matchesScopeQ(e, [scope])).toBe(true);
    }
    expect(matchesScopeQ(e, ['/Madrid'])).toBe(false);
    expect(matchesScopeQ(e, ['/Madrid/GardensX'])).toBe(false);
  });

  it('EXAMPLE 1 and 3: exact scopes and one-level wildcards', () => {
    expect(matchesScopeQ(parseScopeQ('/Madrid'), ['/Madrid'])).toBe(true);
    expect(matchesScopeQ(parseScopeQ('/Madrid'), ['/Madrid/Gardens'])).toBe(false);
    const plus = parseScopeQ('/Madrid/+/ParqueNorte');
    expect(matchesScopeQ(plus, ['/Madrid/Gardens/ParqueNorte'])).toBe(true);
    expect(matchesScopeQ(plus, ['/Madrid/Sights/ParqueNorte'])).toBe(true);
    expect(matchesScopeQ(plus, ['/Madrid/ParqueNorte'])).toBe(false);
    expect(matchesScopeQ(plus, ['/Madrid/a/b/ParqueNorte'])).toBe(false);
  });

  it('EXAMPLE 4/5: and may be met by different scopes of the entity', () => {
    const e = parseScopeQ('(/Madrid/Districts;/CompanyA)|/CompanyB');
    expect(matchesScopeQ(e, ['/Madrid/Districts', '/CompanyA'])).toBe(true);
    expect(matchesScopeQ(e, ['/Madrid/Districts'])).toBe(false);
    expect(matchesScopeQ(e, ['/CompanyB'])).toBe(true);
  });

  it('/# matches any scoped entity, nothing matches an unscoped one', () => {
    expect(matchesScopeQ(parseScopeQ('/#'), ['/x'])).toBe(true);
    expect(matchesScopeQ(parseScopeQ('/#'), [])).toBe(false);
    expect(matchesScopeQ(parseScopeQ('/#'), undefined)).toBe(false);
  });
});

describe('validateScope', () => {
  it('accepts a string or an array of scopes, without duplicates', () => {
    expect(validateScope('/Madrid/Gardens')).toEqual(['/Madrid/Gardens']);
    expect(validateScope(['/a', '/b/c', '/a'])).toEqual(['/a', '/b/c']);
    expect(validateScope([])).toEqual([]);
    expect(validateScope('/Zürich/Kreis_1')).toEqual(['/Zürich/Kreis_1']);
  });

  it.each([
    [42],
    ['Madrid'],
    ['/'],
    ['/a/'],
    ['//a'],
    ['/a/#'],
    ['/a/+'],
    [['/a', 1]],
    [{}],
    [null],
    ['/a b'],
  ])('refuses %j', (value) => {
    expect(failure(() => validateScope(value)).kind).toBe('BadRequestData');
  });
});
