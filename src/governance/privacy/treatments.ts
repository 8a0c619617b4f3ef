/**
 * The privacy treatments as pure functions: coarsening a location to a metric grid or an H3 cell,
 * flooring an instant to a period, and the keyed pseudonym. apply-governance decides where they
 * apply; here is only the arithmetic, so that it can be tested exactly.
 *
 * Coarsened positions lose their altitude: a cell is two-dimensional, and a precise height (a floor
 * of a building) would undo part of the coarsening.
 */
import { createHmac, type KeyObject } from 'node:crypto';
import { cellToLatLng, latLngToCell } from 'h3-js';
import { badRequest } from '../../core/errors.js';
import { isDateTime } from '../../core/entity/validate.js';
import type { Geometry } from '../../core/query/ast.js';

/** Mean Earth radius (IUGG), the sphere H3 and turf also use. */
const EARTH_RADIUS_M = 6_371_008.8;
const DEG = Math.PI / 180;

/**
 * Snap every position of `geometry` to the centre of its cell in a grid of roughly `metres` × `metres`:
 * rows of equal latitude height (pole to pole split into whole rows), and in each row columns of equal
 * longitude width (the row's circumference at its centre latitude split into whole columns). Whole
 * rows and columns make every cell's centre lie inside the cell, so the treatment is idempotent.
 */
export function coarsenGrid(geometry: Geometry, metres: number): Geometry {
  if (!Number.isFinite(metres) || metres <= 0)
    throw new RangeError(`grid size must be positive, got ${metres}`);
  const rows = Math.max(1, Math.floor((Math.PI * EARTH_RADIUS_M) / metres));
  const rowHeight = 180 / rows;
  return mapPositions(geometry, ([lon = 0, lat = 0]) => {
    const row = Math.min(rows - 1, Math.floor((lat + 90) / rowHeight));
    const centreLat = -90 + (row + 0.5) * rowHeight;
    const circumference = 2 * Math.PI * EARTH_RADIUS_M * Math.cos(centreLat * DEG);
    const cols = Math.max(1, Math.floor(circumference / metres));
    const colWidth = 360 / cols;
    // Longitude 180 is the same meridian as -180: it wraps to the first column.
    const col = Math.floor((lon + 180) / colWidth) % cols;
    return [-180 + (col + 0.5) * colWidth, centreLat];
  });
}

/** Replace every position of `geometry` by the centre of its H3 cell at resolution `res` (0..15). */
export function coarsenH3(geometry: Geometry, res: number): Geometry {
  if (!Number.isInteger(res) || res < 0 || res > 15)
    throw new RangeError(`H3 resolution must be 0..15, got ${res}`);
  return mapPositions(geometry, ([lon = 0, lat = 0]) => {
    const [centreLat, centreLon] = cellToLatLng(latLngToCell(lat, lon, res));
    return [centreLon, centreLat];
  });
}

/**
 * Floor the instant `iso` to a multiple of `periodMs` since the Unix epoch (so P1D floors to UTC
 * midnight, PT15M to :00, :15, :30, :45). Returns ISO 8601 UTC with milliseconds. BadRequestData
 * when `iso` is not a date-time.
 */
export function roundTime(iso: string, periodMs: number): string {
  if (!Number.isSafeInteger(periodMs) || periodMs <= 0) {
    throw new RangeError(`period must be a positive number of milliseconds, got ${periodMs}`);
  }
  if (!isDateTime(iso))
    throw badRequest(`cannot round time: ${JSON.stringify(String(iso).slice(0, 64))} is not a date-time`);
  const t = Date.parse(iso);
  return new Date(Math.floor(t / periodMs) * periodMs).toISOString();
}

/**
 * The pseudonym of `value`: HMAC-SHA-256 under `key`, hex, truncated to `length` characters (1..64).
 * Truncation keeps 4 bits per character (16 characters: 64 bits) — collisions stay negligible for a
 * city's plates or MACs, and shorter pseudonyms carry less for anyone trying to link them.
 */
export function hmacPseudonym(key: KeyObject | Buffer, value: string, length: number): string {
  if (!Number.isInteger(length) || length < 1 || length > 64) {
    throw new RangeError(`pseudonym length must be 1..64 hex characters, got ${length}`);
  }
  return createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, length);
}

type Position = number[];

/** `geometry` with every position replaced by `f(position)`. */
function mapPositions(geometry: Geometry, f: (p: Position) => Position): Geometry {
  switch (geometry.type) {
    case 'Point':
      return { type: 'Point', coordinates: f(geometry.coordinates) };
    case 'MultiPoint':
    case 'LineString':
      return { type: geometry.type, coordinates: geometry.coordinates.map(f) };
    case 'MultiLineString':
    case 'Polygon':
      return { type: geometry.type, coordinates: geometry.coordinates.map((line) => line.map(f)) };
    case 'MultiPolygon':
      return {
        type: 'MultiPolygon',
        coordinates: geometry.coordinates.map((polygon) => polygon.map((ring) => ring.map(f))),
      };
  }
}
