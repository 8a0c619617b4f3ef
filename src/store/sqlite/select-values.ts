/**
 * Which values a q path selects in an entity (NGSI-LD 4.9, as the in-memory `matchesQ` reads it), and
 * their encoding as rows of `attr_values`. The same code fills the index on every write and serves
 * the `q_select` table function for paths the index does not hold, so both routes agree.
 */
import type { Attribute } from '../../core/model/entity.js';

/** Kinds of a selected value, as stored in `attr_values.k`. */
export const K = { number: 0, string: 1, boolean: 2, null: 3, other: 4, none: 5 } as const;

/** One selected value: kind, comparable value, and epoch ms when it is an ISO date-time string. */
export interface ValueRow {
  k: number;
  v: number | string | null;
  ms: number | null;
}

/** Members a `sub` step selects from an instance (any other name is a sub-attribute). */
export const PATH_MEMBERS = new Set(['observedAt', 'unitCode', 'datasetId', 'createdAt', 'modifiedAt']);

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Epoch ms of an ISO 8601 date or date-time (UTC when it names no offset), or null. */
export function isoEpochMs(s: string): number | null {
  const m = ISO.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => (x === undefined ? 0 : Number(x)));
  if (mo! < 1 || mo! > 12 || d! < 1 || h! > 23 || mi! > 59 || sec! > 59) return null;
  const date = new Date(Date.UTC(2000, mo! - 1, d!, h!, mi!, sec!));
  date.setUTCFullYear(y!); // Date.UTC would read years 0-99 as 19xx
  if (date.getUTCDate() !== d) return null; // 2021-02-30 would roll over into March
  const frac = m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000);
  const zone = m[8];
  const offset = zone === undefined || zone === 'Z' ? 0 : offsetMinutes(zone);
  return date.getTime() + frac - offset * 60_000;
}

function offsetMinutes(zone: string): number {
  const digits = zone.replace(':', '');
  const sign = digits.startsWith('-') ? -1 : 1;
  return sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
}

/** Encode one selected value. */
export function toRow(x: unknown): ValueRow {
  if (typeof x === 'number') return { k: K.number, v: x, ms: null };
  if (typeof x === 'string') return { k: K.string, v: x, ms: isoEpochMs(x) };
  if (typeof x === 'boolean') return { k: K.boolean, v: x ? 1 : 0, ms: null };
  if (x === null) return { k: K.null, v: null, ms: null };
  return { k: K.other, v: null, ms: null };
}

const spread = (x: unknown): unknown[] => (Array.isArray(x) ? x : [x]);
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The values an attribute instance holds at its top (before any JSON keys). */
function mainValues(inst: Attribute, keyed: boolean): unknown[] {
  if (inst.value === undefined) return [];
  // A LanguageProperty's values are those of its languageMap; `attr[en]` picks one language.
  if (inst.type === 'LanguageProperty' && !keyed && isObject(inst.value)) return Object.values(inst.value).flatMap(spread);
  return spread(inst.value);
}

/**
 * Values selected by `sub` + `keys` in one attribute instance. `sub` steps are members
 * (observedAt, unitCode, datasetId, createdAt, modifiedAt) or sub-attribute names; `keys` descend
 * into JSON objects; arrays yield each element.
 */
export function selectInInstance(inst: Attribute, sub: readonly string[], keys: readonly string[]): unknown[] {
  let current: Attribute = inst;
  for (let i = 0; i < sub.length; i++) {
    const step = sub[i]!;
    if (PATH_MEMBERS.has(step)) {
      const member = (current as unknown as Record<string, unknown>)[step];
      if (member === undefined || i < sub.length - 1) return [];
      return descend(spread(member), keys);
    }
    const next = current.sub?.[step];
    if (next === undefined) return [];
    current = next;
  }
  const base = mainValues(current, keys.length > 0);
  return current.type === 'LanguageProperty' && keys.length > 0 ? descend([current.value], keys) : descend(base, keys);
}

function descend(values: unknown[], keys: readonly string[]): unknown[] {
  let out = values;
  for (const key of keys) out = out.flatMap((v) => (isObject(v) && v[key] !== undefined ? spread(v[key]) : []));
  return out;
}

/** Rows for a path over every instance of an attribute (all datasetIds). */
export function selectRows(
  instances: readonly Attribute[] | undefined,
  sub: readonly string[],
  keys: readonly string[],
): ValueRow[] {
  const rows: ValueRow[] = [];
  for (const inst of instances ?? []) for (const v of selectInInstance(inst, sub, keys)) rows.push(toRow(v));
  return rows;
}
