/**
 * Reading NGSI-LD entities as the dashboard receives them (normalized, compacted with the Link
 * context; concise and keyValues members tolerated): the value, unit, observation time and kind of
 * each attribute, without caring which representation the server chose.
 */

/** An entity as JSON: `id`, `type` and attributes (normalized or concise). */
export interface NgsiEntity {
  id: string;
  type: string | string[];
  [member: string]: unknown;
}

export type AttrKind = 'Property' | 'Relationship' | 'GeoProperty' | 'LanguageProperty' | 'Other';

/** One attribute, flattened. */
export interface AttrView {
  name: string;
  kind: AttrKind;
  /** The value (Property), target (Relationship) or geometry (GeoProperty). */
  value: unknown;
  unitCode?: string;
  observedAt?: string;
}

/** Members that are not attributes. */
const NOT_ATTRS = new Set(['id', 'type', '@context', 'scope', 'createdAt', 'modifiedAt', 'deletedAt']);

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** The entity's type, the first when it has several. */
export function entityType(e: Pick<NgsiEntity, 'type'>): string {
  return Array.isArray(e.type) ? String(e.type[0] ?? '') : e.type;
}

/** Flatten one attribute member (the first instance of a multi-attribute). */
export function attrView(name: string, raw: unknown): AttrView {
  const one = Array.isArray(raw) && raw.length > 0 && isObject(raw[0]) ? raw[0] : raw;
  if (!isObject(one)) return { name, kind: 'Property', value: one };
  const declared = typeof one.type === 'string' ? one.type : undefined;
  let kind: AttrKind;
  let value: unknown;
  if (declared === 'Relationship' || ('object' in one && !('value' in one))) {
    kind = 'Relationship';
    value = one.object;
  } else if (declared === 'GeoProperty' || (!('value' in one) && isGeometry(one))) {
    kind = 'GeoProperty';
    value = 'value' in one ? one.value : one;
  } else if (declared === 'LanguageProperty' || 'languageMap' in one) {
    kind = 'LanguageProperty';
    value = one.languageMap;
  } else if ('value' in one) {
    kind = declared === 'Property' || declared === undefined ? 'Property' : 'Other';
    value = one.value;
  } else {
    // keyValues: an object value with no NGSI-LD members.
    return { name, kind: 'Property', value: one };
  }
  const view: AttrView = { name, kind, value };
  if (typeof one.unitCode === 'string') view.unitCode = one.unitCode;
  if (typeof one.observedAt === 'string') view.observedAt = one.observedAt;
  return view;
}

function isGeometry(o: Record<string, unknown>): boolean {
  return typeof o.type === 'string' && Array.isArray(o.coordinates);
}

/** Every attribute of `e`, sorted by name. */
export function attributes(e: NgsiEntity): AttrView[] {
  return Object.keys(e)
    .filter((k) => !NOT_ATTRS.has(k))
    .sort()
    .map((k) => attrView(k, e[k]));
}

/** The value of attribute `name`, undefined when absent. */
export function valueOf(e: NgsiEntity, name: string): unknown {
  return name in e ? attrView(name, e[name]).value : undefined;
}

/** A number-valued attribute, undefined when absent or not a number. */
export function numberOf(e: NgsiEntity, name: string): number | undefined {
  const v = valueOf(e, name);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** A string-valued attribute (or a Relationship's target). */
export function stringOf(e: NgsiEntity, name: string): string | undefined {
  const v = valueOf(e, name);
  return typeof v === 'string' ? v : undefined;
}

/** The most recent observedAt of any attribute: when the entity last heard from the field. */
export function lastObserved(e: NgsiEntity): string | undefined {
  let best: string | undefined;
  for (const a of attributes(e)) {
    if (a.observedAt !== undefined && (best === undefined || a.observedAt > best)) best = a.observedAt;
  }
  return best;
}

/** A GeoJSON geometry from `location`, undefined when absent or malformed. */
export function geometryOf(e: NgsiEntity, property = 'location'): GeoGeometry | undefined {
  const v = valueOf(e, property);
  if (!isObject(v) || typeof v.type !== 'string' || !Array.isArray(v.coordinates)) return undefined;
  return v as unknown as GeoGeometry;
}

/** The GeoJSON geometries Urbis stores (a subset of RFC 7946, enough for the map). */
export interface GeoGeometry {
  type: 'Point' | 'LineString' | 'Polygon' | 'MultiPoint' | 'MultiLineString' | 'MultiPolygon';
  coordinates: unknown[];
}

/** A representative point of a geometry (the first vertex): where a marker goes. */
export function anchorOf(g: GeoGeometry): [number, number] | undefined {
  let c: unknown = g.coordinates;
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[0];
  if (Array.isArray(c) && typeof c[0] === 'number' && typeof c[1] === 'number') return [c[0], c[1]];
  return undefined;
}

/** A name to show: `name`, else the last part of the id. */
export function displayName(e: NgsiEntity): string {
  const name = stringOf(e, 'name');
  if (name !== undefined && name !== '') return name;
  const parts = e.id.split(':');
  return parts[parts.length - 1] ?? e.id;
}
