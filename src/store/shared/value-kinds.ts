/**
 * How both stores encode, for q, the values a path selects in an entity (rows of `attr_values`):
 * selection is the reference one (core/query/q-select.ts) and temporal parsing the q parser's
 * (temporal-literal.ts), so every store's index, its fallbacks and the in-memory evaluator
 * (core/query/q-match.ts) agree by construction. Kind codes:
 *   0 number, 1 string, 2 boolean (as 0/1), 3 null, 4 object or nested array,
 *   5 the target exists but selects no value (an empty array);
 *   +10 when the value is the target of a Relationship / ListRelationship (equality, lists and
 *   ranges apply to it; ordering and patterns do not).
 * A string that is a date, time or date-time also gets its shape `d` (0 instant, 1 time of day) and
 * `ms` (epoch ms, or ms of the day), which q's temporal comparisons use.
 *
 * The kinds and the selection are shared (decision 0011); the columns a row lands in are each
 * store's, so a store hands a `RowMaker` that builds its own row without an intermediate object.
 */
import type { Entity } from '../../core/model/entity.js';
import type { AttrPath } from '../../core/query/ast.js';
import { selectTargets, selectValues, type Selected } from '../../core/query/q-select.js';
import { parseTemporal, type TemporalShape } from '../../core/query/temporal-literal.js';

/** Kinds of a selected value, as stored in `attr_values.k`. */
export const K = { number: 0, string: 1, boolean: 2, null: 3, other: 4, none: 5 } as const;
/** Added to the kind of a Relationship target. */
export const REL = 10;
/** Codes of temporal shapes in `attr_values.d`. */
export const SHAPE: Record<TemporalShape, number> = { instant: 0, time: 1 };

/**
 * Builds a store's row from an encoded value: its kind; `num` for numbers and booleans, `str` for
 * strings (never both); for a temporal string its shape `d` and `ms`.
 */
export type RowMaker<R> = (
  k: number,
  num: number | null,
  str: string | null,
  d: number | null,
  ms: number | null,
) => R;

/** Encode one selected value. */
export function encodeSelected<R>(s: Selected, make: RowMaker<R>): R {
  const rel = s.relationship ? REL : 0;
  const x = s.value;
  if (typeof x === 'number') return make(K.number + rel, x, null, null, null);
  if (typeof x === 'string') {
    const t = parseTemporal(x);
    return make(K.string + rel, null, x, t ? SHAPE[t.shape] : null, t?.epochMs ?? null);
  }
  if (typeof x === 'boolean') return make(K.boolean + rel, x ? 1 : 0, null, null, null);
  if (x === null) return make(K.null + rel, null, null, null, null);
  return make(K.other + rel, null, null, null, null);
}

/**
 * Rows for a path over every instance of its attribute: one per selected value, or a single
 * `K.none` row when the target exists without values, none when it does not exist — so "the target
 * exists" is "there is a row".
 */
export function selectedRows<R>(entity: Pick<Entity, 'attrs'>, path: AttrPath, make: RowMaker<R>): R[] {
  const e = entity as Entity;
  const rows = selectValues(e, path).map((s) => encodeSelected(s, make));
  if (rows.length === 0 && selectTargets(e, path).length > 0) rows.push(make(K.none, null, null, null, null));
  return rows;
}
