/**
 * The map's filter box: by type, by id or name text, by district. Pure, so that the list of visible
 * entities and the map's markers agree.
 */
import type { PointProps } from './features.js';
import { pointInGeometry } from './geo.js';
import type { GeoGeometry } from './entity.js';

export interface EntityFilter {
  /** Types shown (the legend's toggles); empty: none. */
  types: ReadonlySet<string>;
  /** Case-insensitive text in the id or name; '' matches all. */
  text: string;
  /** Only inside this district's polygon; undefined: everywhere. */
  district?: GeoGeometry;
}

/** Whether a point feature passes the filter. */
export function passes(p: PointProps, at: [number, number], f: EntityFilter): boolean {
  if (!f.types.has(p.type)) return false;
  const text = f.text.trim().toLowerCase();
  if (text !== '' && !p.id.toLowerCase().includes(text) && !p.name.toLowerCase().includes(text)) return false;
  if (f.district !== undefined && !pointInGeometry(at, f.district)) return false;
  return true;
}
