/**
 * Small planar geometry for the dashboard: point in polygon (for the district filter) and bounds.
 * At city scale the planar approximation in degrees is exact enough for "which district is this in".
 */
import type { GeoGeometry } from './entity.js';

type Ring = Array<[number, number]>;

/** Ray casting on one ring. */
function inRing(p: [number, number], ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > p[1] !== yj > p[1] && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Whether `p` lies in a Polygon or MultiPolygon (holes respected). */
export function pointInGeometry(p: [number, number], g: GeoGeometry): boolean {
  const polygons =
    g.type === 'Polygon'
      ? [g.coordinates as Ring[]]
      : g.type === 'MultiPolygon'
        ? (g.coordinates as Ring[][])
        : [];
  return polygons.some(
    (rings) => rings.length > 0 && inRing(p, rings[0] as Ring) && !rings.slice(1).some((h) => inRing(p, h)),
  );
}

/** [west, south, east, north] of many points; undefined for none. */
export function boundsOf(points: Iterable<[number, number]>): [number, number, number, number] | undefined {
  let b: [number, number, number, number] | undefined;
  for (const [x, y] of points) {
    if (b === undefined) b = [x, y, x, y];
    else b = [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)];
  }
  return b;
}

/** Every vertex of a geometry. */
export function verticesOf(g: GeoGeometry): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number' && typeof c[1] === 'number') out.push([c[0], c[1]]);
    else if (Array.isArray(c)) for (const x of c) walk(x);
  };
  walk(g.coordinates);
  return out;
}
