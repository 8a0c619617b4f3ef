/**
 * The values a q path selects in an entity, encoded as rows of `attr_values`. Selection is the
 * reference one (core/query/q-select.ts) and temporal parsing the q parser's (temporal-literal.ts),
 * so the index, the `q_select` fallback and the in-memory `matchesQ` agree by construction.
 */
import type { Attribute, Entity } from '../../core/model/entity.js';
import type { AttrPath } from '../../core/query/ast.js';
import { selectTargets, selectValues, type Selected } from '../../core/query/q-select.js';
import { parseTemporal, type TemporalShape } from '../../core/query/temporal-literal.js';

/**
 * Kinds of a selected value, as stored in `attr_values.k`. A value taken from a Relationship or
 * ListRelationship adds REL: it takes part in equality, lists and ranges, never in ordering or patterns.
 */
export const K = { number: 0, string: 1, boolean: 2, null: 3, other: 4, none: 5 } as const;
/** Offset of the kinds of Relationship targets. */
export const REL = 10;

/** Codes of temporal shapes in `attr_values.d`. */
export const SHAPE: Record<TemporalShape, number> = { instant: 0, time: 1 };

/** One selected value: kind, comparable value, and for temporal strings their shape and ms. */
export interface ValueRow {
  k: number;
  v: number | string | null;
  ms: number | null;
  d: number | null;
}

/** The row of an attribute instance whose target exists but holds no value (an empty array). */
const NONE: ValueRow = { k: K.none, v: null, ms: null, d: null };

/** Encode one selected value. */
export function toRow(s: Selected): ValueRow {
  const rel = s.relationship ? REL : 0;
  const x = s.value;
  if (typeof x === 'number') return { k: K.number + rel, v: x, ms: null, d: null };
  if (typeof x === 'string') {
    const t = parseTemporal(x);
    return { k: K.string + rel, v: x, ms: t?.epochMs ?? null, d: t ? SHAPE[t.shape] : null };
  }
  if (typeof x === 'boolean') return { k: K.boolean + rel, v: x ? 1 : 0, ms: null, d: null };
  if (x === null) return { k: K.null + rel, v: null, ms: null, d: null };
  return { k: K.other + rel, v: null, ms: null, d: null };
}

/**
 * Rows for a path over every instance of its attribute: one per selected value, or a single K.none
 * row when the target exists without values, none when it does not exist — so "the target exists"
 * is "there is a row".
 */
export function pathRows(entity: Pick<Entity, 'attrs'>, path: AttrPath): ValueRow[] {
  const e = entity as Entity;
  const rows = selectValues(e, path).map(toRow);
  if (rows.length === 0 && selectTargets(e, path).length > 0) rows.push(NONE);
  return rows;
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
