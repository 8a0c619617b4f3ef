/**
 * The one check every codec applies to a position it decodes: a latitude beyond ±90° or a
 * longitude beyond ±180° is a broken device or a broken payload, and letting it through would
 * only fail later, far from its cause (in a GeoProperty or a spatial index).
 */
import { CodecError } from './codec-error.js';
import type { Position } from './model.js';

/** `position` itself if it lies on the globe; a CodecError('bad-position') naming `field` otherwise. */
export function checkPosition(field: string, position: Position): Position {
  const { lat, lon, alt } = position;
  const onGlobe = Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
  if (!onGlobe || (alt !== undefined && !Number.isFinite(alt))) {
    throw new CodecError('bad-position', `${field}: position (${lat}, ${lon}) is not on the globe`);
  }
  return position;
}
