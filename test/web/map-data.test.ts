import { describe, expect, it } from 'vitest';
import type { NgsiEntity } from '../../web/src/lib/entity.js';
import { passes } from '../../web/src/lib/entity-filter.js';
import { pointFeature } from '../../web/src/lib/features.js';
import { boundsOf, pointInGeometry, verticesOf } from '../../web/src/lib/geo.js';
import { PointIndex } from '../../web/src/lib/point-index.js';

const aq = (n: number, lon: number, lat: number, pm25?: number): NgsiEntity => ({
  id: `urn:ngsi-ld:AirQualityObserved:aq-${n}`,
  type: 'AirQualityObserved',
  ...(pm25 !== undefined ? { pm25: { type: 'Property', value: pm25 } } : {}),
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [lon, lat] } },
});
const square = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 10],
      [0, 0],
    ],
  ],
};
const withHole = {
  type: 'Polygon' as const,
  coordinates: [
    square.coordinates[0],
    [
      [4, 4],
      [6, 4],
      [6, 6],
      [4, 6],
      [4, 4],
    ],
  ],
};

describe('geometry', () => {
  it('point in polygon, holes respected, multipolygons too', () => {
    expect(pointInGeometry([5, 5], square)).toBe(true);
    expect(pointInGeometry([11, 5], square)).toBe(false);
    expect(pointInGeometry([5, 5], withHole)).toBe(false);
    expect(pointInGeometry([2, 2], withHole)).toBe(true);
    expect(
      pointInGeometry([25, 25], {
        type: 'MultiPolygon',
        coordinates: [
          square.coordinates,
          [
            [
              [20, 20],
              [30, 20],
              [30, 30],
              [20, 20],
            ],
          ],
        ],
      }),
    ).toBe(true);
    expect(boundsOf(verticesOf(square))).toEqual([0, 0, 10, 10]);
    expect(boundsOf([])).toBeUndefined();
  });
});

describe('map features and filter', () => {
  it('makes a coloured point feature per located entity', () => {
    expect(pointFeature(aq(1, 1, 2, 30))).toEqual({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [1, 2] },
      properties: {
        id: 'urn:ngsi-ld:AirQualityObserved:aq-1',
        type: 'AirQualityObserved',
        name: 'aq-1',
        colour: '#ff5050',
        label: 'Poor (25–50)',
      },
    });
    expect(pointFeature({ id: 'urn:x', type: 'T' })).toBeUndefined();
  });

  it('filters by type, text in id or name, and district', () => {
    const p = pointFeature(aq(7, 5, 5))!.properties;
    const all = { types: new Set(['AirQualityObserved']), text: '' };
    expect(passes(p, [5, 5], all)).toBe(true);
    expect(passes(p, [5, 5], { ...all, types: new Set() })).toBe(false);
    expect(passes(p, [5, 5], { ...all, text: 'AQ-7' })).toBe(true);
    expect(passes(p, [5, 5], { ...all, text: 'noise' })).toBe(false);
    expect(passes(p, [5, 5], { ...all, district: square })).toBe(true);
    expect(passes(p, [50, 5], { ...all, district: square })).toBe(false);
  });

  it('indexes 10,000 entities and applies a live batch in place', () => {
    const index = new PointIndex();
    index.upsert(
      Array.from({ length: 10_000 }, (_, i) => aq(i, (i % 100) / 10, Math.floor(i / 100) / 10, 5)),
    );
    expect(index.size).toBe(10_000);
    index.apply([
      { kind: 'upsert', id: aq(3, 0, 0).id, value: aq(3, 0.3, 0, 80) },
      { kind: 'delete', id: aq(4, 0, 0).id },
    ]);
    expect(index.size).toBe(9_999);
    const started = performance.now();
    const fc = index.visible({ types: new Set(['AirQualityObserved']), text: '' });
    expect(performance.now() - started).toBeLessThan(200);
    expect(fc.features).toHaveLength(9_999);
    expect(fc.features.find((f) => f.properties.id === aq(3, 0, 0).id)?.properties.label).toBe(
      'Extremely poor (≥ 75)',
    );
    expect(new Set(fc.features.map((f) => f.id)).size).toBe(9_999);
    expect(index.countsByType()).toEqual(new Map([['AirQualityObserved', 9_999]]));
  });
});
