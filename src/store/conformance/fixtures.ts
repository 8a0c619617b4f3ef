/**
 * Builders for the store conformance suite: expanded entities, mutations and query ASTs written by
 * hand (the suite must not depend on the parsers), plus small helpers to run a query.
 */
import { afterAll, beforeAll } from 'vitest';
import { NgsiError } from '../../core/errors.js';
import { NGSI, type Attribute, type AttributeType, type Entity } from '../../core/model/entity.js';
import type { AttrPath, EntityQuery, Geometry, QExpr, QOp, QValue } from '../../core/query/ast.js';
import { parseTemporal } from '../../core/query/temporal-literal.js';
import type { Mutation, Store } from '../port.js';

/** Builds a fresh, empty, migrated store for one test. */
export type MakeStore = () => Promise<Store>;

/** A store made and seeded with `entities` before the enclosing describe's tests, closed after them. */
export function seededStore(makeStore: MakeStore, entities: Entity[]): () => Store {
  let store: Store | undefined;
  beforeAll(async () => {
    store = await makeStore();
    await seed(store, entities);
  });
  afterAll(async () => {
    await store?.close();
  });
  return () => {
    if (store === undefined) throw new Error('the seeded store is made in beforeAll');
    return store;
  };
}

/** Namespace of the test vocabulary. */
export const NS = 'https://example.org/vocab/';
/** Expanded IRI of a test term. */
export const iri = (term: string): string => NS + term;
/** The default GeoProperty. */
export const LOCATION = NGSI.location;

/** One attribute instance. */
export const inst = (type: AttributeType, value: unknown, extra: Partial<Attribute> = {}): Attribute => ({
  type,
  value,
  ...extra,
});
/** A Property with one instance. */
export const prop = (value: unknown, extra: Partial<Attribute> = {}): Attribute[] => [
  inst('Property', value, extra),
];
/** A Relationship with one instance. */
export const rel = (object: string | string[], extra: Partial<Attribute> = {}): Attribute[] => [
  inst('Relationship', object, extra),
];
/** A GeoProperty with one instance. */
export const geo = (g: Geometry, extra: Partial<Attribute> = {}): Attribute[] => [
  inst('GeoProperty', g, extra),
];

/** An entity; attribute names are test terms (expanded here) unless they already are IRIs. */
export function entity(
  id: string,
  type: string | string[],
  attrs: Record<string, Attribute[]> = {},
  extra: Partial<Entity> = {},
): Entity {
  const expanded: Record<string, Attribute[]> = {};
  for (const [name, value] of Object.entries(attrs)) expanded[name.includes(':') ? name : iri(name)] = value;
  return { id, type: (Array.isArray(type) ? type : [type]).map(iri), attrs: expanded, ...extra };
}

/** A mutation that writes the entity whole. */
export const put = (e: Entity): Mutation => ({ id: e.id, decide: () => ({ action: 'put', entity: e }) });
/** A mutation that deletes the entity. */
export const del = (id: string): Mutation => ({ id, decide: () => ({ action: 'delete' }) });

/** Write entities into a tenant, failing the test if any write fails. */
export async function seed(store: Store, entities: Entity[], tenant = ''): Promise<void> {
  const results = await store.mutate(tenant, entities.map(put));
  const failed = results.find((r) => !r.ok);
  if (failed) throw new Error(`seed failed for ${failed.id}`);
}

/** A query with defaults (limit 100, offset 0, no count). */
export const query = (q: Partial<EntityQuery> = {}): EntityQuery => ({
  limit: 100,
  offset: 0,
  count: false,
  ...q,
});

/** Ids of the entities a query returns, in the order returned. */
export async function ids(store: Store, q: Partial<EntityQuery>, tenant = ''): Promise<string[]> {
  return (await store.queryEntities(tenant, query(q))).entities.map((e) => e.id);
}

/** A path on a test attribute. */
export const path = (attr: string, sub: string[] = [], keys: string[] = []): AttrPath => ({
  attr: attr.includes(':') ? attr : iri(attr),
  sub: sub.map((s) => (s.includes(':') || isMember(s) ? s : iri(s))),
  keys,
});
const isMember = (s: string): boolean =>
  ['observedAt', 'unitCode', 'datasetId', 'createdAt', 'modifiedAt'].includes(s);

/** Literals. */
export const num = (value: number): QValue => ({ kind: 'number', value });
export const str = (value: string): QValue => ({ kind: 'string', value });
export const uri = (value: string): QValue => ({ kind: 'uri', value });
export const bool = (value: boolean): QValue => ({ kind: 'boolean', value });
export const nul: QValue = { kind: 'null' };
export function dt(value: string): QValue {
  const t = parseTemporal(value);
  if (!t) throw new Error(`not a temporal literal: ${value}`);
  return { kind: 'datetime', value, epochMs: t.epochMs };
}

/** q leaves and combinators. */
export const cmp = (p: AttrPath | string, op: QOp, value: QValue): QExpr => ({
  kind: 'compare',
  path: typeof p === 'string' ? path(p) : p,
  op,
  value,
});
export const anyOf = (p: AttrPath | string, values: QValue[], negate = false): QExpr => ({
  kind: 'in',
  path: typeof p === 'string' ? path(p) : p,
  values,
  negate,
});
export const between = (p: AttrPath | string, from: QValue, to: QValue, negate = false): QExpr => ({
  kind: 'range',
  path: typeof p === 'string' ? path(p) : p,
  from,
  to,
  negate,
});
export const has = (p: AttrPath | string): QExpr => ({
  kind: 'exists',
  path: typeof p === 'string' ? path(p) : p,
});
export const hasNot = (p: AttrPath | string): QExpr => ({
  kind: 'notExists',
  path: typeof p === 'string' ? path(p) : p,
});
export const and = (...items: QExpr[]): QExpr => ({ kind: 'and', items });
export const or = (...items: QExpr[]): QExpr => ({ kind: 'or', items });

/** The NgsiError kind a promise rejects with (fails the test on anything else). */
export async function rejectsWith(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof NgsiError) return e.kind;
    throw e;
  }
  throw new Error('expected a rejection');
}
