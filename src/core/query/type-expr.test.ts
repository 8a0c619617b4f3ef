import { describe, expect, it } from 'vitest';
import { NgsiError } from '../errors.js';
import { matchesTypeExpr, parseTypeExpr, printTypeExpr, typeNames } from './type-expr.js';

const t = (name: string) => ({ kind: 'type' as const, name });

function failure(text: string): NgsiError {
  try {
    parseTypeExpr(text);
  } catch (e) {
    if (e instanceof NgsiError) return e;
    throw e;
  }
  throw new Error(`parseTypeExpr(${JSON.stringify(text)}) did not fail`);
}

describe('parseTypeExpr — clause 4.17', () => {
  it('a single type, a term or a URI', () => {
    expect(parseTypeExpr('Building')).toEqual(t('Building'));
    expect(parseTypeExpr('https://ngsi-ld-test-suite/context#Building')).toEqual(
      t('https://ngsi-ld-test-suite/context#Building'),
    );
    expect(parseTypeExpr('ex:Building')).toEqual(t('ex:Building'));
  });

  it('EXAMPLE 1: Building|House and its alternative Building,House', () => {
    const expected = { kind: 'or', items: [t('Building'), t('House')] };
    expect(parseTypeExpr('Building|House')).toEqual(expected);
    expect(parseTypeExpr('Building,House')).toEqual(expected);
  });

  it('EXAMPLE 2: (Home;Vehicle)', () => {
    expect(parseTypeExpr('(Home;Vehicle)')).toEqual({ kind: 'and', items: [t('Home'), t('Vehicle')] });
  });

  it('EXAMPLE 3: (Home;Vehicle)|Motorhome and (Home;Vehicle),Motorhome', () => {
    const expected = {
      kind: 'or',
      items: [{ kind: 'and', items: [t('Home'), t('Vehicle')] }, t('Motorhome')],
    };
    expect(parseTypeExpr('(Home;Vehicle)|Motorhome')).toEqual(expected);
    expect(parseTypeExpr('(Home;Vehicle),Motorhome')).toEqual(expected);
  });

  it('a conjunction without parentheses binds tighter than or', () => {
    expect(parseTypeExpr('A;B|C')).toEqual(parseTypeExpr('(A;B)|C'));
    expect(parseTypeExpr(' A , B ')).toEqual(parseTypeExpr('A,B'));
  });

  it.each([
    ['', 'an entity type name'],
    ['A,', 'an entity type name'],
    ['(A', "expected ',', '|', ';' or ')'"],
    ['A)', "expected ',', '|', ';' or the end"],
    ['A B', "expected ',', '|', ';' or the end"],
    ['"A"', 'an entity type name'],
  ])('refuses %j', (text, message) => {
    const e = failure(text);
    expect(e.kind).toBe('BadRequestData');
    expect(e.detail).toContain(message);
  });

  it('limits', () => {
    expect(failure(Array.from({ length: 257 }, (_, i) => `T${i}`).join(',')).kind).toBe('TooComplexQuery');
    expect(failure(`${'('.repeat(40)}A${')'.repeat(40)}`).kind).toBe('TooComplexQuery');
    expect(failure('A'.repeat(5000)).kind).toBe('TooComplexQuery');
  });
});

describe('matchesTypeExpr', () => {
  it('or, and, nested', () => {
    const e = parseTypeExpr('(Home;Vehicle)|Motorhome');
    expect(matchesTypeExpr(e, ['Motorhome'])).toBe(true);
    expect(matchesTypeExpr(e, ['Home'])).toBe(false);
    expect(matchesTypeExpr(e, ['Vehicle', 'Home'])).toBe(true);
    expect(matchesTypeExpr(e, [])).toBe(false);
  });

  it('typeNames lists every name once', () => {
    expect(typeNames(parseTypeExpr('(A;B)|A|C'))).toEqual(['A', 'B', 'C']);
  });

  it('printTypeExpr round-trips', () => {
    for (const text of ['A', 'A|B', '(A;B)|C', 'A;(B|C)', '(A;B)|(C;D)|E']) {
      const e = parseTypeExpr(text);
      expect(parseTypeExpr(printTypeExpr(e))).toEqual(e);
    }
  });
});
