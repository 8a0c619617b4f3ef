import { describe, expect, it } from 'vitest';
import { NgsiError } from '../errors.js';
import type { AttrPath, QExpr } from './ast.js';
import { parseQ } from './q-parser.js';

const p = (attr: string, sub: string[] = [], keys: string[] = []): AttrPath => ({ attr, sub, keys });

function failure(text: string): NgsiError {
  try {
    parseQ(text);
  } catch (e) {
    if (e instanceof NgsiError) return e;
    throw e;
  }
  throw new Error(`parseQ(${JSON.stringify(text)}) did not fail`);
}

describe('parseQ — examples of clause 4.9', () => {
  it('EXAMPLE 0/5: a bare attribute tests existence', () => {
    expect(parseQ('temperature')).toEqual({ kind: 'exists', path: p('temperature') });
    expect(parseQ('isMonitoredBy')).toEqual({ kind: 'exists', path: p('isMonitoredBy') });
  });

  it('EXAMPLE 1: number equality', () => {
    expect(parseQ('temperature==20')).toEqual({
      kind: 'compare',
      path: p('temperature'),
      op: '==',
      value: { kind: 'number', value: 20 },
    });
  });

  it('EXAMPLE 2/3: quoted strings, with != and ==', () => {
    expect(parseQ('brandName!="Mercedes"')).toEqual({
      kind: 'compare',
      path: p('brandName'),
      op: '!=',
      value: { kind: 'string', value: 'Mercedes' },
    });
    expect(parseQ('isParked=="urn:ngsi-ld:OffStreetParking:Downtown1"')).toMatchObject({
      value: { kind: 'string', value: 'urn:ngsi-ld:OffStreetParking:Downtown1' },
    });
  });

  it('EXAMPLE 4: ; is AND', () => {
    expect(parseQ('speed>50;brandName!="Mercedes"')).toEqual({
      kind: 'and',
      items: [
        { kind: 'compare', path: p('speed'), op: '>', value: { kind: 'number', value: 50 } },
        { kind: 'compare', path: p('brandName'), op: '!=', value: { kind: 'string', value: 'Mercedes' } },
      ],
    });
  });

  it('EXAMPLE 6: nested parentheses', () => {
    expect(parseQ('((speed>50|rpm>3000);brandName=="Mercedes")')).toEqual({
      kind: 'and',
      items: [
        {
          kind: 'or',
          items: [
            { kind: 'compare', path: p('speed'), op: '>', value: { kind: 'number', value: 50 } },
            { kind: 'compare', path: p('rpm'), op: '>', value: { kind: 'number', value: 3000 } },
          ],
        },
        { kind: 'compare', path: p('brandName'), op: '==', value: { kind: 'string', value: 'Mercedes' } },
      ],
    });
  });

  it('EXAMPLE 7: a group OR a term', () => {
    const e = parseQ('(temperature>=20;temperature<=25)|capacity<=10');
    expect(e.kind).toBe('or');
    expect(e).toMatchObject({ items: [{ kind: 'and' }, { kind: 'compare', op: '<=' }] });
  });

  it('EXAMPLE 8: a member path with a date-time literal', () => {
    expect(parseQ('temperature.observedAt>=2017-12-24T12:00:00Z')).toEqual({
      kind: 'compare',
      path: p('temperature', ['observedAt']),
      op: '>=',
      value: { kind: 'datetime', value: '2017-12-24T12:00:00Z', epochMs: Date.UTC(2017, 11, 24, 12) },
    });
  });

  it('EXAMPLE 9/10: trailing JSON paths', () => {
    expect(parseQ('address[city]=="Berlin"')).toMatchObject({ path: p('address', [], ['city']) });
    expect(parseQ('sensor.rawdata[airquality.particulate]==40')).toMatchObject({
      path: p('sensor', ['rawdata'], ['airquality', 'particulate']),
      value: { kind: 'number', value: 40 },
    });
  });

  it('language filters: color[en] and color[*]', () => {
    expect(parseQ('color[en]=="red"')).toMatchObject({ path: p('color', [], ['en']) });
    expect(parseQ('color[*]!="red"')).toMatchObject({ path: p('color', [], ['*']), op: '!=' });
  });
});

describe('parseQ — precedence and grouping', () => {
  it('AND binds tighter than OR', () => {
    expect(parseQ('a|b;c')).toEqual({
      kind: 'or',
      items: [
        { kind: 'exists', path: p('a') },
        {
          kind: 'and',
          items: [
            { kind: 'exists', path: p('b') },
            { kind: 'exists', path: p('c') },
          ],
        },
      ],
    });
  });

  it('flattens groups of the same kind and drops redundant parentheses', () => {
    expect(parseQ('(a;b);c')).toEqual(parseQ('a;b;c'));
    expect(parseQ('((a))')).toEqual({ kind: 'exists', path: p('a') });
    expect(parseQ('a|(b|c)')).toEqual(parseQ('a|b|c'));
  });

  it('!attr is non-existence', () => {
    expect(parseQ('!a;b')).toEqual({
      kind: 'and',
      items: [
        { kind: 'notExists', path: p('a') },
        { kind: 'exists', path: p('b') },
      ],
    });
  });

  it('tolerates spaces between tokens', () => {
    expect(parseQ(' speed > 50 ; ( a | b ) ')).toEqual(parseQ('speed>50;(a|b)'));
  });
});

describe('parseQ — operators and values', () => {
  it.each([
    ['==', 'a==1'],
    ['!=', 'a!=1'],
    ['<', 'a<1'],
    ['<=', 'a<=1'],
    ['>', 'a>1'],
    ['>=', 'a>=1'],
  ])('operator %s', (op, text) => {
    expect(parseQ(text)).toMatchObject({ kind: 'compare', op });
  });

  it('JSON numbers: negative, decimal, exponent', () => {
    const v = (t: string): unknown => (parseQ(`a==${t}`) as Extract<QExpr, { kind: 'compare' }>).value;
    expect(v('-5')).toEqual({ kind: 'number', value: -5 });
    expect(v('3.25')).toEqual({ kind: 'number', value: 3.25 });
    expect(v('1e3')).toEqual({ kind: 'number', value: 1000 });
    expect(v('-2.5E-2')).toEqual({ kind: 'number', value: -0.025 });
    expect(v('0')).toEqual({ kind: 'number', value: 0 });
  });

  it('booleans, null and URIs', () => {
    expect(parseQ('a==true')).toMatchObject({ value: { kind: 'boolean', value: true } });
    expect(parseQ('a!=false')).toMatchObject({ op: '!=', value: { kind: 'boolean', value: false } });
    expect(parseQ('a==null')).toMatchObject({ value: { kind: 'null' } });
    expect(parseQ('refX==urn:ngsi-ld:Foo:1')).toMatchObject({
      value: { kind: 'uri', value: 'urn:ngsi-ld:Foo:1' },
    });
    expect(parseQ('src==https://example.org/a/b?x=1#f')).toMatchObject({
      value: { kind: 'uri', value: 'https://example.org/a/b?x=1#f' },
    });
  });

  it('an unquoted word with ==/!= is a string (expandValues sends terms this way)', () => {
    expect(parseQ('category==commercial')).toMatchObject({ value: { kind: 'string', value: 'commercial' } });
  });

  it('quoted strings with JSON escapes', () => {
    expect(parseQ(String.raw`a=="x\"y\\z\n\u00e9\/"`)).toMatchObject({
      value: { kind: 'string', value: 'x"y\\z\né/' },
    });
    expect(parseQ('a=="semi;colon|pipe(paren)"')).toMatchObject({
      value: { value: 'semi;colon|pipe(paren)' },
    });
  });

  it('dates and times', () => {
    expect(parseQ('a>2017-12-24')).toMatchObject({
      value: { kind: 'datetime', value: '2017-12-24', epochMs: Date.UTC(2017, 11, 24) },
    });
    expect(parseQ('a<12:30:00Z')).toMatchObject({ value: { kind: 'datetime', epochMs: 45_000_000 } });
    expect(parseQ('a==2017-12-24T12:00:00.250+01:00')).toMatchObject({
      value: { kind: 'datetime', epochMs: Date.UTC(2017, 11, 24, 11, 0, 0, 250) },
    });
  });

  it('ranges of numbers, strings and date-times', () => {
    expect(parseQ('temperature==10..20')).toEqual({
      kind: 'range',
      path: p('temperature'),
      negate: false,
      from: { kind: 'number', value: 10 },
      to: { kind: 'number', value: 20 },
    });
    expect(parseQ('t!=1.5..2.5')).toMatchObject({
      kind: 'range',
      negate: true,
      from: { value: 1.5 },
      to: { value: 2.5 },
    });
    expect(parseQ('n=="a".."m"')).toMatchObject({ kind: 'range', from: { value: 'a' }, to: { value: 'm' } });
    expect(parseQ('d==2017-01-01T00:00:00Z..2018-01-01T00:00:00Z')).toMatchObject({
      kind: 'range',
      from: { kind: 'datetime' },
      to: { kind: 'datetime' },
    });
  });

  it('value lists', () => {
    expect(parseQ('color=="black","red"')).toEqual({
      kind: 'in',
      path: p('color'),
      negate: false,
      values: [
        { kind: 'string', value: 'black' },
        { kind: 'string', value: 'red' },
      ],
    });
    expect(parseQ('n!=1,2,3')).toMatchObject({
      kind: 'in',
      negate: true,
      values: [{ value: 1 }, { value: 2 }, { value: 3 }],
    });
    expect(parseQ('r==urn:a:1,urn:a:2')).toMatchObject({ values: [{ kind: 'uri' }, { kind: 'uri' }] });
  });

  it('patterns: quoted or raw up to ; or | outside parentheses', () => {
    expect(parseQ('name~=.*Ruuvi.*')).toEqual({
      kind: 'compare',
      path: p('name'),
      op: '~=',
      value: { kind: 'string', value: '.*Ruuvi.*' },
    });
    expect(parseQ('name!~="^a;b$"')).toMatchObject({ op: '!~=', value: { value: '^a;b$' } });
    expect(parseQ('name~=(a|b)c;x')).toMatchObject({
      kind: 'and',
      items: [{ value: { value: '(a|b)c' } }, { kind: 'exists' }],
    });
    expect(parseQ('(name~=ab[;|]c)|x')).toMatchObject({
      kind: 'or',
      items: [{ value: { value: 'ab[;|]c' } }, {}],
    });
    expect(parseQ('name~=(?i)abc')).toMatchObject({ value: { value: '(?i)abc' } });
  });

  it('dotted sub-attribute paths and members', () => {
    expect(parseQ('a.b.c.unitCode=="CEL"')).toMatchObject({ path: p('a', ['b', 'c', 'unitCode']) });
    expect(parseQ('a.b[k]')).toEqual({ kind: 'exists', path: p('a', ['b'], ['k']) });
    expect(parseQ('ex:speed>1')).toMatchObject({ path: p('ex:speed') });
    expect(parseQ('createdAt.observedAt')).toMatchObject({ path: p('createdAt', ['observedAt']) });
    expect(parseQ('température>1')).toMatchObject({ path: p('température') });
  });
});

describe('parseQ — errors', () => {
  it.each([
    ['', 1, 'empty'],
    ['a==', 4, 'expected a value'],
    ['a=1', 2, 'expected an operator'],
    ['a==1;', 6, 'expected an attribute name'],
    ['(a==1', 6, "expected ';', '|' or ')'"],
    ['a==1)', 5, 'closes nothing'],
    ['a=="open', 4, 'not closed'],
    ['a==1x', 5, "found 'x'"],
    ['1a==2', 1, 'expected an attribute name'],
    ['a.==1', 3, 'sub-attribute name'],
    ['a[]', 3, 'JSON key'],
    ['a[b', 4, "'.' or ']'"],
    ['a>true', 3, 'needs a number'],
    ['a<urn:x:y', 3, 'needs a number'],
    ['a>=word', 4, 'needs a number'],
    ['a==1.."z"', 7, 'same kind'],
    ['a==x..y', 4, 'range needs'],
    ['a==true..false', 4, 'range needs'],
    ['a==2017-13-01', 4, 'not a valid date'],
    ['a==25:00:00Z', 4, 'not a valid'],
    ['a==1e400', 4, 'out of the range'],
    ['a==01', 5, "found '1'"],
    ['a.observedAt.b', 13, 'selects a member'],
    ['a=="\\x"', 5, 'invalid escape'],
    ['a~=', 4, 'expected a pattern'],
    ['a~=(', 4, 'not a valid regular expression'],
    ['a~=(a+)+$', 4, 'nested quantifiers'],
  ])('%j fails at character %i (%s)', (text, at, message) => {
    const e = failure(text);
    expect(e.kind).toBe('BadRequestData');
    expect(e.status).toBe(400);
    if (text !== '') expect(e.detail).toContain(`at character ${at}:`);
    expect(e.detail).toContain(message);
  });

  it('refuses patterns over 256 characters', () => {
    expect(failure(`a~="${'x'.repeat(257)}"`).detail).toContain('at most 256');
  });

  it('refuses linked-entity paths as not supported', () => {
    const e = failure('sensor{humidity}==40');
    expect(e.kind).toBe('OperationNotSupported');
  });

  it('TooComplexQuery past the length, depth and term limits', () => {
    expect(failure('a'.repeat(4097)).kind).toBe('TooComplexQuery');
    expect(failure(`${'('.repeat(33)}a${')'.repeat(33)}`).kind).toBe('TooComplexQuery');
    expect(parseQ(`${'('.repeat(32)}a${')'.repeat(32)}`)).toEqual({ kind: 'exists', path: p('a') });
    expect(failure(Array.from({ length: 257 }, (_, i) => `a${i}`).join(';')).kind).toBe('TooComplexQuery');
    expect(parseQ(Array.from({ length: 256 }, (_, i) => `a${i}`).join(';')).kind).toBe('and');
  });

  it('depth limit keeps a deep hostile input from overflowing the stack', () => {
    const e = failure('('.repeat(100_000));
    expect(e.kind).toBe('TooComplexQuery');
  });
});
