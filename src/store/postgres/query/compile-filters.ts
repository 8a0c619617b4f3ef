/**
 * Compiles the non-q, non-geo parts of an EntityQuery to SQL conjuncts over the entity row `e`:
 * type expressions (entity_types), ids, attrs, scopeQ (entity_scopes) and visibility (access control:
 * the entities a principal may see, as one more conjunct so that pages and counts stay exact).
 * Regular expressions (idPattern, a visibility scope's idPattern) are checked here but run in
 * JavaScript (residual.ts): PostgreSQL's regex dialect is not JavaScript's.
 */
import { NgsiError } from '../../../core/errors.js';
import type { ScopeExpr, TypeExpr, Visibility, VisibilityScope } from '../../../core/query/ast.js';
import { compilePattern } from '../../../core/query/pattern.js';
import type { Candidate, ResidualBuilder } from './residual.js';
import { and, FALSE, hasNul, not, or, TENANT, TRUE, type Params } from './sql-builder.js';

/**
 * The entity numbered by column `eid` has one of the types (alias ty: a semi-join PostgreSQL may run
 * from the (tenant, type, id) index).
 */
function hasType(names: string[], eid: string, params: Params): string {
  const kept = [...new Set(names.filter((n) => typeof n === 'string' && !hasNul(n)))];
  if (kept.length === 0) return FALSE;
  const cond =
    kept.length === 1
      ? `ty.type = ${params.add(kept[0], 'text')}`
      : `ty.type = ANY(${params.add(kept, 'text[]')})`;
  return `EXISTS (SELECT 1 FROM entity_types ty WHERE ty.eid = ${eid} AND ty.tenant = ${TENANT} AND ${cond})`;
}

/** A type expression (`A`, `A|B`, `A;B`, nested). */
export function typeSql(t: TypeExpr, eid: string, params: Params): string {
  if (t.kind === 'type') return hasType([t.name], eid, params);
  // Any of several plain names: one lookup with an array.
  if (t.kind === 'or' && t.items.length > 0 && t.items.every((i) => i.kind === 'type'))
    return hasType(
      t.items.map((i) => (i as { name: string }).name),
      eid,
      params,
    );
  const parts = t.items.map((i) => typeSql(i, eid, params));
  return t.kind === 'and' ? and(parts) : or(parts);
}

/**
 * The single type a query may be driven by (the entities of `A` in `A` or `A;B`), with the rest of
 * the expression; undefined when the expression names no such type.
 */
export function typeDriver(t: TypeExpr): { name: string; rest: TypeExpr[] } | undefined {
  if (t.kind === 'type')
    return typeof t.name === 'string' && !hasNul(t.name) ? { name: t.name, rest: [] } : undefined;
  if (t.kind !== 'and') return undefined;
  const i = t.items.findIndex((x) => x.kind === 'type' && typeof x.name === 'string' && !hasNul(x.name));
  if (i < 0) return undefined;
  return { name: (t.items[i] as { name: string }).name, rest: t.items.filter((_, j) => j !== i) };
}

/** `ids`: the entity (its id column `id`) is one of them. */
export function idsSql(ids: string[], id: string, params: Params): string {
  const kept = ids.filter((i) => typeof i === 'string' && !hasNul(i));
  return kept.length === 0 ? FALSE : `${id} = ANY(${params.add(kept, 'text[]')})`;
}

/** `attrs` (when there is no q): the entity has one of these attributes (interned ids). */
export function attrsSql(termIds: number[], eid: string, params: Params): string {
  if (termIds.length === 0) return FALSE;
  return (
    `EXISTS (SELECT 1 FROM attr_values x WHERE x.eid = ${eid} AND x.tenant = ${TENANT} ` +
    `AND x.p = ANY(${params.add(termIds, 'int[]')}))`
  );
}

/** A scope query (clause 4.19): an entity matches a leaf when one of its scopes does. */
export function scopeSql(s: ScopeExpr, eid: string, params: Params): string {
  if (s.kind === 'and' || s.kind === 'or') {
    const parts = s.items.map((i) => scopeSql(i, eid, params));
    return s.kind === 'and' ? and(parts) : or(parts);
  }
  const cond = scopeCondition(s, params);
  if (cond === FALSE) return FALSE;
  const where = `s.eid = ${eid} AND s.tenant = ${TENANT}${cond === TRUE ? '' : ` AND ${cond}`}`;
  return `EXISTS (SELECT 1 FROM entity_scopes s WHERE ${where})`;
}

/** The condition on one scope row (alias s) for a scope leaf. */
function scopeCondition(leaf: Extract<ScopeExpr, { kind: 'scope' }>, params: Params): string {
  const segments = leaf.segments;
  if (!Array.isArray(segments) || segments.some((g) => typeof g !== 'string' || hasNul(g))) return FALSE;
  if (segments.includes('+')) {
    // Level by level, as the reference (`scope.split('/').slice(1)`): element i + 2 of the array.
    const levels = `string_to_array(s.scope, '/')`;
    const depth = `greatest(cardinality(${levels}) - 1, 0)`;
    const parts = [`${depth} ${leaf.descendants ? '>=' : '='} ${params.add(segments.length, 'int')}`];
    segments.forEach((g, i) => {
      if (g !== '+') parts.push(`(${levels})[${i + 2}] = ${params.add(g, 'text')}`);
    });
    return and(parts);
  }
  const path = `/${segments.join('/')}`;
  if (!leaf.descendants) return `s.scope = ${params.add(path, 'text')}`;
  if (segments.length === 0) return TRUE;
  // '/a' and everything under '/a/' ('0' is the character after '/'): one index range.
  return (
    `(s.scope = ${params.add(path, 'text')} OR ` +
    `(s.scope >= ${params.add(`${path}/`, 'text')} AND s.scope < ${params.add(`${path}0`, 'text')}))`
  );
}

/**
 * Visibility: in some allow scope and in no deny scope. A scope holds the entities of any of its
 * `types` (every type when absent, none when empty) whose id matches its `idPattern`. PostgreSQL
 * gets the part without patterns (a superset when a pattern is present: allow scopes without their
 * patterns, deny scopes that have none); then the exact test goes to `residual`, each scope's type
 * condition a boolean column and its pattern run in JavaScript on the id. Patterns are checked
 * here, so a bad one is refused before any SQL runs.
 */
export function visibilitySql(v: Visibility, eid: string, params: Params, residual: ResidualBuilder): string {
  if (!Array.isArray(v.allow) || !Array.isArray(v.deny)) {
    throw new NgsiError('InternalError', 'visibility needs an allow list and a deny list');
  }
  const types = (s: VisibilityScope): string =>
    s.types === undefined ? TRUE : hasType(s.types, eid, params);
  const patterns = [...v.allow, ...v.deny].map((s) =>
    s.idPattern === undefined ? undefined : compilePattern(s.idPattern),
  );
  const allow = or(v.allow.map(types));
  // A deny scope with a pattern cannot narrow in SQL (its complement is not a superset).
  const deny = or(v.deny.map((s) => (s.idPattern === undefined ? types(s) : FALSE)));
  if (patterns.some((p) => p !== undefined)) {
    const scopeTests = [...v.allow, ...v.deny].map((s, i): ((c: Candidate) => boolean) => {
      const re = patterns[i];
      const t = types(s);
      const col = t === TRUE || t === FALSE ? undefined : residual.column(t);
      const typed = (c: Candidate): boolean => (col === undefined ? t === TRUE : c.row[col] === true);
      return (c) => typed(c) && (re === undefined || re.test(c.id));
    });
    const allowed = scopeTests.slice(0, v.allow.length);
    const denied = scopeTests.slice(v.allow.length);
    residual.add((c) => allowed.some((t) => t(c)) && !denied.some((t) => t(c)));
  }
  return and([allow, not(deny)]);
}
