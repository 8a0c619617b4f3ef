import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as turf from '@turf/turf';
import type { GeoQuery, Geometry } from './ast.js';
import {
  EARTH_RADIUS_M,
  asGeometry,
  distanceMetres,
  expandBBox,
  geoMatches,
  geometryBBox,
} from './geo-match.js';

const pt = (x: number, y: number): Geometry => ({ type: 'Point', coordinates: [x, y] });
const line = (...c: number[][]): Geometry => ({ type: 'LineString', coordinates: c });
const rect = (x0: number, y0: number, x1: number, y1: number): Extract<Geometry, { type: 'Polygon' }> => ({
  type: 'Polygon',
  coordinates: [
    [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
      [x0, y0],
    ],
  ],
});
const q = (georel: GeoQuery['georel'], geometry: Geometry, extra: Partial<GeoQuery> = {}): GeoQuery => ({
  georel,
  geometry,
  geoproperty: 'https://uri.etsi.org/ngsi-ld/location',
  ...extra,
});

describe('asGeometry', () => {
  it('accepts the six simple types and rejects malformed ones', () => {
    expect(asGeometry(pt(1, 2))).toBeDefined();
    expect(asGeometry(rect(0, 0, 1, 1))).toBeDefined();
    expect(asGeometry({ type: 'MultiPolygon', coordinates: [rect(0, 0, 1, 1).coordinates] })).toBeDefined();
    expect(asGeometry({ type: 'Point', coordinates: [1] })).toBeUndefined();
    expect(asGeometry({ type: 'Point', coordinates: ['1', 2] })).toBeUndefined();
    expect(asGeometry({ type: 'LineString', coordinates: [[0, 0]] })).toBeUndefined();
    expect(
      asGeometry({
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 2],
          ],
        ],
      }),
    ).toBeUndefined();
    expect(asGeometry({ type: 'GeometryCollection', geometries: [] })).toBeUndefined();
    expect(asGeometry('Point')).toBeUndefined();
    expect(asGeometry(null)).toBeUndefined();
  });
});

describe('bounding boxes', () => {
  it('computes the box of a geometry', () => {
    expect(geometryBBox(line([1, 5], [-2, 3], [4, 0]))).toEqual([-2, 0, 4, 5]);
    expect(geometryBBox(pt(7, 8))).toEqual([7, 8, 7, 8]);
  });

  it('expands a box so that every point within the distance stays inside it', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -170, max: 170, noNaN: true }),
        fc.double({ min: -80, max: 80, noNaN: true }),
        fc.double({ min: 1, max: 50_000, noNaN: true }),
        fc.double({ min: 0, max: 360, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (x, y, d, bearing, f) => {
          const target = turf.destination([x, y], (d * f) / 1000, bearing).geometry.coordinates;
          const [x0, y0, x1, y1] = expandBBox([x, y, x, y], d);
          return target[0]! >= x0 && target[0]! <= x1 && target[1]! >= y0 && target[1]! <= y1;
        },
      ),
    );
  });
});

describe('distanceMetres', () => {
  const micro = (min: number, max: number) => fc.integer({ min, max }).map((n) => n / 1e6);
  it('puts (near-)antipodal points half the circumference apart, never NaN', () => {
    // Found by the property below (CI, seed 1583863738): the haversine term rounds to just over 1.
    const d = distanceMetres(pt(179.99999245967533, 84.99999999999991), pt(0, -84.99999999999973));
    expect(d).toBeCloseTo(Math.PI * EARTH_RADIUS_M, -1);
    expect(distanceMetres(pt(180, 0), pt(0, 0))).toBeCloseTo(Math.PI * EARTH_RADIUS_M, 3);
  });

  it('agrees with turf between points', () => {
    fc.assert(
      fc.property(
        fc.tuple(
          fc.double({ min: -180, max: 180, noNaN: true }),
          fc.double({ min: -85, max: 85, noNaN: true }),
        ),
        fc.tuple(
          fc.double({ min: -180, max: 180, noNaN: true }),
          fc.double({ min: -85, max: 85, noNaN: true }),
        ),
        (a, b) => {
          const got = distanceMetres(pt(...a), pt(...b));
          // turf's haversine term rounds past 1 for (near-)antipodal points and yields NaN there;
          // ours clamps it, so such a pair is half the Earth's circumference apart.
          const turfDistance = turf.distance(a, b, { units: 'meters' });
          const expected = Number.isNaN(turfDistance) ? Math.PI * EARTH_RADIUS_M : turfDistance;
          return Math.abs(got - expected) <= 1e-6 * Math.max(1, expected);
        },
      ),
    );
  });

  it('agrees with turf from a point to a line at city scale (within 0.5 %)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(micro(0, 10_000), micro(0, 10_000)), {
          minLength: 2,
          maxLength: 5,
          selector: ([x, y]) => `${x},${y}`,
        }),
        fc.tuple(micro(-5000, 15_000), micro(-5000, 15_000)),
        (coords, p) => {
          const shifted = coords.map(([x, y]) => [x + 2.3, y + 48.8]);
          const point: [number, number] = [p[0] + 2.3, p[1] + 48.8];
          const expected = turf.pointToLineDistance(point, turf.lineString(shifted), { units: 'meters' });
          const got = distanceMetres(pt(...point), line(...shifted));
          // Within a kilometre great-circle and lon/lat-straight segments part by centimetres.
          return Math.abs(got - expected) <= 0.005 * expected + 0.05;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is zero inside a polygon and to the nearest edge outside it', () => {
    expect(distanceMetres(pt(0.5, 0.5), rect(0, 0, 1, 1))).toBe(0);
    const d = distanceMetres(pt(0.5, 1.001), rect(0, 0, 1, 1));
    expect(d).toBeCloseTo(turf.distance([0.5, 1.001], [0.5, 1], { units: 'meters' }), 3);
  });
});

describe('near', () => {
  const ref = pt(2.35, 48.85);
  it('keeps points within maxDistance and beyond minDistance', () => {
    const east100 = turf.destination([2.35, 48.85], 0.1, 90).geometry.coordinates;
    const g = pt(east100[0]!, east100[1]!);
    expect(geoMatches(g, q('near', ref, { maxDistance: 101 }))).toBe(true);
    expect(geoMatches(g, q('near', ref, { maxDistance: 99 }))).toBe(false);
    expect(geoMatches(g, q('near', ref, { minDistance: 99 }))).toBe(true);
    expect(geoMatches(g, q('near', ref, { minDistance: 101 }))).toBe(false);
    expect(geoMatches(g, q('near', ref, { minDistance: 50, maxDistance: 150 }))).toBe(true);
    expect(geoMatches(g, q('near', ref))).toBe(false);
  });

  it('measures to the nearest part of lines and polygons', () => {
    const street = line([2.349, 48.851], [2.351, 48.851]);
    const d = turf.distance([2.35, 48.85], [2.35, 48.851], { units: 'meters' });
    expect(geoMatches(street, q('near', ref, { maxDistance: d + 0.5 }))).toBe(true);
    expect(geoMatches(street, q('near', ref, { maxDistance: d - 0.5 }))).toBe(false);
    expect(geoMatches(rect(2.34, 48.84, 2.36, 48.86), q('near', ref, { maxDistance: 1 }))).toBe(true);
    expect(geoMatches(rect(2.34, 48.84, 2.36, 48.86), q('near', ref, { minDistance: 1 }))).toBe(false);
  });
});

describe('topological relations (OGC)', () => {
  const square = rect(0, 0, 10, 10);
  const withHole: Geometry = {
    type: 'Polygon',
    coordinates: [rect(0, 0, 10, 10).coordinates[0]!, rect(4, 4, 6, 6).coordinates[0]!],
  };

  it('within / contains for points, lines and polygons', () => {
    expect(geoMatches(pt(5, 5), q('within', square))).toBe(true);
    expect(geoMatches(pt(0, 5), q('within', square))).toBe(false); // on the boundary only
    expect(geoMatches(pt(5, 5), q('within', withHole))).toBe(false); // in the hole
    expect(geoMatches(line([1, 1], [9, 9]), q('within', square))).toBe(true);
    expect(geoMatches(line([0, 0], [10, 0]), q('within', square))).toBe(false); // along the boundary
    expect(geoMatches(line([1, 1], [11, 1]), q('within', square))).toBe(false);
    expect(geoMatches(line([1, 1], [9, 9]), q('within', withHole))).toBe(false); // crosses the hole
    expect(geoMatches(rect(1, 1, 3, 3), q('within', square))).toBe(true);
    expect(geoMatches(rect(1, 1, 3, 3), q('within', withHole))).toBe(true);
    expect(geoMatches(rect(3, 3, 7, 7), q('within', withHole))).toBe(false); // covers the hole
    expect(geoMatches(rect(4, 4, 6, 6), q('within', withHole))).toBe(false); // is the hole
    expect(geoMatches(square, q('within', square))).toBe(true);
    expect(geoMatches(square, q('contains', pt(5, 5)))).toBe(true);
    expect(geoMatches(square, q('contains', rect(2, 2, 8, 8)))).toBe(true);
    expect(geoMatches(square, q('contains', rect(2, 2, 18, 8)))).toBe(false);
    expect(geoMatches(line([0, 0], [10, 0]), q('contains', pt(5, 0)))).toBe(true);
    expect(geoMatches(line([0, 0], [10, 0]), q('contains', pt(0, 0)))).toBe(false); // an endpoint is boundary
    expect(geoMatches(line([0, 0], [5, 0], [10, 0]), q('contains', line([2, 0], [8, 0])))).toBe(true);
  });

  it('a concave polygon does not contain what lies in its notch', () => {
    const u: Geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [10, 0],
          [10, 10],
          [7, 10],
          [7, 3],
          [3, 3],
          [3, 10],
          [0, 10],
          [0, 0],
        ],
      ],
    };
    expect(geoMatches(pt(5, 5), q('within', u))).toBe(false);
    expect(geoMatches(line([1, 5], [9, 5]), q('within', u))).toBe(false);
    expect(geoMatches(line([1, 5], [9, 5]), q('intersects', u))).toBe(true);
    expect(geoMatches(rect(4, 4, 6, 6), q('disjoint', u))).toBe(true);
  });

  it('intersects, disjoint, overlaps and equals', () => {
    expect(geoMatches(rect(5, 5, 15, 15), q('intersects', square))).toBe(true);
    expect(geoMatches(rect(10, 0, 20, 10), q('intersects', square))).toBe(true); // shared edge
    expect(geoMatches(rect(11, 0, 20, 10), q('disjoint', square))).toBe(true);
    expect(geoMatches(rect(4.5, 4.5, 5.5, 5.5), q('disjoint', withHole))).toBe(true);
    expect(geoMatches(rect(5, 5, 15, 15), q('overlaps', square))).toBe(true);
    expect(geoMatches(rect(10, 0, 20, 10), q('overlaps', square))).toBe(false); // touching only
    expect(geoMatches(rect(1, 1, 2, 2), q('overlaps', square))).toBe(false); // contained
    expect(geoMatches(line([0, 0], [5, 0]), q('overlaps', line([3, 0], [8, 0])))).toBe(true);
    expect(geoMatches(line([0, 0], [5, 0]), q('overlaps', line([5, 0], [8, 0])))).toBe(false);
    expect(geoMatches(pt(1, 1), q('overlaps', square))).toBe(false); // different dimensions
    const rotated: Geometry = {
      type: 'Polygon',
      coordinates: [
        [
          [10, 0],
          [10, 10],
          [0, 10],
          [0, 0],
          [5, 0],
          [10, 0],
        ],
      ],
    };
    expect(geoMatches(rotated, q('equals', square))).toBe(true);
    expect(geoMatches(rect(0, 0, 10, 11), q('equals', square))).toBe(false);
    expect(geoMatches({ type: 'MultiPoint', coordinates: [[1, 1]] }, q('equals', pt(1, 1)))).toBe(true);
  });

  const coord = fc.integer({ min: 0, max: 20 });
  // Coordinates on a 0.01° grid: exact boundary cases occur, sub-tolerance slivers do not.
  const grid = fc.integer({ min: 0, max: 1000 }).map((n) => n / 100);
  const arbRect = fc
    .tuple(coord, coord, coord, coord)
    .filter(([a, b, c, d]) => a !== c && b !== d)
    .map(([a, b, c, d]) => [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)] as const);

  it('rectangles: within, overlaps, intersects and disjoint agree with interval arithmetic', () => {
    fc.assert(
      fc.property(arbRect, arbRect, (a, b) => {
        const ga = rect(...a);
        const gb = rect(...b);
        const inside = a[0] >= b[0] && a[2] <= b[2] && a[1] >= b[1] && a[3] <= b[3];
        const reverse = b[0] >= a[0] && b[2] <= a[2] && b[1] >= a[1] && b[3] <= a[3];
        const meet = a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
        const interiorsMeet = a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
        expect(geoMatches(ga, q('within', gb))).toBe(inside);
        expect(geoMatches(ga, q('contains', gb))).toBe(reverse);
        expect(geoMatches(ga, q('intersects', gb))).toBe(meet);
        expect(geoMatches(ga, q('disjoint', gb))).toBe(!meet);
        expect(geoMatches(ga, q('overlaps', gb))).toBe(interiorsMeet && !inside && !reverse);
        expect(geoMatches(ga, q('equals', gb))).toBe(inside && reverse);
      }),
    );
  });

  it('intersects agrees with turf on random triangles, lines and points', () => {
    const p = fc.tuple(grid, grid);
    const tri = fc
      .tuple(p, p, p)
      .filter(([a, b, c]) => Math.abs((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])) > 1e-3)
      .map(([a, b, c]): Geometry => ({ type: 'Polygon', coordinates: [[a, b, c, a]] }));
    const ln = fc
      .array(p, { minLength: 2, maxLength: 4 })
      .map((c): Geometry => ({ type: 'LineString', coordinates: c }));
    const anyGeom = fc.oneof(
      tri,
      ln,
      p.map(([x, y]) => pt(x, y)),
    );
    fc.assert(
      fc.property(anyGeom, anyGeom, (a, b) => {
        expect(geoMatches(a, q('intersects', b))).toBe(turf.booleanIntersects(a, b));
      }),
      { numRuns: 300 },
    );
  });

  it('a point is within a polygon exactly when turf says it is strictly inside', () => {
    const p = fc.tuple(grid, grid);
    fc.assert(
      fc.property(fc.array(p, { minLength: 3, maxLength: 7 }), p, (ring, x) => {
        const poly: Geometry = { type: 'Polygon', coordinates: [[...ring, ring[0]!]] };
        const expected = turf.booleanPointInPolygon(x, poly, { ignoreBoundary: true });
        expect(geoMatches(pt(...x), q('within', poly))).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
