/**
 * fast-check generators for the q property test: small random entities (every attribute kind,
 * multi-instance, members, sub-attributes, JSON objects, arrays, value objects, dates and times) and
 * random q expressions over the same small vocabulary, so that matches are frequent.
 */
import fc from 'fast-check';
import type { Attribute, Entity } from '../../core/model/entity.js';
import type { AttrPath, QExpr, QOp, QValue } from '../../core/query/ast.js';
import { parseTemporal } from '../../core/query/temporal-literal.js';
import { iri } from './fixtures.js';

const TEMPORALS = [
  '2024-01-01',
  '2024-01-01T12:00:00Z',
  '2024-01-02T00:00:00+02:00',
  '12:00:00Z',
  '23:30:00+01:00',
];
const scalar = fc.constantFrom<unknown>(
  0,
  1,
  2.5,
  -1,
  'x',
  'y',
  'X',
  '',
  'é',
  'urn:a',
  true,
  false,
  null,
  ...TEMPORALS,
);
const value = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 2, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  {
    weight: 1,
    arbitrary: fc.record(
      { k: scalar, j: fc.oneof(scalar, fc.array(scalar, { maxLength: 2 })) },
      { requiredKeys: ['k'] },
    ),
  },
  { weight: 1, arbitrary: scalar.map((v) => ({ '@value': v })) },
  { weight: 1, arbitrary: fc.constant([[1], 'x']) },
);
const urn = fc.constantFrom('urn:a', 'urn:b', 'urn:c');

const members = fc.record(
  {
    observedAt: fc.constantFrom(...TEMPORALS, 'not a date'),
    unitCode: fc.constantFrom('C', 'F'),
    sub: scalar.map((v): Record<string, Attribute> => ({ [iri('s')]: { type: 'Property', value: v } })),
  },
  { requiredKeys: [] },
);

const instance: fc.Arbitrary<Attribute> = fc
  .tuple(
    fc.oneof(
      value.map((v): Pick<Attribute, 'type' | 'value'> => ({ type: 'Property', value: v })),
      fc
        .oneof(urn, fc.array(urn, { minLength: 1, maxLength: 2 }))
        .map((v) => ({ type: 'Relationship' as const, value: v })),
      fc.array(scalar, { maxLength: 3 }).map((v) => ({ type: 'ListProperty' as const, value: v })),
      fc
        .record(
          { en: fc.constantFrom('x', 'y', 'X'), fr: fc.oneof(fc.constant('x'), fc.constant(['y', 'é'])) },
          { requiredKeys: [] },
        )
        .map((v) => ({ type: 'LanguageProperty' as const, value: v })),
      value.map((v) => ({ type: 'JsonProperty' as const, value: v })),
    ),
    members,
  )
  .map(([base, extra]) => ({ ...base, ...extra }));

const attribute = fc.array(instance, { minLength: 1, maxLength: 2 }).map((list) =>
  // At most one instance without datasetId: the others get distinct ones.
  list.map((a, n) => (n === 0 ? a : { ...a, datasetId: `urn:ds:${n}` })),
);

/** Up to eight entities with ids urn:r:0.. and attributes a, b, c. */
export const randomEntities: fc.Arbitrary<Entity[]> = fc
  .array(fc.record({ a: attribute, b: attribute, c: attribute }, { requiredKeys: [] }), {
    minLength: 1,
    maxLength: 8,
  })
  .map((list) =>
    list.map((attrs, n) => ({
      id: `urn:r:${n}`,
      type: [iri('T')],
      attrs: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [iri(k), v])),
    })),
  );

const temporalLiteral = fc.constantFrom(...TEMPORALS, '2024-01-01T11:00:00Z').map((v): QValue => ({
  kind: 'datetime',
  value: v,
  epochMs: parseTemporal(v)!.epochMs,
}));
const literal: fc.Arbitrary<QValue> = fc.oneof(
  fc.constantFrom(0, 1, 2.5, -1, 3).map((v): QValue => ({ kind: 'number', value: v })),
  fc.constantFrom('x', 'y', '', 'X', 'é', 'urn:a').map((v): QValue => ({ kind: 'string', value: v })),
  fc.constantFrom('urn:a', 'urn:b').map((v): QValue => ({ kind: 'uri', value: v })),
  fc.boolean().map((v): QValue => ({ kind: 'boolean', value: v })),
  fc.constant<QValue>({ kind: 'null' }),
  temporalLiteral,
);

const attrPath: fc.Arbitrary<AttrPath> = fc.record({
  attr: fc.constantFrom('a', 'b', 'c', 'z').map(iri),
  sub: fc.constantFrom<string[]>([], [], ['observedAt'], ['unitCode'], ['datasetId'], [iri('s')]),
  keys: fc.constantFrom<string[]>([], [], [], ['k'], ['j'], ['en'], ['*']),
});

const leaf: fc.Arbitrary<QExpr> = fc.oneof(
  fc.record({
    kind: fc.constant('compare' as const),
    path: attrPath,
    op: fc.constantFrom<QOp>('==', '!=', '<', '<=', '>', '>='),
    value: literal,
  }),
  fc.record({
    kind: fc.constant('compare' as const),
    path: attrPath,
    op: fc.constantFrom<QOp>('~=', '!~='),
    value: fc
      .constantFrom('x', '^y', '(?i)X', '.', '^$', 'urn')
      .map((v): QValue => ({ kind: 'string', value: v })),
  }),
  fc.record({
    kind: fc.constant('in' as const),
    path: attrPath,
    negate: fc.boolean(),
    values: fc.array(literal, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant('range' as const),
    path: attrPath,
    negate: fc.boolean(),
    from: literal,
    to: literal,
  }),
  fc.record({ kind: fc.constant('exists' as const), path: attrPath }),
  fc.record({ kind: fc.constant('notExists' as const), path: attrPath }),
);

/** Random q expressions up to three levels of and/or. */
export const qArbitrary: fc.Arbitrary<QExpr> = fc.letrec<{ q: QExpr }>((tie) => ({
  q: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({
      kind: fc.constantFrom('and' as const, 'or' as const),
      items: fc.array(tie('q'), { minLength: 1, maxLength: 3 }),
    }),
  ),
})).q;
