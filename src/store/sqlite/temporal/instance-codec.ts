/**
 * The row form of one attribute instance in `temporal_instances` (see migration 0003): the value
 * split by JSON type into `num` / `str` / `json`, the attribute type as a small code, unitCode
 * inline, objectType and sub-attributes as compact JSON only when present. Sub-attributes are kept
 * without their own createdAt/modifiedAt: the instance's timestamps date them, and dropping them
 * keeps a sub-attribute that never changes the same bytes in every row.
 */
import { ATTRIBUTE_TYPES, type Attribute, type AttributeType } from '../../../core/model/entity.js';
import type { StoredInstance } from '../../../core/temporal/model.js';

/** Attribute types by code; Property is 0 (an integer 0 takes no byte in a SQLite record). */
export const KINDS: readonly AttributeType[] = ATTRIBUTE_TYPES;
const KIND_CODE = new Map(KINDS.map((k, i) => [k, i]));

/** The code of an attribute type (unknown types are stored as Property). */
export const kindCode = (type: AttributeType): number => KIND_CODE.get(type) ?? 0;

/** Prefix of every instanceId the store hands out. */
export const INSTANCE_PREFIX = 'urn:ngsi-ld:attribute:instance:';

/** The instanceId of row `iid`. */
export const instanceId = (iid: number): string => `${INSTANCE_PREFIX}${iid}`;

/** The row id of an instanceId, or undefined when it is not one of ours. */
export function parseInstanceId(id: string): number | undefined {
  if (!id.startsWith(INSTANCE_PREFIX)) return undefined;
  const digits = id.slice(INSTANCE_PREFIX.length);
  if (!/^[1-9][0-9]{0,15}$/.test(digits)) return undefined;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Epoch ms of an ISO instant, or undefined when absent or unparsable. */
export function toMs(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
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
  const hasSub = a.sub !== undefined && Object.keys(a.sub).length > 0;
  if (a.objectType === undefined && !hasSub) return null;
  const extra: { o?: string | string[]; s?: Record<string, Attribute> } = {};
  if (a.objectType !== undefined) extra.o = a.objectType;
  if (hasSub) extra.s = withoutSysAttrs(a.sub!);
  return JSON.stringify(extra);
}

/** Sub-attributes without their system timestamps, recursively. */
function withoutSysAttrs(sub: Record<string, Attribute>): Record<string, Attribute> {
  const out: Record<string, Attribute> = {};
  for (const k in sub) {
    const { createdAt: _c, modifiedAt: _m, sub: inner, ...rest } = sub[k]!;
    out[k] = inner === undefined ? rest : { ...rest, sub: withoutSysAttrs(inner) };
  }
  return out;
}

/** Everything of an instance that a row holds, except its series and row id. */
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
    unit: a.unitCode ?? null,
    extra: encodeExtra(a),
    ...encodeValue(a.value),
  };
}

/** The columns of an instance as read back, in the order of `InstanceRow` (alias i). */
export const INSTANCE_COLUMNS =
  'i.iid, i.kind, i.observed_at, i.created_at, i.modified_at, i.num, i.str, i.json, i.unit, i.extra';

/**
 * A row as read back, as an array (statements in raw mode: no object per row):
 * iid, kind, observed_at, created_at, modified_at, num, str, json, unit, extra.
 */
export type InstanceRow = [
  iid: number,
  kind: number,
  observedAt: number | null,
  createdAt: number,
  modifiedAt: number,
  num: number | null,
  str: string | null,
  json: string | null,
  unit: string | null,
  extra: string | null,
];

/** The stored instance of a row; `datasetId` comes from its series. */
export function decodeInstance(r: InstanceRow, datasetId: string | undefined): StoredInstance {
  const [iid, kind, observedAt, createdAt, modifiedAt, num, str, json, unit, extra] = r;
  const modified = new Date(modifiedAt).toISOString();
  const out: StoredInstance = {
    type: KINDS[kind] ?? 'Property',
    value: decodeValue(num, str, json),
    instanceId: instanceId(iid),
    // Equal unless the instance was patched: one string for both.
    createdAt: createdAt === modifiedAt ? modified : new Date(createdAt).toISOString(),
    modifiedAt: modified,
  };
  if (datasetId !== undefined) out.datasetId = datasetId;
  if (observedAt !== null) out.observedAt = new Date(observedAt).toISOString();
  if (unit !== null) out.unitCode = unit;
  if (extra !== null) {
    const x = JSON.parse(extra) as { o?: string | string[]; s?: Record<string, Attribute> };
    if (x.o !== undefined) out.objectType = x.o;
    if (x.s !== undefined) out.sub = x.s;
  }
  return out;
}
