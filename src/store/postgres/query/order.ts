/**
 * The order of query results, as the SQLite store gives it: the requested keys, then the entity id
 * (ascending) so pages are stable; keys after an `id` key cannot matter and are dropped.
 *
 * - `type` is the first type, `createdAt` / `modifiedAt` the stored instants (text, code-point
 *   order); an entity without one sorts last in either direction.
 * - An attribute path sorts by its numbers and strings (Relationship targets included; booleans,
 *   null and objects do not sort): ascending by the smallest value, descending by the largest, with
 *   numbers before strings (SQLite's order of types, which `min` / `max` over mixed values follow:
 *   an entity holding a number sorts ascending by its smallest number, one holding a string sorts
 *   descending by its largest string). Entities without such a value sort last.
 *
 * Plain attribute paths and the entity columns sort in PostgreSQL (one LATERAL aggregate per path
 * over `attr_values`); a key on any other path (sub-attribute, member, JSON keys) makes the whole
 * order a JavaScript comparator over the candidates (`jsOrder`), with the same rules.
 */
import type { Entity } from '../../../core/model/entity.js';
import type { AttrPath, OrderKey } from '../../../core/query/ast.js';
import { compareCodePoints } from '../../../core/query/q-match.js';
import { selectValues } from '../../../core/query/q-select.js';
import { K, REL } from '../../shared/value-kinds.js';
import { isPlain } from './compile-q.js';

/** The keys that matter: up to and including the first `id` key. */
export function effectiveKeys(keys: OrderKey[] | undefined): OrderKey[] {
  const out: OrderKey[] = [];
  for (const k of keys ?? []) {
    out.push(k);
    if (k.key === 'id') break;
  }
  return out;
}

/** True when the order is the default one (id ascending), which the (tenant, id) indexes deliver. */
export const isIdOrder = (keys: OrderKey[] | undefined): boolean => {
  const k = effectiveKeys(keys);
  return k.length === 0 || (k[0]!.key === 'id' && !k[0]!.descending);
};

/** True when some key must be computed in JavaScript (a path other than a plain attribute). */
export const needsJsOrder = (keys: OrderKey[] | undefined): boolean =>
  effectiveKeys(keys).some((k) => typeof k.key === 'object' && !isPlain(k.key));

/**
 * The ORDER BY list and the LATERAL joins it reads, for an order PostgreSQL can compute, and whether
 * it reads the entity row (type, createdAt, modifiedAt) rather than only its number and id.
 */
export function orderSql(
  keys: OrderKey[] | undefined,
  idColumn: string,
  /** The column holding the entity number. */
  eid: string,
  /** Placeholder of an attribute's term id (undefined: never interned, so no entity has it). */
  term: (iri: string) => string | undefined,
): { joins: string; by: string; readsEntity: boolean } {
  const joins: string[] = [];
  const by: string[] = [];
  let sawId = false;
  for (const k of effectiveKeys(keys)) {
    const dir = k.descending ? 'DESC' : 'ASC';
    if (k.key === 'id') {
      by.push(`${idColumn} ${dir}`);
      sawId = true;
    } else if (k.key === 'type') by.push(`e.type0 ${dir}`);
    else if (k.key === 'createdAt') by.push(`e.created_at ${dir} NULLS LAST`);
    else if (k.key === 'modifiedAt') by.push(`e.modified_at ${dir} NULLS LAST`);
    else {
      const p = term(k.key.attr);
      if (p === undefined) continue; // no entity has the attribute: the key orders nothing
      const o = `o${joins.length}`;
      const agg = k.descending ? 'max' : 'min';
      joins.push(
        `LEFT JOIN LATERAL (SELECT ${agg}(x.num) AS n, ${agg}(x.str) AS s FROM attr_values x ` +
          `WHERE x.eid = ${eid} AND x.p = ${p} AND x.k IN (${SORTABLE.join(', ')})) ${o} ON TRUE`,
      );
      if (k.descending)
        by.push(
          `(CASE WHEN ${o}.s IS NOT NULL THEN 0 WHEN ${o}.n IS NOT NULL THEN 1 ELSE 2 END)`,
          `${o}.s DESC NULLS LAST`,
          `(CASE WHEN ${o}.s IS NULL THEN ${o}.n END) DESC NULLS LAST`,
        );
      else
        by.push(
          `(CASE WHEN ${o}.n IS NOT NULL THEN 0 WHEN ${o}.s IS NOT NULL THEN 1 ELSE 2 END)`,
          `${o}.n ASC`,
          `(CASE WHEN ${o}.n IS NULL THEN ${o}.s END) ASC`,
        );
    }
  }
  if (!sawId) by.push(`${idColumn} ASC`);
  return { joins: joins.join(' '), by: by.join(', '), readsEntity: by.some((b) => b.startsWith('e.')) };
}

/** Kinds that sort: numbers and strings, own or Relationship targets. */
const SORTABLE = [K.number, K.string, K.number + REL, K.string + REL];

/** One key of one entity: absent, or a rank (which kind sorts first) and a value. */
type Part = { rank: number; value: number | string } | undefined;

/** The sort keys of an entity and its id, computed once per candidate. */
export interface Keyed {
  id: string;
  parts: Part[];
}

/** The same order in JavaScript: the keys of an entity, and the comparison of two keyed entities. */
export function jsOrder(keys: OrderKey[] | undefined): {
  key(e: Entity): Keyed;
  compare(a: Keyed, b: Keyed): number;
} {
  const ks = effectiveKeys(keys);
  const key = (e: Entity): Keyed => ({
    id: e.id,
    parts: ks.map((k): Part => {
      if (k.key === 'id') return { rank: 0, value: e.id };
      if (k.key === 'type') return { rank: 0, value: e.type[0] ?? '' };
      if (k.key === 'createdAt' || k.key === 'modifiedAt') {
        const v = e[k.key];
        return typeof v === 'string' ? { rank: 0, value: v } : undefined;
      }
      return pathPart(e, k.key, k.descending);
    }),
  });
  const compare = (a: Keyed, b: Keyed): number => {
    for (let i = 0; i < ks.length; i++) {
      const x = a.parts[i];
      const y = b.parts[i];
      if (x === undefined || y === undefined) {
        if (x !== y) return x === undefined ? 1 : -1; // absent last, in either direction
        continue;
      }
      if (x.rank !== y.rank) return x.rank - y.rank;
      const c =
        typeof x.value === 'number' && typeof y.value === 'number'
          ? Math.sign(x.value - y.value)
          : compareCodePoints(String(x.value), String(y.value));
      if (c !== 0) return ks[i]!.descending ? -c : c;
    }
    return compareCodePoints(a.id, b.id);
  };
  return { key, compare };
}

/** Ascending: the smallest number, else the smallest string; descending: the largest string, else number. */
function pathPart(e: Entity, path: AttrPath, descending: boolean): Part {
  const nums: number[] = [];
  const strs: string[] = [];
  for (const s of selectValues(e, path)) {
    if (typeof s.value === 'number') nums.push(s.value);
    else if (typeof s.value === 'string') strs.push(s.value);
  }
  const pick = (xs: string[], sign: number): string =>
    xs.reduce((m, v) => (compareCodePoints(v, m) * sign > 0 ? v : m));
  if (descending) {
    if (strs.length > 0) return { rank: 0, value: pick(strs, 1) };
    return nums.length > 0 ? { rank: 1, value: nums.reduce((m, v) => (v > m ? v : m)) } : undefined;
  }
  if (nums.length > 0) return { rank: 0, value: nums.reduce((m, v) => (v < m ? v : m)) };
  return strs.length > 0 ? { rank: 1, value: pick(strs, -1) } : undefined;
}
