import { describe, expect, it } from 'vitest';
import { NgsiError } from '../errors.js';
import { isGeoQueryRequested, parseGeoQ, parseGeoQuery, parseGeorel } from './geo-query.js';

function failure(f: () => unknown): NgsiError {
  try {
    f();
  } catch (e) {
    if (e instanceof NgsiError) return e;
    throw e;
  }
  throw new Error('did not fail');
}

describe('parseGeoQuery — clause 4.10', () => {
  it('EXAMPLE 1: near;maxDistance with a geoproperty', () => {
    expect(
      parseGeoQuery({
        georel: 'near;maxDistance==2000',
        geometry: 'Point',
        coordinates: '[8,40]',
        geoproperty: 'observationSpace',
      }),
    ).toEqual({
      georel: 'near',
      maxDistance: 2000,
      geometry: { type: 'Point', coordinates: [8, 40] },
      geoproperty: 'observationSpace',
    });
  });

  it('EXAMPLE 2: within a polygon; geoproperty defaults to location', () => {
    const g = parseGeoQuery({
      georel: 'within',
      geometry: 'Polygon',
      coordinates: '[[[100.0,0.0],[101.0,0.0],[101.0,1.0],[100.0,1.0],[100.0,0.0]]]',
    });
    expect(g.georel).toBe('within');
    expect(g.geoproperty).toBe('location');
    expect(g.geometry.type).toBe('Polygon');
    expect(g).not.toHaveProperty('maxDistance');
  });

  it('near;minDistance, fractional distances and exponents', () => {
    expect(parseGeorel('near;minDistance==10')).toEqual({ georel: 'near', minDistance: 10 });
    expect(parseGeorel('near;maxDistance==0.5')).toEqual({ georel: 'near', maxDistance: 0.5 });
    expect(parseGeorel('near;maxDistance==2e3')).toEqual({ georel: 'near', maxDistance: 2000 });
  });

  it('every relation of the grammar', () => {
    for (const rel of ['within', 'contains', 'intersects', 'overlaps', 'disjoint', 'equals']) {
      expect(parseGeorel(rel)).toEqual({ georel: rel });
    }
  });

  it.each([
    'near;maxDistance==0',
    'near;maxDistance==-100',
    'near;maxDistance==5;minDistance==1',
    'near',
    'touches',
    'near;maxDistance==inf',
    'near;maxDistance==1e400',
    'near;maxDistance==0e5',
    'near;maxDistance=100',
    'near;distance==100',
    'within;maxDistance==5',
    'near;maxDistance==007',
    ' within',
  ])('refuses georel %j (019_30)', (georel) => {
    expect(failure(() => parseGeorel(georel)).kind).toBe('BadRequestData');
  });

  it('coordinates as a JSON text or an array (POST body); geometry case-insensitive', () => {
    const body = parseGeoQ({
      georel: 'intersects',
      geometry: 'LineString',
      coordinates: [
        [0, 60],
        [10, 60],
      ],
    });
    expect(body.geometry).toEqual({
      type: 'LineString',
      coordinates: [
        [0, 60],
        [10, 60],
      ],
    });
    expect(parseGeoQuery({ georel: 'equals', geometry: 'point', coordinates: '[1,2]' }).geometry.type).toBe(
      'Point',
    );
  });

  it.each([
    [{ geometry: 'Point', coordinates: '[8,40]' }, 'georel is missing'],
    [{ georel: 'within', coordinates: '[8,40]' }, 'geometry is missing'],
    [{ georel: 'within', geometry: 'Point' }, 'coordinates is missing'],
    [{ georel: 'within', geometry: 'Point', coordinates: '8,40' }, 'JSON array'],
    [{ georel: 'within', geometry: 'Point', coordinates: '[8,' }, 'JSON array'],
    [{ georel: 'within', geometry: 'Point', coordinates: '[200,40]' }, 'longitude'],
    [{ georel: 'within', geometry: 'GeometryCollection', coordinates: '[]' }, 'not one of'],
    [{ georel: 'within', geometry: 3, coordinates: '[8,40]' }, 'geometry must be a string'],
    [{ georel: 7, geometry: 'Point', coordinates: '[8,40]' }, 'georel must be a string'],
    [{ georel: 'within', geometry: 'Point', coordinates: '[8,40]', geoproperty: '' }, 'geoproperty'],
    [{ georel: 'within', geometry: 'Point', coordinates: '[8,40]', geoproperty: 'a b' }, 'geoproperty'],
  ])('refuses %j', (parts, message) => {
    const e = failure(() => parseGeoQuery(parts));
    expect(e.kind).toBe('BadRequestData');
    expect(e.detail).toContain(message);
  });

  it('a geoQ body must be an object', () => {
    expect(failure(() => parseGeoQ('near')).kind).toBe('BadRequestData');
    expect(failure(() => parseGeoQ(null)).kind).toBe('BadRequestData');
  });

  it('a too large query geometry is TooComplexQuery', () => {
    const ring = Array.from({ length: 100_001 }, (_, i) => [(i % 100) / 10, 0]);
    ring[ring.length - 1] = ring[0] as number[];
    const e = failure(() => parseGeoQuery({ georel: 'within', geometry: 'Polygon', coordinates: [ring] }));
    expect(e.kind).toBe('TooComplexQuery');
  });

  it('isGeoQueryRequested', () => {
    expect(isGeoQueryRequested({})).toBe(false);
    expect(isGeoQueryRequested({ geoproperty: 'location' })).toBe(false);
    expect(isGeoQueryRequested({ georel: 'within' })).toBe(true);
  });
});
