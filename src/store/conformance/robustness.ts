/**
 * Conformance: hostile input never breaks the store. Any query AST (strange strings, numbers, deep or
 * wide expressions, broken geometries, odd limits) either answers or fails with a client error
 * (BadRequestData / TooComplexQuery) — never a crash or an InternalError; odd names and values
 * round-trip through writes and reads.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NgsiError } from '../../core/errors.js';
import type { Attribute, Entity } from '../../core/model/entity.js';
import type {
  AttrPath,
  EntityQuery,
  GeoQuery,
  QExpr,
  QValue,
  ScopeExpr,
  TypeExpr,
} from '../../core/query/ast.js';
import type { Store } from '../port.js';
import { entity, ids, prop, seed, type MakeStore } from './fixtures.js';

const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom("'", '"', "'); DROP TABLE entities; --", '%', '_', '\\', '\u0000', '$.attrs', '*', '/'),
);
const number = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.MAX_VALUE, -0, 1e308, Number.MIN_VALUE),
);
const value: fc.Arbitrary<QValue> = fc.oneof(
  number.map((v): QValue => ({ kind: 'number', value: v })),
  text.map((v): QValue => ({ kind: 'string', value: v })),
  text.map((v): QValue => ({ kind: 'uri', value: v })),
  fc.boolean().map((v): QValue => ({ kind: 'boolean', value: v })),
  fc.constant<QValue>({ kind: 'null' }),
  fc.tuple(text, number).map(([v, n]): QValue => ({ kind: 'datetime', value: v, epochMs: n })),
);
const attrPath: fc.Arbitrary<AttrPath> = fc.record({
  attr: text,
  sub: fc.array(fc.oneof(text, fc.constant('observedAt')), { maxLength: 2 }),
  keys: fc.array(text, { maxLength: 2 }),
});
const q: fc.Arbitrary<QExpr> = fc.letrec<{ q: QExpr }>((tie) => ({
  q: fc.oneof(
    { depthSize: 'small' },
    fc.record({
      kind: fc.constant('compare' as const),
      path: attrPath,
      op: fc.constantFrom('==', '!=', '<', '<=', '>', '>=', '~=', '!~=' as const),
      value,
    }),
    fc.record({
      kind: fc.constant('in' as const),
      path: attrPath,
      negate: fc.boolean(),
      values: fc.array(value, { maxLength: 3 }),
    }),
    fc.record({
      kind: fc.constant('range' as const),
      path: attrPath,
      negate: fc.boolean(),
      from: value,
      to: value,
    }),
    fc.record({ kind: fc.constantFrom('exists' as const, 'notExists' as const), path: attrPath }),
    fc.record({
      kind: fc.constantFrom('and' as const, 'or' as const),
      items: fc.array(tie('q'), { maxLength: 3 }),
    }),
  ),
})).q;
const type: fc.Arbitrary<TypeExpr> = fc.letrec<{ t: TypeExpr }>((tie) => ({
  t: fc.oneof(
    { depthSize: 'small' },
    text.map((name): TypeExpr => ({ kind: 'type', name })),
    fc.record({
      kind: fc.constantFrom('and' as const, 'or' as const),
      items: fc.array(tie('t'), { maxLength: 3 }),
    }),
  ),
})).t;
const scope: fc.Arbitrary<ScopeExpr> = fc.oneof(
  fc.record({
    kind: fc.constant('scope' as const),
    segments: fc.array(fc.oneof(text, fc.constant('+')), { maxLength: 3 }),
    descendants: fc.boolean(),
  }),
  fc.record({
    kind: fc.constantFrom('and' as const, 'or' as const),
    items: fc.array(
      fc.record({
        kind: fc.constant('scope' as const),
        segments: fc.array(text, { maxLength: 2 }),
        descendants: fc.boolean(),
      }),
      {
        maxLength: 2,
      },
    ),
  }),
);
const geoQ: fc.Arbitrary<GeoQuery> = fc.record(
  {
    georel: fc.constantFrom(
      'near',
      'within',
      'contains',
      'intersects',
      'overlaps',
      'disjoint',
      'equals' as const,
    ),
    geometry: fc.oneof(
      fc.record({ type: fc.constant('Point' as const), coordinates: fc.array(number, { maxLength: 3 }) }),
      fc.record({
        type: fc.constant('Polygon' as const),
        coordinates: fc.array(fc.array(fc.array(number, { maxLength: 2 }), { maxLength: 5 }), {
          maxLength: 2,
        }),
      }),
      fc.anything().map((x) => x as GeoQuery['geometry']),
    ),
    geoproperty: text,
    maxDistance: number,
    minDistance: number,
  },
  { requiredKeys: ['georel', 'geometry', 'geoproperty'] },
);
const anyQuery: fc.Arbitrary<EntityQuery> = fc.record(
  {
    type,
    ids: fc.array(text, { maxLength: 3 }),
    idPattern: text,
    attrs: fc.array(text, { maxLength: 3 }),
    q,
    geoQ,
    scopeQ: scope,
    orderBy: fc.array(
      fc.record({
        key: fc.oneof(fc.constantFrom('id', 'type', 'createdAt', 'modifiedAt' as const), attrPath),
        descending: fc.boolean(),
      }),
      { maxLength: 2 },
    ),
    limit: fc.oneof(fc.integer({ min: -5, max: 2000 }), fc.constantFrom(Number.NaN, 1.5)),
    offset: fc.oneof(fc.integer({ min: -5, max: 50 }), fc.constant(Number.POSITIVE_INFINITY)),
    count: fc.boolean(),
  },
  { requiredKeys: ['limit', 'offset', 'count'] },
);

/** Register the robustness tests for a store factory. */
export function describeRobustness(makeStore: MakeStore): void {
  describe('robustness', () => {
    let store: Store;
    beforeAll(async () => {
      store = await makeStore();
      await seed(store, [
        entity(
          'urn:r:1',
          'T',
          {
            a: prop(1),
            b: prop('x'),
            location: [{ type: 'GeoProperty', value: { type: 'Point', coordinates: [0, 0] } }],
          },
          { scope: ['/a/b'] },
        ),
        entity('urn:r:2', 'U', { a: prop([1, 'y', { k: null }]) }),
      ]);
    });
    afterAll(async () => {
      await store.close();
    });

    it('answers any query AST or rejects it with a client error', async () => {
      await fc.assert(
        fc.asyncProperty(anyQuery, async (query) => {
          try {
            await store.queryEntities('', query);
            await store.queryIds('', query);
          } catch (e) {
            expect(e).toBeInstanceOf(NgsiError);
            expect(['BadRequestData', 'TooComplexQuery']).toContain((e as NgsiError).kind);
          }
        }),
        { numRuns: 400 },
      );
    });

    it('answers a q on an empty attribute name on every path (found by the property above)', async () => {
      const query = {
        ids: [],
        q: {
          kind: 'compare',
          path: { attr: '', sub: [], keys: [] },
          op: '==',
          value: { kind: 'number', value: 0 },
        },
        limit: 0,
        offset: 0,
        count: false,
      } satisfies EntityQuery;
      await expect(store.queryEntities('', query)).resolves.toEqual({ entities: [] });
      await expect(store.queryIds('', query)).resolves.toEqual([]);
    });

    it('refuses too wide an expression with TooComplexQuery', async () => {
      const wide: QExpr = {
        kind: 'or',
        items: Array.from({ length: 5000 }, (_, i) => ({
          kind: 'exists' as const,
          path: { attr: `a${i}`, sub: [], keys: [] },
        })),
      };
      await expect(
        store.queryEntities('', { q: wide, limit: 1, offset: 0, count: false }),
      ).rejects.toMatchObject({
        kind: 'TooComplexQuery',
      });
    });

    it('round-trips entities with odd names and values', async () => {
      const names = fc
        .string({ minLength: 1, maxLength: 10 })
        .filter((s) => !['__proto__', 'constructor'].includes(s));
      const attrValue = fc.jsonValue({ maxDepth: 3 });
      await fc.assert(
        fc.asyncProperty(fc.dictionary(names, attrValue, { maxKeys: 4 }), text, async (attrs, id) => {
          const e: Entity = {
            id: `urn:odd:${id}`,
            type: [`https://example.org/${id}`],
            attrs: Object.fromEntries(
              Object.entries(attrs).map(([k, v]): [string, Attribute[]] => [
                k,
                [{ type: 'Property', value: v }],
              ]),
            ),
          };
          const r = await store.mutate('urn:odd', [
            { id: e.id, decide: () => ({ action: 'put', entity: e }) },
          ]);
          if (!store.capabilities.nulInText && holdsNul(e)) {
            // A declared limit of the dialect: refused for this entity, with a client error.
            expect(r[0]).toMatchObject({ ok: false, error: { kind: 'BadRequestData' } });
            return;
          }
          expect(r[0]?.ok).toBe(true);
          expect(await store.getEntity('urn:odd', e.id)).toEqual(JSON.parse(JSON.stringify(e)));
          expect(await ids(store, { ids: [e.id] }, 'urn:odd')).toEqual([e.id]);
        }),
        { numRuns: 100 },
      );
    });
  });
}

/** True when some string of a JSON value (a key or a value) holds U+0000. */
function holdsNul(x: unknown): boolean {
  if (typeof x === 'string') return x.includes('\u0000');
  if (Array.isArray(x)) return x.some(holdsNul);
  if (x !== null && typeof x === 'object')
    return Object.entries(x).some(([k, v]) => k.includes('\u0000') || holdsNul(v));
  return false;
}
