/**
 * The values an attribute holds for q, as rows of PostgreSQL's `attr_values` (migration 0003): a
 * number (booleans as 0/1) in `num`, a string in `str`, with the kind `k` and, for a temporal
 * string, its shape `d` and `ms`. The kinds, the selection and the temporal parsing are shared with
 * every store (src/store/shared/value-kinds.ts), so the index and the in-memory evaluator
 * (core/query/q-match.ts) agree by construction.
 *
 * Only plain attribute paths are indexed (every attribute of every entity, one row per selected
 * value); sub-attributes, members and keys into JSON values are evaluated on the document by the
 * query runner.
 */
import type { Entity } from '../../../core/model/entity.js';
import { selectedRows, type RowMaker } from '../../shared/value-kinds.js';

/** One row's value columns. */
export interface ValueRow {
  k: number;
  num: number | null;
  str: string | null;
  d: number | null;
  ms: number | null;
}

const pgRow: RowMaker<ValueRow> = (k, num, str, d, ms) => ({ k, num, str, d, ms });

/**
 * Rows of one attribute over all its instances: one per selected value, or a single `none` row
 * when the attribute exists without values — so "the attribute exists" is "it has a row".
 */
export function attributeRows(entity: Entity, attr: string): ValueRow[] {
  return selectedRows(entity, { attr, sub: [], keys: [] }, pgRow);
}
