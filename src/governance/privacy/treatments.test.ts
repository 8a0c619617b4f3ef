// The treatments' arithmetic: grid and H3 coarsening land on cell centres, are idempotent and move a
// position by at most a cell; rounding floors to the period; the pseudonym is HMAC-SHA-256 as
// node:crypto computes it, truncated, and depends on the key.
import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { cellToLatLng, greatCircleDistance, latLngToCell, UNITS } from 'h3-js';
import { describe, expect, it } from 'vitest';
import { NgsiError } from '../../core/errors.js';
import type { Geometry } from '../../core/query/ast.js';
import { coarsenGrid, coarsenH3, hmacPseudonym, roundTime } from './treatments.js';

const PARIS: Geometry = { type: 'Point', coordinates: [2.3522, 48.8566] };
const lonLat = fc.tuple(
  fc.double({ min: -180, max: 180, noNaN: true }),
  fc.double({ min: -89.9, max: 89.9, noNaN: true }),
);

/** Great-circle distance in metres between two [lon, lat] positions. */
function metres(a: number[], b: number[]): number {
  return greatCircleDistance([a[1] ?? 0, a[0] ?? 0], [b[1] ?? 0, b[0] ?? 0], UNITS.m);
}

function point(g: Geometry): number[] {
  if (g.type !== 'Point') throw new Error('not a point');
  return g.coordinates;
}

describe('coarsenGrid', () => {
  it('moves a point to the centre of its cell, less than a cell diagonal away', () => {
    const out = point(coarsenGrid(PARIS, 100));
    expect(out).not.toEqual(PARIS.coordinates);
    expect(metres(out, PARIS.coordinates as number[])).toBeLessThan(100 * Math.SQRT2);
  });

  it('gives nearby positions in one cell the same centre, and a position 2 km away another', () => {
    const a = point(coarsenGrid(PARIS, 1000));
    const b = point(coarsenGrid({ type: 'Point', coordinates: [2.3524, 48.8567] }, 1000));
    expect(b).toEqual(a);
    const far = point(coarsenGrid({ type: 'Point', coordinates: [2.3522, 48.8766] }, 1000));
    expect(far).not.toEqual(a);
    // Cells are about 1 km: adjacent centres in a column are about 1 km apart.
    expect(metres(far, a)).toBeGreaterThan(900);
    expect(metres(far, a)).toBeLessThan(2100);
  });

  it('is idempotent and within a cell diagonal, anywhere on Earth (property)', () => {
    fc.assert(
      fc.property(lonLat, fc.integer({ min: 1, max: 100_000 }), ([lon, lat], size) => {
        const once = coarsenGrid({ type: 'Point', coordinates: [lon, lat] }, size);
        expect(coarsenGrid(once, size)).toEqual(once);
        const [clon = NaN, clat = NaN] = point(once);
        expect(clat).toBeGreaterThanOrEqual(-90);
        expect(clat).toBeLessThanOrEqual(90);
        expect(clon).toBeGreaterThanOrEqual(-180);
        expect(clon).toBeLessThanOrEqual(180);
        // Near the poles a row is one wide cell; elsewhere a cell is about size × size.
        if (Math.abs(clat) < 80) expect(metres([clon, clat], [lon, lat])).toBeLessThan(size * 1.5 + 1);
      }),
    );
  });

  it('snaps every position of other geometries, and drops altitude', () => {
    const line: Geometry = {
      type: 'LineString',
      coordinates: [
        [2.35, 48.85, 35],
        [2.36, 48.86, 40],
      ],
    };
    const out = coarsenGrid(line, 100);
    expect(out).toEqual({
      type: 'LineString',
      coordinates: line.coordinates.map((p) => point(coarsenGrid({ type: 'Point', coordinates: p }, 100))),
    });
    expect((out.coordinates as number[][]).every((p) => p.length === 2)).toBe(true);
    const polygon: Geometry = {
      type: 'MultiPolygon',
      coordinates: [
        [
          [
            [2.35, 48.85],
            [2.36, 48.85],
            [2.36, 48.86],
            [2.35, 48.85],
          ],
        ],
      ],
    };
    const snapped = coarsenGrid(polygon, 1000);
    expect(snapped.type).toBe('MultiPolygon');
    expect(coarsenGrid(snapped, 1000)).toEqual(snapped);
  });

  it('wraps longitude 180 to the antimeridian cell of -180', () => {
    expect(coarsenGrid({ type: 'Point', coordinates: [180, 0] }, 1000)).toEqual(
      coarsenGrid({ type: 'Point', coordinates: [-180, 0] }, 1000),
    );
  });
});

describe('coarsenH3', () => {
  it('replaces a point by its cell centre', () => {
    const cell = latLngToCell(48.8566, 2.3522, 9);
    const [lat, lon] = cellToLatLng(cell);
    expect(coarsenH3(PARIS, 9)).toEqual({ type: 'Point', coordinates: [lon, lat] });
  });

  it('is idempotent, keeps the cell and stays within the cell (property)', () => {
    fc.assert(
      fc.property(lonLat, fc.integer({ min: 0, max: 15 }), ([lon, lat], res) => {
        const once = coarsenH3({ type: 'Point', coordinates: [lon, lat] }, res);
        expect(coarsenH3(once, res)).toEqual(once);
        const [clon = NaN, clat = NaN] = point(once);
        expect(latLngToCell(clat, clon, res)).toBe(latLngToCell(lat, lon, res));
      }),
    );
  });

  it('snaps every vertex of a polygon', () => {
    const ring = [
      [2.35, 48.85],
      [2.37, 48.85],
      [2.37, 48.87],
      [2.35, 48.85],
    ];
    const out = coarsenH3({ type: 'Polygon', coordinates: [ring] }, 7);
    expect(out).toEqual({
      type: 'Polygon',
      coordinates: [
        ring.map(([lon = 0, lat = 0]) => {
          const [a, b] = cellToLatLng(latLngToCell(lat, lon, 7));
          return [b, a];
        }),
      ],
    });
  });

  it('refuses a resolution outside 0..15', () => {
    expect(() => coarsenH3(PARIS, 16)).toThrow(RangeError);
  });
});

describe('roundTime', () => {
  it('floors to the period since the epoch', () => {
    expect(roundTime('2025-03-01T10:22:59.999Z', 15 * 60_000)).toBe('2025-03-01T10:15:00.000Z');
    expect(roundTime('2025-03-01T10:15:00Z', 15 * 60_000)).toBe('2025-03-01T10:15:00.000Z');
    expect(roundTime('2025-03-01T23:59:59+02:00', 86_400_000)).toBe('2025-03-01T00:00:00.000Z');
    expect(roundTime('1969-12-31T23:59:30Z', 60_000)).toBe('1969-12-31T23:59:00.000Z');
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 86_400_000 }),
        (d, period) => {
          const once = roundTime(d.toISOString(), period);
          expect(roundTime(once, period)).toBe(once);
          expect(Date.parse(once)).toBeLessThanOrEqual(d.getTime());
          expect(d.getTime() - Date.parse(once)).toBeLessThan(period);
        },
      ),
    );
  });

  it('refuses what is not a date-time', () => {
    expect(() => roundTime('yesterday', 1000)).toThrow(NgsiError);
    expect(() => roundTime('2025-03-01', 1000)).toThrow(/not a date-time/);
  });
});

describe('hmacPseudonym', () => {
  const key = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');

  it('is HMAC-SHA-256 in hex, truncated', () => {
    const full = createHmac('sha256', key).update('AB-123-CD', 'utf8').digest('hex');
    expect(hmacPseudonym(key, 'AB-123-CD', 64)).toBe(full);
    expect(hmacPseudonym(key, 'AB-123-CD', 16)).toBe(full.slice(0, 16));
    expect(hmacPseudonym(key, 'AB-123-CD', 8)).toMatch(/^[0-9a-f]{8}$/);
  });

  it('matches the RFC 4231 test case 2 vector', () => {
    expect(hmacPseudonym(Buffer.from('Jefe'), 'what do ya want for nothing?', 64)).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('is stable under one key and differs under another', () => {
    const other = randomBytes(32);
    expect(hmacPseudonym(key, '00:1a:2b:3c:4d:5e', 16)).toBe(hmacPseudonym(key, '00:1a:2b:3c:4d:5e', 16));
    expect(hmacPseudonym(other, '00:1a:2b:3c:4d:5e', 16)).not.toBe(
      hmacPseudonym(key, '00:1a:2b:3c:4d:5e', 16),
    );
    expect(hmacPseudonym(key, '00:1a:2b:3c:4d:5f', 16)).not.toBe(hmacPseudonym(key, '00:1a:2b:3c:4d:5e', 16));
  });

  it('refuses a length outside 1..64', () => {
    expect(() => hmacPseudonym(key, 'x', 0)).toThrow(RangeError);
    expect(() => hmacPseudonym(key, 'x', 65)).toThrow(RangeError);
  });
});
