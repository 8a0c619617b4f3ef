/**
 * Entities → GeoJSON features for the map: one FeatureCollection per layer group (points of observed
 * entities, districts, roads, buildings), with the colour computed here (the style reads
 * `['get', 'colour']`), so a live update only rewrites data, never the style.
 */
import {
  anchorOf,
  displayName,
  entityType,
  geometryOf,
  type GeoGeometry,
  type NgsiEntity,
} from './entity.js';
import { colourOf } from './indicators.js';

export interface PointProps {
  id: string;
  type: string;
  name: string;
  colour: string;
  label: string;
}

export interface Feature<P> {
  type: 'Feature';
  id?: number;
  geometry: GeoGeometry;
  properties: P;
}

export interface FeatureCollection<P> {
  type: 'FeatureCollection';
  features: Feature<P>[];
}

/** Types drawn as the city's geography rather than as markers. */
export const GEOGRAPHY_TYPES = ['District', 'RoadSegment', 'Building'] as const;

/** The point feature of an observed entity (its location's anchor), undefined without a location. */
export function pointFeature(e: NgsiEntity): Feature<PointProps> | undefined {
  const g = geometryOf(e);
  if (g === undefined) return undefined;
  const at = anchorOf(g);
  if (at === undefined) return undefined;
  const type = entityType(e);
  const { colour, label } = colourOf(type, e);
  return {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: at },
    properties: { id: e.id, type, name: displayName(e), colour, label },
  };
}

/** A geography feature (District, RoadSegment, Building) with the properties the style reads. */
export function geographyFeature(
  e: NgsiEntity,
  props: Record<string, string | number>,
): Feature<Record<string, string | number>> | undefined {
  const g = geometryOf(e);
  if (g === undefined) return undefined;
  return { type: 'Feature', geometry: g, properties: { id: e.id, name: displayName(e), ...props } };
}

/** A FeatureCollection of the given features, skipping the undefined ones. */
export function collection<P>(features: Iterable<Feature<P> | undefined>): FeatureCollection<P> {
  const out: Feature<P>[] = [];
  for (const f of features) if (f !== undefined) out.push(f);
  return { type: 'FeatureCollection', features: out };
}

/** A stable colour for a district by its name (fill by name), from a palette of calm hues. */
export function districtColour(name: string): string {
  const palette = ['#c9d8ef', '#d7e8c9', '#f1dcc0', '#e3cde9', '#cbe6e4', '#efd0d4', '#e6e2bf', '#d2d4ea'];
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return palette[h % palette.length] as string;
}
