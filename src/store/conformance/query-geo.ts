/** Conformance: geoQ (NGSI-LD 4.10) on points, lines and polygons, near with min/max distance, every georel. */
import { describe, expect, it } from 'vitest';
import type { Entity } from '../../core/model/entity.js';
import type { GeoQuery, Geometry } from '../../core/query/ast.js';
import {
  entity,
  geo,
  ids,
  inst,
  iri,
  LOCATION,
  prop,
  rejectsWith,
  seededStore,
  type MakeStore,
} from './fixtures.js';

const point = (x: number, y: number): Geometry => ({ type: 'Point', coordinates: [x, y] });
const box = (x0: number, y0: number, x1: number, y1: number): Geometry => ({
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
/** ~111 m per 0.001° of latitude. */
const FIXTURES: Entity[] = [
  entity('urn:g:p0', 'Spot', { [LOCATION]: geo(point(2.35, 48.85)) }),
  entity('urn:g:p1', 'Spot', { [LOCATION]: geo(point(2.35, 48.851)) }), // ~111 m north
  entity('urn:g:p2', 'Spot', { [LOCATION]: geo(point(2.35, 48.86)) }), // ~1.1 km north
  entity('urn:g:line', 'Road', {
    [LOCATION]: geo({
      type: 'LineString',
      coordinates: [
        [2.34, 48.855],
        [2.36, 48.855],
      ],
    }),
  }), // ~556 m north
  entity('urn:g:park', 'Park', { [LOCATION]: geo(box(2.345, 48.845, 2.355, 48.8525)) }),
  entity('urn:g:far', 'Spot', { [LOCATION]: geo(point(-73.98, 40.75)) }),
  entity('urn:g:none', 'Spot', { name: prop('no location') }),
  entity('urn:g:multi', 'Zone', {
    // Two instances: only the second is near the reference point.
    [LOCATION]: [
      inst('GeoProperty', point(10, 10)),
      inst('GeoProperty', point(2.3501, 48.8501), { datasetId: 'urn:ds:b' }),
    ],
    observationSpace: geo(box(0, 0, 1, 1)),
  }),
];

const near = (maxDistance?: number, minDistance?: number): GeoQuery => ({
  georel: 'near',
  geometry: point(2.35, 48.85),
  geoproperty: LOCATION,
  ...(maxDistance === undefined ? {} : { maxDistance }),
  ...(minDistance === undefined ? {} : { minDistance }),
});
const rel = (georel: GeoQuery['georel'], geometry: Geometry, geoproperty: string = LOCATION): GeoQuery => ({
  georel,
  geometry,
  geoproperty,
});

/** Register the geo tests for a store factory. */
export function describeQueryGeo(makeStore: MakeStore): void {
  describe('query: geoQ', () => {
    const store = seededStore(makeStore, FIXTURES);
    const g = (geoQ: GeoQuery, extra = {}) => ids(store(), { geoQ, ...extra });

    it('near with maxDistance, on points, lines and polygons, any instance', async () => {
      expect(await g(near(50))).toEqual(['urn:g:multi', 'urn:g:p0', 'urn:g:park']);
      expect(await g(near(200))).toEqual(['urn:g:multi', 'urn:g:p0', 'urn:g:p1', 'urn:g:park']);
      expect(await g(near(600))).toEqual(['urn:g:line', 'urn:g:multi', 'urn:g:p0', 'urn:g:p1', 'urn:g:park']);
      expect(await g(near(2000), { type: { kind: 'type', name: iri('Spot') } })).toEqual([
        'urn:g:p0',
        'urn:g:p1',
        'urn:g:p2',
      ]);
    });

    it('near with minDistance, and with both', async () => {
      expect(await g(near(undefined, 200))).toEqual(['urn:g:far', 'urn:g:line', 'urn:g:multi', 'urn:g:p2']);
      expect(await g(near(2000, 200))).toEqual(['urn:g:line', 'urn:g:p2']);
    });

    it('within, contains, intersects, overlaps, disjoint, equals', async () => {
      const area = box(2.33, 48.84, 2.37, 48.858);
      expect(await g(rel('within', area))).toEqual([
        'urn:g:line',
        'urn:g:multi',
        'urn:g:p0',
        'urn:g:p1',
        'urn:g:park',
      ]);
      expect(await g(rel('within', box(2.349, 48.849, 2.351, 48.8505)))).toEqual(['urn:g:multi', 'urn:g:p0']);
      expect(await g(rel('contains', point(2.35, 48.85)))).toEqual(['urn:g:p0', 'urn:g:park']);
      expect(await g(rel('contains', box(2.346, 48.846, 2.347, 48.847)))).toEqual(['urn:g:park']);
      expect(
        await g(
          rel('intersects', {
            type: 'LineString',
            coordinates: [
              [2.35, 48.8],
              [2.35, 48.853],
            ],
          }),
        ),
      ).toEqual(['urn:g:p0', 'urn:g:p1', 'urn:g:park']);
      expect(await g(rel('overlaps', box(2.35, 48.85, 2.36, 48.86)))).toEqual(['urn:g:park']);
      expect(await g(rel('disjoint', area))).toEqual(['urn:g:far', 'urn:g:multi', 'urn:g:p2']);
      expect(await g(rel('equals', point(2.35, 48.851)))).toEqual(['urn:g:p1']);
      expect(await g(rel('equals', box(2.345, 48.845, 2.355, 48.8525)))).toEqual(['urn:g:park']);
    });

    it('tests the GeoProperty the query names', async () => {
      expect(await g(rel('within', box(-1, -1, 2, 2), iri('observationSpace')))).toEqual(['urn:g:multi']);
      expect(
        await g(rel('intersects', box(-1, -1, 2, 2), 'https://uri.etsi.org/ngsi-ld/observationSpace')),
      ).toEqual([]);
    });

    it('counts and pages geo results', async () => {
      const r = await store().queryEntities('', { geoQ: near(600), limit: 2, offset: 1, count: true });
      expect(r.count).toBe(5);
      expect(r.entities.map((e) => e.id)).toEqual(['urn:g:multi', 'urn:g:p0']);
    });

    it('rejects an invalid geometry or distance with BadRequestData', async () => {
      const bad = (geoQ: GeoQuery) =>
        rejectsWith(store().queryEntities('', { geoQ, limit: 1, offset: 0, count: false }));
      expect(
        await bad(
          rel('within', {
            type: 'Polygon',
            coordinates: [
              [
                [0, 0],
                [1, 1],
              ],
            ],
          }),
        ),
      ).toBe('BadRequestData');
      expect(await bad({ ...near(), georel: 'near' })).toBe('BadRequestData');
      expect(await bad(near(-5))).toBe('BadRequestData');
    });
  });
}
