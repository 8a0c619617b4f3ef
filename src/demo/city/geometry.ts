/**
 * Small geometry helpers for the generator: metric offsets around the city centre (an equirectangular
 * approximation, exact enough over a 10 km city), seeded points inside a polygon, points along a line.
 * Turf does the heavy lifting (point in polygon, lengths); these keep the generator readable.
 */
import * as turf from '@turf/turf';
import type { LngLat } from './model.js';
import type { Rng } from './random.js';

/** Kilometres per degree of latitude (mean). */
const KM_PER_DEG_LAT = 111.32;

/** The point `eastKm` east and `northKm` north of `origin`. */
export function offsetKm(origin: LngLat, eastKm: number, northKm: number): LngLat {
  const kmPerDegLon = KM_PER_DEG_LAT * Math.cos((origin[1] * Math.PI) / 180);
  return round([origin[0] + eastKm / kmPerDegLon, origin[1] + northKm / KM_PER_DEG_LAT]);
}

/** The point at `radiusKm` from `origin` in direction `angle` (radians, counter-clockwise from east). */
export function polarKm(origin: LngLat, radiusKm: number, angle: number): LngLat {
  return offsetKm(origin, radiusKm * Math.cos(angle), radiusKm * Math.sin(angle));
}

/**
 * Coordinates rounded to 6 decimals (about 10 cm): plenty for a city map, and it keeps entity
 * payloads short. Equal inputs round equally, so vertices two districts share stay shared.
 */
export function round(p: readonly number[]): LngLat {
  return [Number((p[0] as number).toFixed(6)), Number((p[1] as number).toFixed(6))];
}

/** Whether `p` lies inside (or on the edge of) the polygon. */
export function inside(p: LngLat, polygon: LngLat[][]): boolean {
  return turf.booleanPointInPolygon(p, turf.polygon(polygon));
}

/**
 * A seeded point inside `polygon`: rejection sampling in its bbox, the candidates pulled towards the
 * centroid by `shrink` so that devices rarely sit on a district border.
 */
export function pointIn(rng: Rng, polygon: LngLat[][], shrink = 0.85): LngLat {
  const poly = turf.polygon(polygon);
  const [w, s, e, n] = turf.bbox(poly);
  const centre = turf.centroid(poly).geometry.coordinates as LngLat;
  for (let i = 0; i < 200; i++) {
    const x = w + rng() * (e - w);
    const y = s + rng() * (n - s);
    const p = round([centre[0] + (x - centre[0]) * shrink, centre[1] + (y - centre[1]) * shrink]);
    if (turf.booleanPointInPolygon(p, poly)) return p;
  }
  return round(turf.pointOnFeature(poly).geometry.coordinates);
}

/** The point `km` along a line (clamped to its ends). */
export function alongKm(line: LngLat[], km: number): LngLat {
  return round(
    turf.along(turf.lineString(line), Math.max(0, km), { units: 'kilometers' }).geometry.coordinates,
  );
}

/** A line's length in kilometres. */
export function lengthKm(line: LngLat[]): number {
  return turf.length(turf.lineString(line), { units: 'kilometers' });
}

/**
 * The part of the straight segment a→b inside a convex polygon, or undefined when it misses it: from
 * the crossing points turf finds (and the ends already inside), so a street ends at the city boundary.
 */
export function clipToConvex(a: LngLat, b: LngLat, polygon: LngLat[][]): [LngLat, LngLat] | undefined {
  const poly = turf.polygon(polygon);
  const crossings = turf
    .lineIntersect(turf.lineString([a, b]), poly)
    .features.map((f) => f.geometry.coordinates as LngLat);
  const ends = [...crossings];
  if (turf.booleanPointInPolygon(a, poly)) ends.push(a);
  if (turf.booleanPointInPolygon(b, poly)) ends.push(b);
  if (ends.length < 2) return undefined;
  // Order along a→b and keep the extremes: a segment crosses a convex polygon's edge at most twice.
  const t = (p: LngLat) => (p[0] - a[0]) * (b[0] - a[0]) + (p[1] - a[1]) * (b[1] - a[1]);
  ends.sort((p, q) => t(p) - t(q));
  const first = round(ends[0] as LngLat);
  const last = round(ends[ends.length - 1] as LngLat);
  return first[0] === last[0] && first[1] === last[1] ? undefined : [first, last];
}

/** URL- and id-safe ASCII slug of a name: "Foz do Rio" → "foz-do-rio". */
export function slug(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
