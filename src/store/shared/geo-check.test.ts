/** The geoQ checks every store makes before compiling. */
import { describe, expect, it } from 'vitest';
import type { GeoQuery } from '../../core/query/ast.js';
import { checkGeoQuery } from './geo-check.js';

const point = { type: 'Point', coordinates: [2.35, 48.85] } as GeoQuery['geometry'];
const q = (over: Partial<GeoQuery>): GeoQuery => ({
  georel: 'intersects',
  geometry: point,
  geoproperty: 'https://uri.etsi.org/ngsi-ld/location',
  ...over,
});

/** `f` throws a BadRequestData whose message matches. */
const badRequest = (f: () => unknown, message: RegExp): void => {
  expect(f).toThrow(
    expect.objectContaining({ kind: 'BadRequestData', message: expect.stringMatching(message) }),
  );
};

describe('checkGeoQuery', () => {
  it('accepts every relation and returns the validated geometry', () => {
    for (const georel of ['within', 'contains', 'intersects', 'overlaps', 'equals', 'disjoint'] as const) {
      expect(checkGeoQuery(q({ georel }))).toEqual(point);
    }
    expect(checkGeoQuery(q({ georel: 'near', maxDistance: 10 }))).toEqual(point);
    expect(checkGeoQuery(q({ georel: 'near', minDistance: 0 }))).toEqual(point);
  });

  it('refuses malformed queries with a BadRequestData', () => {
    badRequest(() => checkGeoQuery(q({ geometry: { type: 'Point' } as never })), /not a valid GeoJSON/);
    badRequest(() => checkGeoQuery(q({ georel: 'near', maxDistance: -1 })), /non-negative/);
    badRequest(() => checkGeoQuery(q({ georel: 'near', minDistance: Number.NaN })), /non-negative/);
    badRequest(() => checkGeoQuery(q({ georel: 'near' })), /near needs/);
    badRequest(() => checkGeoQuery(q({ georel: 'touches' as never })), /unknown georel/);
    badRequest(() => checkGeoQuery(q({ georel: 'toString' as never })), /unknown georel/);
  });
});
