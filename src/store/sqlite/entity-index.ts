/**
 * The side data the SQLite store derives from an entity: its types and scopes, the value rows of the
 * indexed q paths, the bounding boxes of its GeoProperty instances, and its contribution to the
 * discovery counters. Derived from the entity alone, so the rows of a stored entity can be
 * recomputed from its document: writes diff old against new instead of reading the rows back.
 * Changing what is derived here requires bumping INDEX_VERSION (the store then rebuilds).
 */
import type { Entity } from '../../core/model/entity.js';
import type { AttrPath } from '../../core/query/ast.js';
import { asGeometry, geometryBBox, type BBox } from '../../core/query/geo-match.js';
import { pathRows, type ValueRow } from './value-rows.js';

/** Version of the derivation below; stored in `meta`, a mismatch rebuilds every side table. */
export const INDEX_VERSION = '1';

/** Geo rows per entity: rtree ids are eid * GEO_SLOTS + n. GeoProperty instances past this are not indexed. */
export const GEO_SLOTS = 64;

/** Separator inside map keys (cannot occur in an IRI). */
const SEP = '\u001f';

/** A bounding box and geometry of one GeoProperty instance. */
export interface Shape {
  attr: string;
  geom: string;
  box: BBox;
}

/** Everything derived from one entity. */
export interface EntityIndex {
  types: string[];
  scopes: string[];
  /** Interned-path key -> that path's value rows, in order. */
  values: Map<string, ValueRow[]>;
  shapes: Shape[];
  /** Discovery signature: JSON of [types sorted, [attr, attributeType, instances][] sorted]. */
  signature: string;
}

/** The parsed form of a discovery signature. */
export type Signature = [string[], Array<[string, string, number]>];

/**
 * The interned key of a path held in `attr_values`, or undefined when the index does not hold it.
 * Only attribute values are indexed: each extra row costs every write ~5 µs (a random-key b-tree
 * insert); members, sub-attributes and JSON keys are read from the document by `q_select`.
 */
export function indexedPathKey(path: AttrPath): string | undefined {
  return path.keys.length === 0 && path.sub.length === 0 ? path.attr : undefined;
}

/** Derive the side data of an entity. */
export function indexEntity(e: Entity): EntityIndex {
  const values = new Map<string, ValueRow[]>();
  const shapes: Shape[] = [];
  const kinds = new Map<string, [string, string, number]>();
  for (const [attr, instances] of Object.entries(e.attrs)) {
    if (!Array.isArray(instances)) continue;
    for (const inst of instances) {
      const kind = kinds.get(`${attr}${SEP}${inst.type}`);
      if (kind) kind[2]++;
      else kinds.set(`${attr}${SEP}${inst.type}`, [attr, inst.type, 1]);
      const g = inst.type === 'GeoProperty' ? asGeometry(inst.value) : undefined;
      if (g && shapes.length < GEO_SLOTS)
        shapes.push({ attr, geom: JSON.stringify(g), box: geometryBBox(g) });
    }
    const rows = pathRows(e, { attr, sub: [], keys: [] });
    if (rows.length > 0) values.set(attr, rows);
  }
  const types = [...new Set(e.type)];
  const triples = [...kinds.values()].sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]));
  const signature: Signature = [[...types].sort(cmp), triples];
  return { types, scopes: [...new Set(e.scope ?? [])], values, shapes, signature: JSON.stringify(signature) };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
