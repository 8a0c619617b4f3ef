/**
 * Everything the PostgreSQL store derives from an entity besides its document: types, scopes, the
 * GeoJSON of each GeoProperty instance (for PostGIS), the value rows of every attribute and the
 * discovery signature. Derived from the entity alone, so a write replaces an entity's side rows
 * without reading them back.
 */
import type { Attribute, Entity } from '../../../core/model/entity.js';
import { asGeometry } from '../../../core/query/geo-match.js';
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
  signature: string;
}

/** The instances of every attribute, skipping malformed entries. */
export function attributes(e: Entity): Array<[string, Attribute[]]> {
  return Object.entries(e.attrs).filter((kv): kv is [string, Attribute[]] => Array.isArray(kv[1]));
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

/** JSON of [types sorted, [attribute, attribute type, instances][] sorted]: what discovery counts. */
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
  return JSON.stringify([[...new Set(e.type)].sort(cmp), triples]);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
