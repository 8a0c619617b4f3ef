/**
 * Geo-queries (ETSI GS CIM 009 clause 4.10): `georel`, `geometry`, `coordinates` and `geoproperty`,
 * from a query string or from the `geoQ` member of a POST query body, read into a `GeoQuery`.
 *
 *   georel  = "near;" ("maxDistance" / "minDistance") "==" PositiveNumber   ; metres, exactly one
 *           / "within" / "contains" / "intersects" / "overlaps" / "disjoint" / "equals"
 *
 * PositiveNumber is a JSON number without a minus sign and not zero. The reference geometry is any
 * GeoJSON geometry but GeometryCollection; `geoproperty` defaults to `location` and stays a term
 * until `expandGeoQuery`.
 */
import { NgsiError } from '../errors.js';
import type { GeoQuery, GeoRel, Geometry } from './ast.js';
import { GEOMETRY_TYPES, countPositions, validateGeometry } from './geometry.js';

export { validateGeometry } from './geometry.js';

/** Most positions a query geometry may hold; past it the query is TooComplexQuery. */
export const MAX_QUERY_POSITIONS = 100_000;

/** The parts of a geo-query as the query string or a `geoQ` body member carry them. */
export interface GeoQueryParts {
  georel?: unknown;
  geometry?: unknown;
  /** A JSON text (query string) or an already parsed array (POST body). */
  coordinates?: unknown;
  geoproperty?: unknown;
}

const SIMPLE_RELS: ReadonlySet<string> = new Set([
  'within',
  'contains',
  'intersects',
  'overlaps',
  'disjoint',
  'equals',
]);
const NEAR = /^near;(maxDistance|minDistance)==((?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)$/;
const PROPERTY_NAME = /^[^\s\p{Cc}"'<>]{1,1024}$/u;

/** True when a request carries any of the geo-query parameters (then all three are needed). */
export function isGeoQueryRequested(parts: GeoQueryParts): boolean {
  return parts.georel !== undefined || parts.geometry !== undefined || parts.coordinates !== undefined;
}

/** Read a geo-query from its parts. Throws BadRequestData naming the missing or malformed part. */
export function parseGeoQuery(parts: GeoQueryParts): GeoQuery {
  for (const name of ['georel', 'geometry', 'coordinates'] as const) {
    if (parts[name] === undefined || parts[name] === null) {
      throw new NgsiError(
        'BadRequestData',
        `a geo-query needs georel, geometry and coordinates; ${name} is missing`,
      );
    }
  }
  const rel = parseGeorel(parts.georel);
  const geometry = referenceGeometry(parts.geometry, parts.coordinates);
  const geoproperty = parts.geoproperty ?? 'location';
  if (typeof geoproperty !== 'string' || !PROPERTY_NAME.test(geoproperty)) {
    throw new NgsiError('BadRequestData', 'geoproperty must be the name of a GeoProperty');
  }
  return { ...rel, geometry, geoproperty };
}

/** Read the `geoQ` member of a POST query body (an object with the same four members). */
export function parseGeoQ(value: unknown): GeoQuery {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new NgsiError('BadRequestData', 'geoQ must be an object with georel, geometry and coordinates');
  }
  const { georel, geometry, coordinates, geoproperty } = value as Record<string, unknown>;
  return parseGeoQuery({ georel, geometry, coordinates, geoproperty });
}

/** Read a `georel` value: the relation and, for `near`, its one distance in metres. */
export function parseGeorel(text: unknown): Pick<GeoQuery, 'georel' | 'maxDistance' | 'minDistance'> {
  if (typeof text !== 'string') throw new NgsiError('BadRequestData', 'georel must be a string');
  if (SIMPLE_RELS.has(text)) return { georel: text as GeoRel };
  const m = NEAR.exec(text);
  if (m === null) {
    throw new NgsiError(
      'BadRequestData',
      `georel ${JSON.stringify(text.slice(0, 64))} is not one of near;maxDistance==<metres>, near;minDistance==<metres>, ` +
        'within, contains, intersects, overlaps, disjoint, equals',
    );
  }
  const distance = Number(m[2]);
  if (!Number.isFinite(distance) || distance <= 0) {
    throw new NgsiError(
      'BadRequestData',
      `the distance of georel must be a positive, finite number of metres`,
    );
  }
  return m[1] === 'maxDistance'
    ? { georel: 'near', maxDistance: distance }
    : { georel: 'near', minDistance: distance };
}

function referenceGeometry(type: unknown, coordinates: unknown): Geometry {
  if (typeof type !== 'string') throw new NgsiError('BadRequestData', 'geometry must be a string');
  // The parameter is case-insensitive here (clients send `point`); GeoJSON objects themselves are not.
  const canonical = GEOMETRY_TYPES.find((t) => t.toLowerCase() === type.toLowerCase());
  if (canonical === undefined) {
    throw new NgsiError(
      'BadRequestData',
      `geometry ${JSON.stringify(type.slice(0, 64))} is not one of ${GEOMETRY_TYPES.join(', ')}`,
    );
  }
  let coords = coordinates;
  if (typeof coords === 'string') {
    try {
      coords = JSON.parse(coords);
    } catch (e) {
      throw new NgsiError('BadRequestData', 'coordinates must be a JSON array, e.g. [8,40]', { cause: e });
    }
  }
  const geometry = validateGeometry({ type: canonical, coordinates: coords });
  if (countPositions(geometry) > MAX_QUERY_POSITIONS) {
    throw new NgsiError(
      'TooComplexQuery',
      `a query geometry may hold at most ${MAX_QUERY_POSITIONS} positions`,
    );
  }
  return geometry;
}
