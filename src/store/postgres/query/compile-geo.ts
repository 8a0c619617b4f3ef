/**
 * geoQ (NGSI-LD 4.10) as PostGIS predicates over `entity_geo` (one row per GeoProperty instance,
 * `geometry(Geometry, 4326)` with a GiST index). An entity matches when some instance of the named
 * GeoProperty satisfies the relation — the reference rule of core/query/geo-match.ts as the SQLite
 * store applies it (so `disjoint` holds when some instance is disjoint, and an entity without the
 * GeoProperty matches no relation).
 *
 * - Topological relations are the OGC ones in the plane of longitude/latitude, as `geoMatches`
 *   computes them: ST_Within / ST_Contains / ST_Intersects / ST_Overlaps / ST_Equals / ST_Disjoint
 *   on geometry(4326). PostGIS adds the bounding-box test that lets the GiST index serve them.
 * - `near` is geodesic, on the sphere (`use_spheroid = false`: PostGIS' mean radius 6,371,008.77 m,
 *   the reference's haversine on 6,371,008.8 m): ST_DWithin for maxDistance, ST_Distance for
 *   minDistance; a maxDistance also gets a box prefilter `geom && envelope` (core expandBBox) so the
 *   GiST index narrows the candidates before any distance is computed.
 * - The query is checked first (src/store/shared/geo-check.ts: BadRequestData otherwise, as on every
 *   store); its geometry is rebuilt from its type and coordinates only, and flattened to 2D like the
 *   stored shapes.
 */
import type { GeoQuery } from '../../../core/query/ast.js';
import { expandBBox, geometryBBox } from '../../../core/query/geo-match.js';
import { checkGeoQuery } from '../../shared/geo-check.js';
import { FALSE, TENANT, type Params } from './sql-builder.js';

const RELATIONS: Record<Exclude<GeoQuery['georel'], 'near'>, string> = {
  within: 'ST_Within',
  contains: 'ST_Contains',
  intersects: 'ST_Intersects',
  overlaps: 'ST_Overlaps',
  equals: 'ST_Equals',
  disjoint: 'ST_Disjoint',
};

/**
 * The geoQ conjunct for the entity numbered by column `eid`; `attr` is the placeholder of the
 * GeoProperty's term id (undefined: never interned).
 */
export function geoSql(g: GeoQuery, attr: string | undefined, eid: string, params: Params): string {
  const geometry = checkGeoQuery(g);
  const clean = JSON.stringify({ type: geometry.type, coordinates: geometry.coordinates });
  const shape = `ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON(${params.add(clean, 'text')})), 4326)`;
  let test: string;
  if (g.georel === 'near') {
    const parts: string[] = [];
    const sphere = `${shape}::geography`;
    if (g.maxDistance !== undefined) {
      const box = expandBBox(geometryBBox(geometry), g.maxDistance).map((v) => params.add(v, 'float8'));
      parts.push(`g.geom && ST_MakeEnvelope(${box.join(', ')}, 4326)`);
      parts.push(`ST_DWithin(g.geom::geography, ${sphere}, ${params.add(g.maxDistance, 'float8')}, false)`);
    }
    if (g.minDistance !== undefined) {
      parts.push(
        `ST_Distance(g.geom::geography, ${sphere}, false) >= ${params.add(g.minDistance, 'float8')}`,
      );
    }
    test = parts.join(' AND ');
  } else {
    test = `${RELATIONS[g.georel]}(g.geom, ${shape})`;
  }
  if (attr === undefined) return FALSE;
  return `EXISTS (SELECT 1 FROM entity_geo g WHERE g.eid = ${eid} AND g.tenant = ${TENANT} AND g.p = ${attr} AND ${test})`;
}
