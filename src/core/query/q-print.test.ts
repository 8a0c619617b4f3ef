import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AttrPath, QExpr, QValue } from './ast.js';
import { parseQ } from './q-parser.js';
import { printQ, printValue } from './q-print.js';

describe('printQ', () => {
  it.each([
    'temperature',
    '!a',
    'speed>50;brandName!="Mercedes"',
    '(speed>50|rpm>3000);brandName=="Mercedes"',
    'a|b;c',
    'temperature.observedAt>=2017-12-24T12:00:00Z',
    'sensor.rawdata[airquality.particulate]==40',
    'refX==urn:ngsi-ld:Foo:1',
    'temperature!=10..20',
    'color=="black","red"',
    'name~="^a;b$"',
    'a==true;b!=null;c==-0',
  ])('prints %j in a form that reads back the same', (text) => {
    const e = parseQ(text);
    expect(parseQ(printQ(e))).toEqual(e);
  });

  it('prints canonically', () => {
    expect(printQ(parseQ(' ( a | b ) ; c == "x" '))).toBe('(a|b);c=="x"');
    expect(printQ(parseQ('n==Mercedes'))).toBe('n=="Mercedes"');
    expect(printQ(parseQ('n~=.*x'))).toBe('n~=".*x"');
  });

  it('quotes a URI literal that would not read back bare', () => {
    expect(printValue({ kind: 'uri', value: 'urn:a:b' })).toBe('urn:a:b');
    expect(printValue({ kind: 'uri', value: 'http://x/(y)' })).toBe('"http://x/(y)"');
  });
});

describe('printQ — round trip over generated expressions', () => {
  const name = fc.stringMatching(/^[a-zé][a-zA-Z0-9_é]{0,4}$/);
  const member = fc.constantFrom('observedAt', 'unitCode', 'datasetId', 'createdAt', 'modifiedAt');
  const key = fc.stringMatching(/^[a-zA-Z0-9_*@$:-]{1,4}$/);
  const path: fc.Arbitrary<AttrPath> = fc.record({
    attr: name,
    sub: fc
      .tuple(fc.array(name, { maxLength: 2 }), fc.option(member))
      .map(([s, m]) => (m === null ? s : [...s, m])),
    keys: fc.array(key, { maxLength: 2 }),
  });
  const day = fc.date({
    min: new Date('0001-01-01T00:00:00Z'),
    max: new Date('9999-12-31T23:59:59Z'),
    noInvalidDate: true,
  });
  const datetime: fc.Arbitrary<QValue> = fc
    .oneof(
      day.map((d) => d.toISOString()),
      day.map((d) => d.toISOString().slice(0, 10)),
      day.map((d) => `${d.toISOString().slice(11, 19)}Z`),
    )
    .map((text) => {
      const parsed = parseQ(`a==${text}`) as Extract<QExpr, { kind: 'compare' }>;
      return parsed.value;
    });
  const number: fc.Arbitrary<QValue> = fc
    .double({ noNaN: true, noDefaultInfinity: true })
    .map((value) => ({ kind: 'number', value }));
  const string: fc.Arbitrary<QValue> = fc
    .string({ unit: 'binary', maxLength: 12 })
    .map((value) => ({ kind: 'string', value }));
  const comparable = fc.oneof(number, string, datetime);
  const other = fc.oneof<fc.Arbitrary<QValue>[]>(
    fc.boolean().map((value) => ({ kind: 'boolean', value })),
    fc.constant({ kind: 'null' }),
    fc
      .stringMatching(/^[a-z][a-z0-9+.-]{0,3}:[a-zA-Z0-9\-._~:/?#@!$&*+=%]{0,8}$/)
      .map((value) => ({ kind: 'uri', value })),
  );
  const anyValue = fc.oneof(comparable, other);
  const term: fc.Arbitrary<QExpr> = fc.oneof(
    path.map((p) => ({ kind: 'exists', path: p })),
    path.map((p) => ({ kind: 'notExists', path: p })),
    fc.record({ kind: fc.constant('compare'), path, op: fc.constantFrom('==', '!='), value: anyValue }),
    fc.record({
      kind: fc.constant('compare'),
      path,
      op: fc.constantFrom('<', '<=', '>', '>='),
      value: comparable,
    }),
    fc.record({
      kind: fc.constant('compare'),
      path,
      op: fc.constantFrom('~=', '!~='),
      value: fc
        .constantFrom('^a', '.*x.*', '(?i)abc', 'a|b', '[;|]"', '\\d+')
        .map((value) => ({ kind: 'string', value })),
    }),
    fc.record({
      kind: fc.constant('in'),
      path,
      negate: fc.boolean(),
      values: fc.array(anyValue, { minLength: 2, maxLength: 3 }),
    }),
    fc.record({ kind: fc.constant('range'), path, negate: fc.boolean(), from: number, to: number }),
    fc.record({ kind: fc.constant('range'), path, negate: fc.boolean(), from: string, to: string }),
  ) as fc.Arbitrary<QExpr>;
  const expr = fc.letrec<{ e: QExpr; and: QExpr; or: QExpr }>((tie) => ({
    e: fc.oneof({ depthSize: 'small', withCrossShrink: true }, term, tie('and'), tie('or')),
    and: fc
      .array(
        tie('e').filter((x) => x.kind !== 'and'),
        { minLength: 2, maxLength: 3 },
      )
      .map((items) => ({ kind: 'and', items })),
    or: fc
      .array(
        tie('e').filter((x) => x.kind !== 'or'),
        { minLength: 2, maxLength: 3 },
      )
      .map((items) => ({ kind: 'or', items })),
  })).e;

  it('parseQ(printQ(e)) equals e', () => {
    fc.assert(
      fc.property(expr, (e) => {
        expect(parseQ(printQ(e))).toEqual(e);
      }),
      { numRuns: 2000 },
    );
  });
});
