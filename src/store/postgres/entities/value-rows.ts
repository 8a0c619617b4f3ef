/**
 * The values an attribute holds for q, as rows of `attr_values` (migration 0003). Selection is the
 * reference one (core/query/q-select.ts) and temporal parsing the q parser's (temporal-literal.ts),
 * so the index and the in-memory evaluator (core/query/q-match.ts) agree by construction.
 *
 * Only plain attribute paths are indexed (every attribute of every entity, one row per selected
 * value); sub-attributes, members and keys into JSON values are evaluated on the document by the
 * query runner. Kind codes:
 *   0 number (num), 1 string (str), 2 boolean (num 0/1), 3 null, 4 object or nested array,
 *   5 the attribute exists but selects no value (an empty array);
 *   +10 when the value is the target of a Relationship / ListRelationship (equality, lists and
 *   ranges apply to it; ordering and patterns do not).
 * A string that is a date, time or date-time also gets its shape `d` (0 instant, 1 time of day)
 * and `ms` (epoch ms, or ms of the day), which q's temporal comparisons use.
 */
import type { Entity } from '../../../core/model/entity.js';
import { selectTargets, selectValues, type Selected } from '../../../core/query/q-select.js';
import { parseTemporal, type TemporalShape } from '../../../core/query/temporal-literal.js';

export const K = { number: 0, string: 1, boolean: 2, null: 3, other: 4, none: 5 } as const;
/** Added to the kind of a Relationship target. */
export const REL = 10;
/** Codes of temporal shapes in `attr_values.d`. */
export const SHAPE: Record<TemporalShape, number> = { instant: 0, time: 1 };

/** One row's value columns. */
export interface ValueRow {
  k: number;
  num: number | null;
  str: string | null;
  d: number | null;
  ms: number | null;
}

/** Encode one selected value. */
export function toRow(s: Selected): ValueRow {
  const rel = s.relationship ? REL : 0;
  const x = s.value;
  if (typeof x === 'number') return { k: K.number + rel, num: x, str: null, d: null, ms: null };
  if (typeof x === 'string') {
    const t = parseTemporal(x);
    return {
      k: K.string + rel,
      num: null,
      str: x,
      d: t ? SHAPE[t.shape] : null,
      ms: t?.epochMs ?? null,
    };
  }
  if (typeof x === 'boolean') return { k: K.boolean + rel, num: x ? 1 : 0, str: null, d: null, ms: null };
  if (x === null) return { k: K.null + rel, num: null, str: null, d: null, ms: null };
  return { k: K.other + rel, num: null, str: null, d: null, ms: null };
}

/**
 * Rows of one attribute over all its instances: one per selected value, or a single `none` row
 * when the attribute exists without values — so "the attribute exists" is "it has a row".
 */
export function attributeRows(entity: Entity, attr: string): ValueRow[] {
  const path = { attr, sub: [], keys: [] };
  const rows = selectValues(entity, path).map(toRow);
  if (rows.length === 0 && selectTargets(entity, path).length > 0)
    rows.push({ k: K.none, num: null, str: null, d: null, ms: null });
  return rows;
}
