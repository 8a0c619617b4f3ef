import { describe, expect, it } from 'vitest';
import { NgsiError } from '../errors.js';
import { countPositions, validateGeometry } from './geometry.js';

function failure(value: unknown): NgsiError {
  try {
    validateGeometry(value);
  } catch (e) {
    if (e instanceof NgsiError) return e;
    throw e;
  }
  throw new Error(`validateGeometry(${JSON.stringify(value)}) did not fail`);
}

const square = [
  [100, 0],
  [101, 0],
  [101, 1],
  [100, 1],
  [100, 0],
];

describe('validateGeometry — RFC 7946', () => {
  it('accepts each geometry type and returns a clean copy', () => {
    const point = { type: 'Point', coordinates: [8, 40], bbox: [0, 0, 1, 1] };
    const out = validateGeometry(point);
    expect(out).toEqual({ type: 'Point', coordinates: [8, 40] });
    expect(out.coordinates).not.toBe(point.coordinates);
    expect(validateGeometry({ type: 'Point', coordinates: [8, 40, 120.5] }).coordinates).toEqual([
      8, 40, 120.5,
    ]);
    expect(validateGeometry({ type: 'MultiPoint', coordinates: [[1, 2]] }).type).toBe('MultiPoint');
    expect(
      validateGeometry({
        type: 'LineString',
        coordinates: [
          [0, 60],
          [10, 60],
        ],
      }).type,
    ).toBe('LineString');
    expect(
      validateGeometry({
        type: 'MultiLineString',
        coordinates: [
          [
            [0, 0],
            [1, 1],
          ],
        ],
      }).type,
    ).toBe('MultiLineString');
    expect(validateGeometry({ type: 'Polygon', coordinates: [square] }).coordinates).toEqual([square]);
    expect(validateGeometry({ type: 'MultiPolygon', coordinates: [[square], [square]] }).type).toBe(
      'MultiPolygon',
    );
    expect(validateGeometry({ type: 'Point', coordinates: [-180, -90] }).coordinates).toEqual([-180, -90]);
  });

  it.each([
    [null, 'GeoJSON object'],
    [[8, 40], 'GeoJSON object'],
    [{ type: 'Point' }, 'no coordinates'],
    [{ type: 'Circle', coordinates: [1, 2] }, 'must be one of'],
    [{ type: 'point', coordinates: [1, 2] }, 'must be one of'],
    [{ type: 'GeometryCollection', coordinates: [] }, 'not supported'],
    [{ type: 'Point', coordinates: [1] }, 'must be a position'],
    [{ type: 'Point', coordinates: [1, 2, 3, 4] }, 'must be a position'],
    [{ type: 'Point', coordinates: ['1', 2] }, 'coordinates[0] must be a finite number'],
    [{ type: 'Point', coordinates: [1, null] }, 'coordinates[1] must be a finite number'],
    [{ type: 'Point', coordinates: [181, 0] }, 'longitude 181'],
    [{ type: 'Point', coordinates: [0, -90.5] }, 'latitude -90.5'],
    [{ type: 'Point', coordinates: [[1, 2]] }, 'must be a position'],
    [{ type: 'MultiPoint', coordinates: [] }, 'at least 1 element'],
    [{ type: 'LineString', coordinates: [[1, 2]] }, 'at least 2 elements'],
    [{ type: 'LineString', coordinates: [1, 2] }, 'coordinates[0] must be a position'],
    [
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [0, 0],
          ],
        ],
      },
      'at least 4 elements',
    ],
    [
      {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 1],
          ],
        ],
      },
      'end where it starts',
    ],
    [{ type: 'Polygon', coordinates: [] }, 'at least 1 element'],
    [
      {
        type: 'MultiPolygon',
        coordinates: [
          [
            [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 1],
            ],
          ],
        ],
      },
      'coordinates[0][0]',
    ],
    [{ type: 'Polygon', coordinates: 'x' }, 'must be an array'],
  ])('refuses %j', (value, message) => {
    const e = failure(value);
    expect(e.kind).toBe('BadRequestData');
    expect(e.detail).toContain(message);
  });

  it('walks only as deep as the type needs, whatever the nesting', () => {
    let deep: unknown = [8, 40];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(failure({ type: 'MultiPolygon', coordinates: deep }).kind).toBe('BadRequestData');
  });

  it('countPositions', () => {
    expect(countPositions({ type: 'Point', coordinates: [1, 2] })).toBe(1);
    expect(countPositions({ type: 'Polygon', coordinates: [square, square] })).toBe(10);
    expect(countPositions({ type: 'MultiPolygon', coordinates: [[square], [square, square]] })).toBe(15);
  });
});
