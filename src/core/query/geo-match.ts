/**
 * Exact evaluation of NGSI-LD geo-queries (clause 4.10) against one GeoJSON geometry. Pure, so the
 * store adapters (after their bounding-box prefilter) and the subscription matcher share one
 * predicate. Topological relations follow the OGC simple-feature definitions, computed in the plane
 * of longitude/latitude degrees (as PostGIS does for `geometry`); distances for `near` are geodesic
 * metres (haversine on the mean Earth radius, the sphere @turf/turf uses).
 */
import type { GeoQuery, Geometry } from './ast.js';

/** `[minX, minY, maxX, maxY]` in degrees. */
export type BBox = [number, number, number, number];

type Pos = number[];
type Ring = Pos[];
/** A geometry split into its primitive parts; a geometry has parts of one dimension only. */
interface Parts {
  dim: 0 | 1 | 2;
  points: Pos[];
  /** Line strings (dim 1) or polygon rings (dim 2), as vertex chains. */
  chains: Ring[];
  /** Polygons as [outer, ...holes] (dim 2 only). */
  polys: Ring[][];
}
type Where = 'interior' | 'boundary' | 'exterior';

/** Mean Earth radius in metres (the value @turf/turf uses, so distances agree with it). */
export const EARTH_RADIUS_M = 6371008.8;
const RAD = Math.PI / 180;
/** Distance tolerance in degrees (~0.1 mm): points closer than this to a line are on it. */
const EPS = 1e-9;

/** True when `v` is a well-formed GeoJSON geometry of one of the six simple types; returns it typed. */
export function asGeometry(v: unknown): Geometry | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const { type, coordinates: c } = v as { type?: unknown; coordinates?: unknown };
  const ok =
    type === 'Point'
      ? isPos(c)
      : type === 'MultiPoint'
        ? isArrayOf(c, isPos, 1)
        : type === 'LineString'
          ? isLine(c)
          : type === 'MultiLineString'
            ? isArrayOf(c, isLine, 1)
            : type === 'Polygon'
              ? isPolygon(c)
              : type === 'MultiPolygon'
                ? isArrayOf(c, isPolygon, 1)
                : false;
  return ok ? (v as Geometry) : undefined;
}

function isPos(c: unknown): boolean {
  return Array.isArray(c) && c.length >= 2 && c.every((n) => typeof n === 'number' && Number.isFinite(n));
}
function isArrayOf(c: unknown, item: (x: unknown) => boolean, min: number): boolean {
  return Array.isArray(c) && c.length >= min && c.every(item);
}
function isLine(c: unknown): boolean {
  return isArrayOf(c, isPos, 2);
}
function isRing(c: unknown): boolean {
  if (!isArrayOf(c, isPos, 4)) return false;
  const r = c as Pos[];
  const [a, z] = [r[0]!, r[r.length - 1]!];
  return a[0] === z[0] && a[1] === z[1];
}
function isPolygon(c: unknown): boolean {
  return isArrayOf(c, isRing, 1);
}

/** The bounding box of a geometry. */
export function geometryBBox(g: Geometry): BBox {
  return boxOf(parts(g));
}

/**
 * A box holding every point within `metres` of `box` (for an index prefilter of `near`). Widens the
 * longitude span by the latitude nearest a pole; spans the whole globe when it would wrap.
 */
export function expandBBox(box: BBox, metres: number): BBox {
  const dLat = (metres / (EARTH_RADIUS_M * RAD)) * 1.001;
  const minY = Math.max(-90, box[1] - dLat);
  const maxY = Math.min(90, box[3] + dLat);
  const cos = Math.cos(Math.max(Math.abs(minY), Math.abs(maxY)) * RAD);
  const dLon = cos < 1e-6 ? 360 : dLat / cos;
  const minX = box[0] - dLon;
  const maxX = box[2] + dLon;
  return minX < -180 || maxX > 180 ? [-180, minY, 180, maxY] : [minX, minY, maxX, maxY];
}

/** Haversine distance in metres between two positions. */
function haversine(a: Pos, b: Pos): number {
  const dLat = (b[1]! - a[1]!) * RAD;
  const dLon = (b[0]! - a[0]!) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1]! * RAD) * Math.cos(b[1]! * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Metres from `p` to segment a–b: the nearest point is found in a local equirectangular projection
 * around `p` (accurate at city scale), and its distance measured by haversine.
 */
function pointSegmentMetres(p: Pos, a: Pos, b: Pos): number {
  const k = Math.cos(p[1]! * RAD);
  const ax = (a[0]! - p[0]!) * k;
  const ay = a[1]! - p[1]!;
  const dx = (b[0]! - p[0]!) * k - ax;
  const dy = b[1]! - p[1]! - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
  return haversine(p, [a[0]! + t * (b[0]! - a[0]!), a[1]! + t * (b[1]! - a[1]!)]);
}

/** Shortest geodesic distance in metres between two geometries (0 when they intersect). */
export function distanceMetres(a: Geometry, b: Geometry): number {
  if (a.type === 'Point' && b.type === 'Point') return haversine(a.coordinates, b.coordinates);
  const pa = parts(a);
  const pb = parts(b);
  if (intersectsParts(pa, pb)) return 0;
  // Between non-intersecting shapes the minimum is reached at a vertex of one of them.
  return Math.min(vertexDistance(pa, pb), vertexDistance(pb, pa));
}

function vertexDistance(from: Parts, to: Parts): number {
  let best = Infinity;
  for (const p of vertices(from)) {
    for (const q of to.points) best = Math.min(best, haversine(p, q));
    for (const c of to.chains)
      for (let i = 1; i < c.length; i++) best = Math.min(best, pointSegmentMetres(p, c[i - 1]!, c[i]!));
  }
  return best;
}

/** True when the entity geometry `g` satisfies the geo-query `q` (`g` is the entity's, `q.geometry` the reference). */
export function geoMatches(g: Geometry, q: GeoQuery): boolean {
  if (q.georel === 'near') {
    if (q.maxDistance === undefined && q.minDistance === undefined) return false;
    const d = distanceMetres(q.geometry, g);
    return (
      (q.maxDistance === undefined || d <= q.maxDistance) &&
      (q.minDistance === undefined || d >= q.minDistance)
    );
  }
  const a = parts(g);
  const b = parts(q.geometry);
  switch (q.georel) {
    case 'intersects':
      return intersectsParts(a, b);
    case 'disjoint':
      return !intersectsParts(a, b);
    case 'within':
      return contains(b, a);
    case 'contains':
      return contains(a, b);
    case 'equals':
      return a.dim === b.dim && covers(a, b).covered && covers(b, a).covered;
    case 'overlaps':
      return overlaps(a, b);
  }
}

function parts(g: Geometry): Parts {
  switch (g.type) {
    case 'Point':
      return { dim: 0, points: [g.coordinates], chains: [], polys: [] };
    case 'MultiPoint':
      return { dim: 0, points: g.coordinates, chains: [], polys: [] };
    case 'LineString':
      return { dim: 1, points: [], chains: [g.coordinates], polys: [] };
    case 'MultiLineString':
      return { dim: 1, points: [], chains: g.coordinates, polys: [] };
    case 'Polygon':
      return { dim: 2, points: [], chains: g.coordinates, polys: [g.coordinates] };
    case 'MultiPolygon':
      return { dim: 2, points: [], chains: g.coordinates.flat(), polys: g.coordinates };
  }
}

function vertices(p: Parts): Pos[] {
  return p.dim === 0 ? p.points : p.chains.flat();
}

function cross(o: Pos, a: Pos, b: Pos): number {
  return (a[0]! - o[0]!) * (b[1]! - o[1]!) - (a[1]! - o[1]!) * (b[0]! - o[0]!);
}

function samePos(a: Pos, b: Pos): boolean {
  return Math.abs(a[0]! - b[0]!) <= EPS && Math.abs(a[1]! - b[1]!) <= EPS;
}

/** True when p lies on segment a–b (within EPS degrees). */
function onSegment(p: Pos, a: Pos, b: Pos): boolean {
  const len = Math.hypot(b[0]! - a[0]!, b[1]! - a[1]!);
  if (len === 0) return samePos(p, a);
  if (Math.abs(cross(a, b, p)) > EPS * len) return false;
  const dot = (p[0]! - a[0]!) * (b[0]! - a[0]!) + (p[1]! - a[1]!) * (b[1]! - a[1]!);
  return dot >= -EPS * len && dot <= len * len + EPS * len;
}

/** Parameters t along a–b (0..1) where it meets c–d: a crossing point, or the ends of a shared stretch. */
function meetParams(a: Pos, b: Pos, c: Pos, d: Pos): number[] {
  const rx = b[0]! - a[0]!;
  const ry = b[1]! - a[1]!;
  const sx = d[0]! - c[0]!;
  const sy = d[1]! - c[1]!;
  const den = rx * sy - ry * sx;
  const len2 = rx * rx + ry * ry;
  const param = (p: Pos): number => (len2 === 0 ? 0 : ((p[0]! - a[0]!) * rx + (p[1]! - a[1]!) * ry) / len2);
  const out: number[] = [];
  if (Math.abs(den) > EPS * Math.hypot(rx, ry) * Math.hypot(sx, sy)) {
    const t = ((c[0]! - a[0]!) * sy - (c[1]! - a[1]!) * sx) / den;
    const u = ((c[0]! - a[0]!) * ry - (c[1]! - a[1]!) * rx) / den;
    if (t >= -1e-12 && t <= 1 + 1e-12 && u >= -1e-12 && u <= 1 + 1e-12) out.push(Math.min(1, Math.max(0, t)));
    return out;
  }
  // Parallel: only collinear overlaps meet; their ends are endpoints of one segment lying on the other.
  for (const p of [c, d]) if (onSegment(p, a, b)) out.push(Math.min(1, Math.max(0, param(p))));
  for (const [p, t] of [
    [a, 0],
    [b, 1],
  ] as const)
    if (onSegment(p, c, d)) out.push(t);
  return out;
}

function segmentsOf(chains: Ring[]): Array<[Pos, Pos]> {
  const out: Array<[Pos, Pos]> = [];
  for (const c of chains) for (let i = 1; i < c.length; i++) out.push([c[i - 1]!, c[i]!]);
  return out;
}

/**
 * Midpoints of the pieces of `chains` cut at every point where they meet `by` (and at their own
 * vertices). Each piece lies wholly in one of interior/boundary/exterior of the geometry `by` bounds.
 */
function pieceMidpoints(chains: Ring[], by: Ring[]): Pos[] {
  const cutters = segmentsOf(by);
  const mids: Pos[] = [];
  for (const [a, b] of segmentsOf(chains)) {
    const ts = [0, 1];
    for (const [c, d] of cutters) ts.push(...meetParams(a, b, c, d));
    ts.sort((x, y) => x - y);
    for (let i = 1; i < ts.length; i++) {
      if (ts[i]! - ts[i - 1]! < 1e-12) continue;
      const t = (ts[i]! + ts[i - 1]!) / 2;
      mids.push([a[0]! + t * (b[0]! - a[0]!), a[1]! + t * (b[1]! - a[1]!)]);
    }
  }
  return mids;
}

/** Even-odd ray test against one ring (boundary handled by the caller). */
function insideRing(p: Pos, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = [ring[i]![0]!, ring[i]![1]!];
    const [xj, yj] = [ring[j]![0]!, ring[j]![1]!];
    if (yi > p[1]! !== yj > p[1]! && p[0]! < ((xj - xi) * (p[1]! - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Where `p` lies relative to the geometry (OGC interior / boundary / exterior). */
function locate(p: Pos, g: Parts): Where {
  if (g.dim === 0) return g.points.some((q) => samePos(p, q)) ? 'interior' : 'exterior';
  if (g.dim === 1) {
    if (!segmentsOf(g.chains).some(([a, b]) => onSegment(p, a, b))) return 'exterior';
    // Boundary of lines: endpoints of non-closed chains, counted mod 2 (OGC "mod-2 rule").
    let ends = 0;
    for (const c of g.chains) {
      if (samePos(c[0]!, c[c.length - 1]!)) continue;
      if (samePos(p, c[0]!)) ends++;
      if (samePos(p, c[c.length - 1]!)) ends++;
    }
    return ends % 2 === 1 ? 'boundary' : 'interior';
  }
  if (segmentsOf(g.chains).some(([a, b]) => onSegment(p, a, b))) return 'boundary';
  return g.polys.some((poly) => insideRing(p, poly[0]!) && !poly.slice(1).some((h) => insideRing(p, h)))
    ? 'interior'
    : 'exterior';
}

/** A point strictly inside a polygon (with holes): the middle of the widest inside run of a scanline. */
function interiorPoint(poly: Ring[]): Pos | undefined {
  const ys = [...new Set(poly.flat().map((p) => p[1]!))].sort((a, b) => a - b);
  let best: { x: number; y: number; w: number } | undefined;
  for (let i = 1; i < ys.length; i++) {
    const y = (ys[i - 1]! + ys[i]!) / 2;
    const xs: number[] = [];
    for (const [a, b] of segmentsOf(poly))
      if (a[1]! > y !== b[1]! > y) xs.push(a[0]! + ((y - a[1]!) * (b[0]! - a[0]!)) / (b[1]! - a[1]!));
    xs.sort((a, b) => a - b);
    for (let j = 1; j < xs.length; j += 2) {
      const w = xs[j]! - xs[j - 1]!;
      if (!best || w > best.w) best = { x: (xs[j]! + xs[j - 1]!) / 2, y, w };
    }
  }
  return best && best.w > 0 ? [best.x, best.y] : undefined;
}

/**
 * Whether every point of `b` lies in `a` (closure), and whether their interiors meet — the two
 * halves of OGC `contains`.
 */
function covers(a: Parts, b: Parts): { covered: boolean; interiorsMeet: boolean } {
  const no = { covered: false, interiorsMeet: false };
  if (b.dim > a.dim) return no;
  if (b.dim === 0) {
    const where = b.points.map((p) => locate(p, a));
    return { covered: !where.includes('exterior'), interiorsMeet: where.includes('interior') };
  }
  if (b.chains.flat().some((p) => locate(p, a) === 'exterior')) return no;
  const mids = pieceMidpoints(b.chains, a.dim === 0 ? [] : a.chains).map((p) => locate(p, a));
  if (mids.includes('exterior')) return no;
  if (b.dim === 1) return { covered: true, interiorsMeet: mids.includes('interior') };
  // Polygons: each of b's polygons must not lie in a hole or outside a, and no ring of a may pass through b.
  for (const poly of b.polys) {
    const inner = interiorPoint(poly);
    if (inner && locate(inner, a) === 'exterior') return no;
  }
  if (pieceMidpoints(a.chains, b.chains).some((p) => locate(p, b) === 'interior')) return no;
  return { covered: true, interiorsMeet: true };
}

function contains(a: Parts, b: Parts): boolean {
  const c = covers(a, b);
  return c.covered && c.interiorsMeet;
}

function intersectsParts(a: Parts, b: Parts): boolean {
  if (!boxesMeet(a, b)) return false;
  if (vertices(a).some((p) => locate(p, b) !== 'exterior')) return true;
  if (vertices(b).some((p) => locate(p, a) !== 'exterior')) return true;
  const sb = segmentsOf(b.chains);
  return segmentsOf(a.chains).some(([p, q]) => sb.some(([r, s]) => meetParams(p, q, r, s).length > 0));
}

function boxesMeet(a: Parts, b: Parts): boolean {
  const [ax0, ay0, ax1, ay1] = boxOf(a);
  const [bx0, by0, bx1, by1] = boxOf(b);
  return ax0 <= bx1 + EPS && bx0 <= ax1 + EPS && ay0 <= by1 + EPS && by0 <= ay1 + EPS;
}

function boxOf(p: Parts): BBox {
  const box: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const v of vertices(p)) {
    box[0] = Math.min(box[0], v[0]!);
    box[1] = Math.min(box[1], v[1]!);
    box[2] = Math.max(box[2], v[0]!);
    box[3] = Math.max(box[3], v[1]!);
  }
  return box;
}

/** OGC overlaps: same dimension, interiors meet in that dimension, and neither covers the other. */
function overlaps(a: Parts, b: Parts): boolean {
  if (a.dim !== b.dim || covers(a, b).covered || covers(b, a).covered) return false;
  if (a.dim === 0) return a.points.some((p) => locate(p, b) === 'interior');
  if (a.dim === 1) return pieceMidpoints(a.chains, b.chains).some((p) => locate(p, b) !== 'exterior');
  const inside = (x: Parts, y: Parts): boolean =>
    vertices(x).some((p) => locate(p, y) === 'interior') ||
    pieceMidpoints(x.chains, y.chains).some((p) => locate(p, y) === 'interior');
  return inside(a, b) || inside(b, a);
}
