/**
 * District polygons per tenant, for rules scoped to a district: an entity is in the district when its
 * `location` (a Point) lies inside the polygon of the District entity (`urn:ngsi-ld:District:*`,
 * GeoProperty `location`, Polygon or MultiPolygon). Loaded once per tenant, then kept fresh from the
 * change stream (a District entity created, moved or deleted), so evaluation never reads the store.
 */
import { booleanPointInPolygon } from '@turf/turf';
import type { Entity } from '../core/model/entity.js';
import { NGSI } from '../core/model/entity.js';
import { DISTRICT_PREFIX } from './rule.js';
import { valueOf } from './alert-entity.js';

type Area =
  { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] };

export class DistrictIndex {
  private readonly byTenant = new Map<string, Map<string, Area>>();

  /** Replace a tenant's districts (at load). */
  load(tenant: string, districts: Entity[]): void {
    const map = new Map<string, Area>();
    for (const d of districts) {
      const area = areaOf(d);
      if (area !== undefined) map.set(d.id, area);
    }
    this.byTenant.set(tenant, map);
  }

  /** Follow one change: true when it was a District entity. */
  update(tenant: string, id: string, after: Entity | undefined): boolean {
    if (!id.startsWith(DISTRICT_PREFIX)) return false;
    let map = this.byTenant.get(tenant);
    if (map === undefined) this.byTenant.set(tenant, (map = new Map()));
    const area = after === undefined ? undefined : areaOf(after);
    if (area === undefined) map.delete(id);
    else map.set(id, area);
    return true;
  }

  /** True when the entity's location is a Point inside the district (false when either is unknown). */
  contains(tenant: string, districtId: string, entity: Entity): boolean {
    const area = this.byTenant.get(tenant)?.get(districtId);
    if (area === undefined) return false;
    const point = valueOf(entity, NGSI.location);
    if (!isPoint(point)) return false;
    return booleanPointInPolygon(point.coordinates as [number, number], area);
  }
}

function areaOf(entity: Entity): Area | undefined {
  const g = valueOf(entity, NGSI.location);
  if (g === null || typeof g !== 'object') return undefined;
  const { type, coordinates } = g as { type?: unknown; coordinates?: unknown };
  if ((type === 'Polygon' || type === 'MultiPolygon') && Array.isArray(coordinates)) return g as Area;
  return undefined;
}

function isPoint(v: unknown): v is { type: 'Point'; coordinates: number[] } {
  if (v === null || typeof v !== 'object') return false;
  const { type, coordinates } = v as { type?: unknown; coordinates?: unknown };
  return (
    type === 'Point' &&
    Array.isArray(coordinates) &&
    coordinates.length >= 2 &&
    coordinates.every((c) => typeof c === 'number' && Number.isFinite(c))
  );
}
