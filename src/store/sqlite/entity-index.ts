/**
 * The side data the SQLite store derives from an entity: its types and scopes, the bounding boxes
 * of its GeoProperty instances, its discovery signature, and (per attribute, on demand) the value
 * rows of `attr_values`. Derived from the entity alone, so the rows of a stored entity can be
 * recomputed from its document: writes diff old against new instead of reading rows back.
 * Changing what is derived here, or the shared signature (src/store/shared/entity-shape.ts),
 * requires bumping INDEX_VERSION (the store then rebuilds).
 */
import type { Entity } from '../../core/model/entity.js';
import type { AttrPath } from '../../core/query/ast.js';
import { asGeometry, geometryBBox, type BBox } from '../../core/query/geo-match.js';
import { attributes, signature } from '../shared/entity-shape.js';

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
  /** Discovery signature (src/store/shared/entity-shape.ts), '' when not asked for. */
  signature: string;
}

/**
 * The interned key of a path held in `attr_values`, or undefined when the index does not hold it.
 * Only attribute values are indexed: each extra row costs every write a random-key b-tree insert;
 * members, sub-attributes and JSON keys are read from the document by `q_select`.
 */
export function indexedPathKey(path: AttrPath): string | undefined {
  return path.keys.length === 0 && path.sub.length === 0 ? path.attr : undefined;
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
