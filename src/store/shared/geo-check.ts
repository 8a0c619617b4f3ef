/**
 * The checks every store makes on a geoQ before compiling it (NGSI-LD 4.10): a GeoJSON geometry
 * that core's `asGeometry` accepts, distances that are non-negative numbers, `near` with at least one
 * distance, a known relation. core's parser only builds such queries; a store still checks, because
 * the port can be called with any object, and a malformed one must be a BadRequestData (a 400), the
 * same one on every store (decision 0011), never a failing statement.
 */
import { badRequest } from '../../core/errors.js';
import type { GeoQuery, GeoRel, Geometry } from '../../core/query/ast.js';
import { asGeometry } from '../../core/query/geo-match.js';

/** The relations of geoQ besides `near` (typed: a relation core adds must be added here). */
const RELATIONS: Record<Exclude<GeoRel, 'near'>, true> = {
  within: true,
  contains: true,
  intersects: true,
  overlaps: true,
  equals: true,
  disjoint: true,
};

/** Check a geoQ; its geometry, validated. */
export function checkGeoQuery(g: GeoQuery): Geometry {
  const geometry = asGeometry(g.geometry);
  if (!geometry) throw badRequest('geoQ geometry is not a valid GeoJSON geometry');
  const bad = (n: number | undefined): boolean => n !== undefined && !(Number.isFinite(n) && n >= 0);
  if (bad(g.maxDistance) || bad(g.minDistance))
    throw badRequest('geoQ distances must be non-negative numbers');
  if (g.georel === 'near' && g.maxDistance === undefined && g.minDistance === undefined) {
    throw badRequest('near needs maxDistance or minDistance');
  }
  if (g.georel !== 'near' && !Object.hasOwn(RELATIONS, g.georel)) {
    throw badRequest(`unknown georel ${JSON.stringify(String(g.georel))}`);
  }
  return geometry;
}
