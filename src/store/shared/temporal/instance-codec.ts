/**
 * The row form of one attribute instance in `temporal_instances`, the same in every store: the value
 * split by JSON type into `num` / `str` / `json`, the attribute type as a small code (the order of
 * core's ATTRIBUTE_TYPES; Property is 0, which takes no byte in a SQLite record), unitCode inline,
 * objectType and sub-attributes as compact JSON only when present. Sub-attributes are kept without
 * their own createdAt/modifiedAt: the instance's timestamps date them, and dropping them keeps a
 * sub-attribute that never changes the same bytes in every row. Instance ids are
 * `urn:ngsi-ld:attribute:instance:<row id>`.
 *
 * Shared by every store (decision 0011): which SQL reads the columns, and how a row id is typed (a
 * JavaScript number in SQLite, a bigint as decimal text in PostgreSQL), is each adapter's.
 */
import { ATTRIBUTE_TYPES, type Attribute, type AttributeType } from '../../../core/model/entity.js';
import type { StoredInstance } from '../../../core/temporal/model.js';

/** Attribute types by code. */
export const KINDS: readonly AttributeType[] = ATTRIBUTE_TYPES;
const KIND_CODE = new Map(KINDS.map((k, i) => [k, i]));

/** The code of an attribute type (unknown types are stored as Property). */
export const kindCode = (type: AttributeType): number => KIND_CODE.get(type) ?? 0;

/** The attribute type of a code (unknown codes read as Property). */
export const kindOf = (code: number): AttributeType => KINDS[code] ?? 'Property';

/** Prefix of every instanceId the stores hand out. */
export const INSTANCE_PREFIX = 'urn:ngsi-ld:attribute:instance:';

/** The instanceId of row `iid`. */
export const instanceId = (iid: number | string): string => `${INSTANCE_PREFIX}${iid}`;

/**
 * The row id of an instanceId as decimal digits (no sign, no leading zero, at most 18 digits, so
 * always inside a 64-bit integer), or undefined when it is not one of ours.
 */
export function instanceDigits(id: string): string | undefined {
  if (typeof id !== 'string' || !id.startsWith(INSTANCE_PREFIX)) return undefined;
  const digits = id.slice(INSTANCE_PREFIX.length);
  return /^[1-9][0-9]{0,17}$/.test(digits) ? digits : undefined;
}

/** Epoch ms of an ISO instant, or undefined when absent or unparsable. */
export function toMs(iso: string | undefined): number | undefined {
  if (typeof iso !== 'string') return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * `toMs` remembering the last instant it parsed: the readings of one message share their observedAt
 * and the changes of one call their modifiedAt, so on a write path most instants repeat the last.
 */
export class LastInstant {
  private iso: string | undefined;
  private ms: number | undefined;

  toMs(iso: string | undefined): number | undefined {
    if (iso !== this.iso) {
      this.iso = iso;
      this.ms = toMs(iso);
    }
    return this.ms;
  }
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

/** observedAt of the instances encoded last (the readings of one message share it). */
const observed = new LastInstant();

/** Encode the members of an instance (not its timestamps of record). */
export function encodeInstance(a: Attribute): InstanceColumns {
  const v = encodeValue(a.value);
  return {
    kind: kindCode(a.type),
    observedAt: observed.toMs(a.observedAt) ?? null,
    unit: typeof a.unitCode === 'string' ? a.unitCode : null,
    extra: encodeExtra(a),
    num: v.num,
    str: v.str,
    json: v.json,
  };
}

/**
 * An instance's columns as read back, in this order (times in epoch ms). SQLite reads its rows as
 * exactly this array (statements in raw mode: no object per row).
 */
export type InstanceFields = [
  iid: number | string,
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
export function decodeInstance(r: InstanceFields, datasetId: string | undefined): StoredInstance {
  const [iid, kind, observedAt, createdAt, modifiedAt, num, str, json, unit, extra] = r;
  const modified = new Date(modifiedAt).toISOString();
  const out: StoredInstance = {
    type: kindOf(kind),
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
