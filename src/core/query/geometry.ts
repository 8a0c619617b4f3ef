/**
 * GeoJSON geometries (IETF RFC 7946) as NGSI-LD accepts them, for GeoProperty values and for the
 * reference geometry of geo-queries: Point, MultiPoint, LineString, MultiLineString, Polygon and
 * MultiPolygon (GeometryCollection is refused). Validation walks exactly as deep as the type needs,
 * so any input, however nested, costs no recursion.
 */
import { NgsiError } from '../errors.js';
import type { Geometry } from './ast.js';

/** The geometry types NGSI-LD accepts, in their RFC 7946 spelling. */
export const GEOMETRY_TYPES: readonly Geometry['type'][] = [
  'Point',
  'MultiPoint',
  'LineString',
  'MultiLineString',
  'Polygon',
  'MultiPolygon',
];

/**
 * Check that `value` is a GeoJSON geometry: a known type; coordinates nested to the type's depth;
 * positions of 2 or 3 finite numbers with longitude in [-180, 180] and latitude in [-90, 90];
 * LineStrings of at least 2 positions; Polygon rings closed, of at least 4 positions; Multi* and
 * Polygons not empty. Returns a fresh `{ type, coordinates }` (other members such as `bbox` dropped).
 * Throws BadRequestData saying what is wrong and where.
 */
export function validateGeometry(value: unknown): Geometry {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw bad('a geometry must be a GeoJSON object with type and coordinates');
  }
  const { type, coordinates: c } = value as { type?: unknown; coordinates?: unknown };
  if (c === undefined) throw bad('the geometry has no coordinates');
  switch (type) {
    case 'Point':
      return { type, coordinates: position(c, 'coordinates') };
    case 'MultiPoint':
      return { type, coordinates: positions(c, 'coordinates', 1) };
    case 'LineString':
      return { type, coordinates: positions(c, 'coordinates', 2) };
    case 'MultiLineString':
      return {
        type,
        coordinates: list(c, 'coordinates', 1).map((l, i) => positions(l, `coordinates[${i}]`, 2)),
      };
    case 'Polygon':
      return { type, coordinates: polygon(c, 'coordinates') };
    case 'MultiPolygon':
      return { type, coordinates: list(c, 'coordinates', 1).map((p, i) => polygon(p, `coordinates[${i}]`)) };
    case 'GeometryCollection':
      throw bad('GeometryCollection is not supported');
    default:
      throw bad(
        `the geometry type must be one of ${GEOMETRY_TYPES.join(', ')}, not ${typeof type === 'string' ? JSON.stringify(type.slice(0, 64)) : typeof type}`,
      );
  }
}

/** How many positions a geometry holds (to bound the cost of a query geometry). */
export function countPositions(g: Geometry): number {
  switch (g.type) {
    case 'Point':
      return 1;
    case 'MultiPoint':
    case 'LineString':
      return g.coordinates.length;
    case 'MultiLineString':
    case 'Polygon':
      return g.coordinates.reduce((n, l) => n + l.length, 0);
    case 'MultiPolygon':
      return g.coordinates.reduce((n, p) => n + p.reduce((m, r) => m + r.length, 0), 0);
  }
}

function bad(detail: string): NgsiError {
  return new NgsiError('BadRequestData', `Invalid geometry: ${detail}`);
}

function list(v: unknown, where: string, min: number): unknown[] {
  if (!Array.isArray(v)) throw bad(`${where} must be an array`);
  if (v.length < min) throw bad(`${where} must hold at least ${min} element${min === 1 ? '' : 's'}`);
  // Array.from visits holes too (map would skip them).
  return Array.from(v);
}

function position(v: unknown, where: string): number[] {
  if (!Array.isArray(v) || v.length < 2 || v.length > 3) {
    throw bad(`${where} must be a position: [longitude, latitude] or [longitude, latitude, altitude]`);
  }
  // A plain loop (not Array.from with a callback): this runs for every position of every write.
  const p: number[] = [];
  for (let i = 0; i < v.length; i++) {
    const n: unknown = v[i];
    if (typeof n !== 'number' || !Number.isFinite(n)) throw bad(`${where}[${i}] must be a finite number`);
    p.push(n);
  }
  const [lon = 0, lat = 0] = p;
  if (lon < -180 || lon > 180) throw bad(`${where}: longitude ${lon} is outside [-180, 180]`);
  if (lat < -90 || lat > 90) throw bad(`${where}: latitude ${lat} is outside [-90, 90]`);
  return p;
}

function positions(v: unknown, where: string, min: number): number[][] {
  return list(v, where, min).map((p, i) => position(p, `${where}[${i}]`));
}

function polygon(v: unknown, where: string): number[][][] {
  return list(v, where, 1).map((ring, i) => {
    const at = `${where}[${i}]`;
    const r = positions(ring, at, 4);
    const first = r[0] ?? [];
    const last = r[r.length - 1] ?? [];
    if (first.length !== last.length || first.some((n, k) => n !== last[k])) {
      throw bad(`${at}: a linear ring must end where it starts`);
    }
    return r;
  });
}
