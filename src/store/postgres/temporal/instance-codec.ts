/**
 * The row form of one attribute instance in `temporal_instances` (migration 0004): the value split
 * by JSON type into `num` / `str` / `json`, the attribute type as a small code (the order of
 * core's ATTRIBUTE_TYPES, as the SQLite store codes it), unitCode inline, objectType and
 * sub-attributes as compact JSON only when present. Sub-attributes are kept without their own
 * createdAt/modifiedAt: the instance's timestamps date them. Instance ids are
 * `urn:ngsi-ld:attribute:instance:<iid>`, the spelling of the SQLite store.
 */
import { ATTRIBUTE_TYPES, type Attribute, type AttributeType } from '../../../core/model/entity.js';
import type { StoredInstance } from '../../../core/temporal/model.js';
import { msOf } from './params.js';

/** Attribute types by code. */
export const KINDS: readonly AttributeType[] = ATTRIBUTE_TYPES;
const KIND_CODE = new Map(KINDS.map((k, i) => [k, i]));

/** The code of an attribute type (unknown types are stored as Property). */
export const kindCode = (type: AttributeType): number => KIND_CODE.get(type) ?? 0;

/** The attribute type of a code. */
export const kindOf = (code: number): AttributeType => KINDS[code] ?? 'Property';

/** Prefix of every instanceId the store hands out. */
export const INSTANCE_PREFIX = 'urn:ngsi-ld:attribute:instance:';

/** The instanceId of row `iid`. */
export const instanceId = (iid: number | string): string => `${INSTANCE_PREFIX}${iid}`;

/** The row id of an instanceId (as decimal text for a bigint parameter), or undefined when it is not one of ours. */
export function parseInstanceId(id: string): string | undefined {
  if (typeof id !== 'string' || !id.startsWith(INSTANCE_PREFIX)) return undefined;
  const digits = id.slice(INSTANCE_PREFIX.length);
  // At most 18 digits: always inside a bigint.
  return /^[1-9][0-9]{0,17}$/.test(digits) ? digits : undefined;
}

/** Epoch ms of an ISO instant, or undefined when absent or unparsable. */
export function toMs(iso: string | undefined): number | undefined {
  if (typeof iso !== 'string') return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The value columns of a row. */
export interface ValueColumns {
  num: number | null;
  str: string | null;
  json: string | null;
}

/** Split a value by JSON type; undefined is stored as null. */
export function encodeValue(value: unknown): ValueColumns {
  if (typeof value === 'number' && Number.isFinite(value)) return { num: value, str: null, json: null };
  if (typeof value === 'string') return { num: null, str: value, json: null };
  return { num: null, str: null, json: JSON.stringify(value ?? null) };
}

/** The value of a row's value columns. */
export function decodeValue(num: number | null, str: string | null, json: string | null): unknown {
  if (num !== null) return num;
  if (str !== null) return str;
  return json === null ? null : (JSON.parse(json) as unknown);
}

/** Compact JSON of objectType and sub-attributes, or null when the instance has neither. */
export function encodeExtra(a: Pick<Attribute, 'objectType' | 'sub'>): string | null {
  const hasSub = a.sub !== undefined && a.sub !== null && Object.keys(a.sub).length > 0;
  if (a.objectType === undefined && !hasSub) return null;
  const extra: { o?: string | string[]; s?: Record<string, Attribute> } = {};
  if (a.objectType !== undefined) extra.o = a.objectType;
  if (hasSub) extra.s = withoutSysAttrs(a.sub!);
  return JSON.stringify(extra);
}

/** Sub-attributes without their system timestamps, recursively. */
function withoutSysAttrs(sub: Record<string, Attribute>): Record<string, Attribute> {
  const out: Record<string, Attribute> = {};
  for (const k of Object.keys(sub)) {
    const { createdAt: _c, modifiedAt: _m, sub: inner, ...rest } = sub[k]!;
    out[k] = inner === undefined ? rest : { ...rest, sub: withoutSysAttrs(inner) };
  }
  return out;
}

/** Everything of an instance that a row holds, except its series, row id and times of record. */
export interface InstanceColumns extends ValueColumns {
  kind: number;
  observedAt: number | null;
  unit: string | null;
  extra: string | null;
}

/** Encode the members of an instance (not its timestamps of record). */
export function encodeInstance(a: Attribute): InstanceColumns {
  return {
    kind: kindCode(a.type),
    observedAt: toMs(a.observedAt) ?? null,
    unit: typeof a.unitCode === 'string' ? a.unitCode : null,
    extra: encodeExtra(a),
    ...encodeValue(a.value),
  };
}

/** The columns of an instance as read back (instances aliased i), named as `InstanceRow`. */
export const INSTANCE_COLUMNS = [
  'i.iid::text AS iid',
  'i.kind',
  `${msOf('i.observed_at')} AS observed_ms`,
  `${msOf('i.created_at')} AS created_ms`,
  `${msOf('i.modified_at')} AS modified_ms`,
  'i.num',
  'i.str',
  'i.json',
  'i.unit',
  'i.extra',
].join(', ');

/** A row as read back. */
export interface InstanceRow {
  iid: string;
  kind: number;
  observed_ms: number | null;
  created_ms: number;
  modified_ms: number;
  num: number | null;
  str: string | null;
  json: string | null;
  unit: string | null;
  extra: string | null;
}

/** The stored instance of a row; `datasetId` comes from its series. */
export function decodeInstance(r: InstanceRow, datasetId: string | undefined): StoredInstance {
  const modified = new Date(r.modified_ms).toISOString();
  const out: StoredInstance = {
    type: kindOf(r.kind),
    value: decodeValue(r.num, r.str, r.json),
    instanceId: instanceId(r.iid),
    createdAt: r.created_ms === r.modified_ms ? modified : new Date(r.created_ms).toISOString(),
    modifiedAt: modified,
  };
  if (datasetId !== undefined) out.datasetId = datasetId;
  if (r.observed_ms !== null) out.observedAt = new Date(r.observed_ms).toISOString();
  if (r.unit !== null) out.unitCode = r.unit;
  if (r.extra !== null) {
    const x = JSON.parse(r.extra) as { o?: string | string[]; s?: Record<string, Attribute> };
    if (x.o !== undefined) out.objectType = x.o;
    if (x.s !== undefined) out.sub = x.s;
  }
  return out;
}

/** The datasetId of a series' `ds` column ('' is the default instance). */
export const datasetOf = (ds: string): string | undefined => (ds === '' ? undefined : ds);
/** The `ds` column of a datasetId. */
export const dsOf = (datasetId: string | undefined): string => datasetId ?? '';
