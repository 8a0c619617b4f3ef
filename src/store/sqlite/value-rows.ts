/**
 * The values a q path selects in an entity, as rows of SQLite's `attr_values` (k, v, ms, d): one
 * value column `v` holds the number (booleans as 0/1) or the string. The kinds, the selection and
 * the temporal parsing are shared with every store (src/store/shared/value-kinds.ts), so the index,
 * the `q_select` fallback and the in-memory `matchesQ` agree by construction.
 */
import type { Attribute, Entity } from '../../core/model/entity.js';
import type { AttrPath } from '../../core/query/ast.js';
import type { Selected } from '../../core/query/q-select.js';
import { encodeSelected, K, selectedRows, type RowMaker } from '../shared/value-kinds.js';

/** One selected value: kind, comparable value, and for temporal strings their shape and ms. */
export interface ValueRow {
  k: number;
  v: number | string | null;
  ms: number | null;
  d: number | null;
}

/** SQLite's row: the number or the string in one column. */
const sqliteRow: RowMaker<ValueRow> = (k, num, str, d, ms) => ({ k, v: num ?? str, ms, d });

/** The row of an attribute instance whose target exists but holds no value (an empty array). */
const NONE: ValueRow = sqliteRow(K.none, null, null, null, null);

/** Encode one selected value. */
export function toRow(s: Selected): ValueRow {
  return encodeSelected(s, sqliteRow);
}

/**
 * Rows for a path over every instance of its attribute: one per selected value, or a single K.none
 * row when the target exists without values, none when it does not exist — so "the target exists"
 * is "there is a row".
 */
export function pathRows(entity: Pick<Entity, 'attrs'>, path: AttrPath): ValueRow[] {
  return selectedRows(entity, path, sqliteRow);
}

/** A JSON-LD value object `{"@value": v}` stands for v (as in q-select.ts). */
function unwrap(x: unknown): unknown {
  return x !== null && typeof x === 'object' && !Array.isArray(x) && Object.hasOwn(x, '@value')
    ? (x as Record<string, unknown>)['@value']
    : x;
}

/**
 * `pathRows` for a plain attribute path (no sub-attributes, members or keys), without building the
 * intermediate selections: this runs for every attribute of every write. The q property test holds
 * it equal to the reference selection.
 */
export function plainRows(instances: readonly Attribute[]): ValueRow[] {
  const rows: ValueRow[] = [];
  let targets = 0;
  const add = (target: unknown, relationship: boolean): void => {
    if (target === undefined) return;
    targets++;
    const t = unwrap(target);
    if (!Array.isArray(t)) rows.push(toRow({ value: t, relationship }));
    else for (const v of t) rows.push(toRow({ value: unwrap(v), relationship }));
  };
  for (const inst of instances) {
    if (inst.type === 'LanguageProperty') {
      const map = inst.value;
      if (map !== null && typeof map === 'object') for (const text of Object.values(map)) add(text, false);
    } else add(inst.value, inst.type === 'Relationship' || inst.type === 'ListRelationship');
  }
  if (rows.length === 0 && targets > 0) rows.push(NONE);
  return rows;
}
