/**
 * Everything the PostgreSQL store derives from an entity besides its document: types, scopes, the
 * GeoJSON of each GeoProperty instance (for PostGIS), the value rows of every attribute and the
 * discovery signature. Derived from the entity alone, so a write replaces an entity's side rows
 * without reading them back.
 */
import type { Entity } from '../../../core/model/entity.js';
import { asGeometry } from '../../../core/query/geo-match.js';
import { attributes, signature } from '../../shared/entity-shape.js';
import { attributeRows, type ValueRow } from './value-rows.js';

/** GeoProperty instances past this many per entity are not indexed (as SQLite's GEO_SLOTS). */
export const MAX_SHAPES = 64;

export interface Shape {
  /** Attribute IRI. */
  attr: string;
  /** GeoJSON geometry text, validated (ST_GeomFromGeoJSON reads it). */
  geojson: string;
}

export interface Derived {
  types: string[];
  scopes: string[];
  shapes: Shape[];
  /** Value rows per attribute IRI. */
  values: Array<{ attr: string; rows: ValueRow[] }>;
  /** Discovery signature (src/store/shared/entity-shape.ts), what /types and /attributes group by. */
  signature: string;
}

export function derive(e: Entity): Derived {
  const shapes: Shape[] = [];
  const values: Derived['values'] = [];
  for (const [attr, instances] of attributes(e)) {
    values.push({ attr, rows: attributeRows(e, attr) });
    for (const inst of instances) {
      const g = inst.type === 'GeoProperty' ? asGeometry(inst.value) : undefined;
      if (g && shapes.length < MAX_SHAPES) shapes.push({ attr, geojson: JSON.stringify(g) });
    }
  }
  return {
    types: [...new Set(e.type)],
    scopes: [...new Set(e.scope ?? [])],
    shapes,
    values,
    signature: signature(e),
  };
}
