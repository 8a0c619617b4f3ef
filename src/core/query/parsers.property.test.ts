/**
 * Properties every query-language function must have on hostile input: it returns a value or throws
 * an NgsiError, never anything else (no TypeError, no RangeError from a deep stack). Inputs are
 * arbitrary strings and values, and strings assembled from each grammar's own tokens, which reach
 * far deeper into the parsers than random text does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NgsiError } from '../errors.js';
import type { Attribute, Entity } from '../model/entity.js';
import { parseGeoQ, parseGeoQuery, parseGeorel } from './geo-query.js';
import { validateGeometry } from './geometry.js';
import { compilePattern } from './pattern.js';
import { matchesQ } from './q-match.js';
import { parseQ } from './q-parser.js';
import { printQ } from './q-print.js';
import { parseScopeQ, printScopeQ, validateScope } from './scope-query.js';
import { parseTemporal } from './temporal-literal.js';
import { parseTypeExpr, printTypeExpr } from './type-expr.js';

const RUNS = { numRuns: 2000 };

/** Runs `f`; true when it returned, and fails the property when it threw anything but an NgsiError. */
function returnsOrNgsiError(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (e instanceof NgsiError) return false;
    throw e;
  }
}

const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme' }),
);
const fromTokens = (tokens: string[], maxLength = 30): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...tokens), { maxLength }).map((t) => t.join(''));

const Q_TOKENS = [
  'a',
  'speed',
  'b.c',
  '.',
  '[',
  ']',
  'k',
  '*',
  '(',
  ')',
  ';',
  '|',
  '!',
  '==',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  '~=',
  '!~=',
  '..',
  ',',
  '1',
  '-2.5e3',
  '0',
  '"x"',
  '"',
  '\\',
  'true',
  'false',
  'null',
  'urn:a:b',
  '2017-12-24',
  'T12:00:00Z',
  '12:00',
  '{',
  '}',
  ' ',
  'observedAt',
  '.*',
  '+',
  '(?i)',
  'é',
  '\u0000',
];
const TYPE_TOKENS = ['A', 'Building', 'https://x/y#T', '(', ')', ';', '|', ',', ' ', '"', 'é', '\t'];
const SCOPE_TOKENS = ['/', 'a', 'Madrid', '+', '#', '(', ')', ';', '|', ',', ' ', '1', '_'];
const GEOREL_TOKENS = [
  'near',
  ';',
  'maxDistance',
  'minDistance',
  '==',
  '=',
  '1',
  '0',
  '-',
  '.',
  'e',
  '5',
  'within',
];

describe('every parser answers with a value or an NgsiError', () => {
  it('parseQ', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fromTokens(Q_TOKENS)), (s) => void returnsOrNgsiError(() => parseQ(s))),
      RUNS,
    );
  });

  it('parseTypeExpr', () => {
    fc.assert(
      fc.property(
        fc.oneof(anyText, fromTokens(TYPE_TOKENS)),
        (s) => void returnsOrNgsiError(() => parseTypeExpr(s)),
      ),
      RUNS,
    );
  });

  it('parseScopeQ', () => {
    fc.assert(
      fc.property(
        fc.oneof(anyText, fromTokens(SCOPE_TOKENS)),
        (s) => void returnsOrNgsiError(() => parseScopeQ(s)),
      ),
      RUNS,
    );
  });

  it('parseGeorel and parseGeoQuery', () => {
    const part = fc.oneof(fc.constant(undefined), anyText, fc.jsonValue(), fromTokens(GEOREL_TOKENS, 8));
    fc.assert(
      fc.property(
        fc.oneof(anyText, fromTokens(GEOREL_TOKENS, 8)),
        (s) => void returnsOrNgsiError(() => parseGeorel(s)),
      ),
      RUNS,
    );
    fc.assert(
      fc.property(
        part,
        fc.oneof(part, fc.constantFrom('Point', 'Polygon', 'LineString')),
        part,
        part,
        (georel, geometry, coordinates, geoproperty) => {
          returnsOrNgsiError(() => parseGeoQuery({ georel, geometry, coordinates, geoproperty }));
          returnsOrNgsiError(() => parseGeoQ({ georel, geometry, coordinates }));
        },
      ),
      RUNS,
    );
  });

  it('validateGeometry and validateScope on any value', () => {
    const position = fc.array(fc.oneof(fc.double(), fc.integer({ min: -200, max: 200 })), { maxLength: 4 });
    const coords = fc.oneof(
      position,
      fc.array(position, { maxLength: 6 }),
      fc.array(fc.array(position, { maxLength: 6 }), { maxLength: 3 }),
    );
    const geometry = fc.record({
      type: fc.constantFrom(
        'Point',
        'MultiPoint',
        'LineString',
        'MultiLineString',
        'Polygon',
        'MultiPolygon',
        'X',
      ),
      coordinates: fc.oneof(coords, fc.anything()),
    });
    fc.assert(
      fc.property(
        fc.oneof(geometry, fc.anything()),
        (v) => void returnsOrNgsiError(() => validateGeometry(v)),
      ),
      RUNS,
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.anything(), fromTokens(SCOPE_TOKENS), fc.array(fromTokens(SCOPE_TOKENS))),
        (v) => void returnsOrNgsiError(() => validateScope(v)),
      ),
      RUNS,
    );
  });

  it('compilePattern and parseTemporal', () => {
    const regexTokens = fromTokens(
      [
        'a',
        '(',
        ')',
        '*',
        '+',
        '?',
        '{2,}',
        '{1,3}',
        '|',
        '[',
        ']',
        '\\',
        '1',
        '.',
        '^',
        '$',
        '(?',
        '<',
        '=',
        '!',
      ],
      12,
    );
    fc.assert(
      fc.property(fc.oneof(anyText, regexTokens), (s) => void returnsOrNgsiError(() => compilePattern(s))),
      RUNS,
    );
    fc.assert(
      fc.property(
        fc.oneof(anyText, fromTokens(['2017', '-', '12', ':', 'T', 'Z', '+', '.', '5'], 12)),
        (s) => {
          const t = parseTemporal(s);
          expect(t === undefined || Number.isFinite(t.epochMs)).toBe(true);
        },
      ),
      RUNS,
    );
  });
});

describe('printing round-trips', () => {
  it('parseQ(printQ(parseQ(s))) equals parseQ(s) for every accepted token string', () => {
    fc.assert(
      fc.property(fromTokens(Q_TOKENS), (s) => {
        let e;
        try {
          e = parseQ(s);
        } catch (err) {
          if (err instanceof NgsiError) return;
          throw err;
        }
        expect(parseQ(printQ(e))).toEqual(e);
      }),
      RUNS,
    );
  });

  it('type and scope expressions', () => {
    for (const [parse, print, tokens] of [
      [parseTypeExpr, printTypeExpr, TYPE_TOKENS],
      [parseScopeQ, printScopeQ, SCOPE_TOKENS],
    ] as const) {
      fc.assert(
        fc.property(fromTokens(tokens), (s) => {
          let e;
          try {
            e = parse(s);
          } catch (err) {
            if (err instanceof NgsiError) return;
            throw err;
          }
          expect(parse(print(e as never))).toEqual(e);
        }),
        RUNS,
      );
    }
  });
});

describe('the evaluator on arbitrary entities', () => {
  const names = fc.constantFrom('a', 'b', 'speed');
  const json = fc.jsonValue({ maxDepth: 2 });
  const attribute: fc.Arbitrary<Attribute> = fc.record(
    {
      type: fc.constantFrom('Property', 'Relationship', 'LanguageProperty', 'ListProperty', 'JsonProperty'),
      value: fc.oneof(json, fc.dictionary(fc.constantFrom('en', 'fr', 'k', '*'), json, { maxKeys: 3 })),
      observedAt: fc.oneof(fc.constant('2020-01-01T00:00:00Z'), fc.string()),
      datasetId: fc.constant('urn:ngsi-ld:Dataset:1'),
      sub: fc.dictionary(
        fc.constantFrom('b', 'c'),
        fc.record({
          type: fc.constantFrom('Property' as const, 'Relationship' as const),
          value: json,
        }),
        { maxKeys: 2 },
      ),
    },
    { requiredKeys: ['type', 'value'] },
  ) as fc.Arbitrary<Attribute>;
  const entity: fc.Arbitrary<Entity> = fc.record({
    id: fc.constant('urn:ngsi-ld:T:1'),
    type: fc.constant(['T']),
    attrs: fc.dictionary(names, fc.array(attribute, { minLength: 1, maxLength: 3 }), { maxKeys: 3 }),
  });
  const query = fromTokens(Q_TOKENS, 12).filter((s) => returnsOrNgsiError(() => parseQ(s)));

  it('never throws', () => {
    fc.assert(
      fc.property(entity, query, (e, s) => typeof matchesQ(e, parseQ(s)) === 'boolean'),
      RUNS,
    );
  });

  it('a negation is existence and not the positive form', () => {
    const literal = fc.constantFrom(
      '1',
      '"x"',
      'true',
      'null',
      '2020-01-01T00:00:00Z',
      'urn:a:b',
      '1..5',
      '1,"x"',
    );
    const path = fc.constantFrom('a', 'b', 'a.b', 'speed[k]', 'a[en]', 'a[*]', 'a.observedAt');
    fc.assert(
      fc.property(entity, path, literal, (e, p, v) => {
        expect(matchesQ(e, parseQ(`${p}!=${v}`))).toBe(
          matchesQ(e, parseQ(p)) && !matchesQ(e, parseQ(`${p}==${v}`)),
        );
      }),
      RUNS,
    );
  });
});
