/**
 * The side data the SQLite store derives from an entity: its types and scopes, the bounding boxes
 * of its GeoProperty instances, its discovery signature, and (per attribute, on demand) the value
 * rows of `attr_values`. Derived from the entity alone, so the rows of a stored entity can be
 * recomputed from its document: writes diff old against new instead of reading rows back.
 * Changing what is derived here requires bumping INDEX_VERSION (the store then rebuilds).
 */
import type { Attribute, Entity } from '../../core/model/entity.js';
import type { AttrPath } from '../../core/query/ast.js';
import { asGeometry, geometryBBox, type BBox } from '../../core/query/geo-match.js';

/** Version of the derivation below; stored in `meta`, a mismatch rebuilds every side table. */
export const INDEX_VERSION = '1';

/** Geo rows per entity: rtree ids are eid * GEO_SLOTS + n. GeoProperty instances past this are not indexed. */
export const GEO_SLOTS = 64;

/** A bounding box and geometry of one GeoProperty instance. */
export interface Shape {
  attr: string;
  geom: string;
  box: BBox;
}

/** What is derived from one entity besides value rows. */
export interface EntityIndex {
  types: string[];
  scopes: string[];
  shapes: Shape[];
  /** Discovery signature: JSON of [types sorted, [attr, attributeType, instances][] sorted]. */
  signature: string;
}

/** The parsed form of a discovery signature. */
export type Signature = [string[], Array<[string, string, number]>];

/**
 * The interned key of a path held in `attr_values`, or undefined when the index does not hold it.
 * Only attribute values are indexed: each extra row costs every write a random-key b-tree insert;
 * members, sub-attributes and JSON keys are read from the document by `q_select`.
 */
export function indexedPathKey(path: AttrPath): string | undefined {
  return path.keys.length === 0 && path.sub.length === 0 ? path.attr : undefined;
}

/** The instances of every attribute, skipping malformed entries. */
export function attributes(e: Entity): Array<[string, Attribute[]]> {
  return Object.entries(e.attrs).filter((kv): kv is [string, Attribute[]] => Array.isArray(kv[1]));
}

/**
 * Derive types, scopes and, unless told they are not needed, the GeoProperty shapes and the
 * discovery signature of an entity.
 */
export function indexEntity(e: Entity, withShapes = true, withSignature = true): EntityIndex {
  const shapes: Shape[] = [];
  if (withShapes) {
    for (const [attr, instances] of attributes(e)) {
      for (const inst of instances) {
        const g = inst.type === 'GeoProperty' ? asGeometry(inst.value) : undefined;
        if (g && shapes.length < GEO_SLOTS)
          shapes.push({ attr, geom: JSON.stringify(g), box: geometryBBox(g) });
      }
    }
  }
  return {
    types: [...new Set(e.type)],
    scopes: [...new Set(e.scope ?? [])],
    shapes,
    signature: withSignature ? signature(e) : '',
  };
}

/** The discovery signature of an entity (see EntityIndex.signature). */
export function signature(e: Entity): string {
  const kinds = new Map<string, [string, string, number]>();
  for (const [attr, instances] of attributes(e)) {
    for (const inst of instances) {
      const key = `${attr}\u0000${inst.type}`;
      const kind = kinds.get(key);
      if (kind) kind[2]++;
      else kinds.set(key, [attr, inst.type, 1]);
    }
  }
  const triples = [...kinds.values()].sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]));
  const sig: Signature = [[...new Set(e.type)].sort(cmp), triples];
  return JSON.stringify(sig);
}

/**
 * True when two versions of an entity have the same signature: same types, same attributes with
 * the same attribute types per instance. Cheaper than building both signatures (the usual update).
 */
export function sameShape(a: Entity, b: Entity): boolean {
  if (a.type.length !== b.type.length || a.type.some((t, i) => t !== b.type[i])) return false;
  const ka = Object.keys(a.attrs);
  if (ka.length !== Object.keys(b.attrs).length) return false;
  for (const k of ka) {
    const x = a.attrs[k];
    const y = Object.hasOwn(b.attrs, k) ? b.attrs[k] : undefined;
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i]?.type !== y[i]?.type) return false;
  }
  return true;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Structural equality of JSON values (an unchanged attribute keeps its rows). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (
      !Object.hasOwn(b, k) ||
      !sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
    )
      return false;
  }
  return true;
}
