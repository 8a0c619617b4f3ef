/**
 * Compiles a q expression (NGSI-LD 4.9) to SQL with the reference semantics of core/query/q-match.ts:
 * plain attribute paths read the `attr_values` index, any other path the `q_select` table function
 * (same rows, computed from the document). A comparison holds when some selected value satisfies it;
 * kinds compare only with their own kind; Relationship values (k + REL) take part in equality, lists
 * and ranges only; a negation holds when the target exists and the positive form does not.
 */
import { badRequest } from '../../../core/errors.js';
import type { AttrPath, QExpr, QOp, QValue } from '../../../core/query/ast.js';
import { compilePattern } from '../../../core/query/pattern.js';
import { parseTemporal } from '../../../core/query/temporal-literal.js';
import { indexedPathKey } from '../entity-index.js';
import { K, REL, SHAPE } from '../../shared/value-kinds.js';
import { FALSE, join, sql, type CompileContext, type Conjunct, type Sql } from './sql.js';

/** The top-level conjuncts of a q expression, each with an index driver when it has one. */
export function compileQ(q: QExpr, ctx: CompileContext): Conjunct[] {
  if (q.kind === 'and') return q.items.flatMap((item) => compileQ(item, ctx));
  const d = driver(q, ctx);
  // Indexed paths read attr_values by eid; others parse the document (q_select) for every row tested.
  const indexed = onlyIndexed(q);
  const c: Conjunct = { probe: probe(q, ctx), byEid: indexed, costly: !indexed };
  return [d ? { ...c, driver: d, exact: true } : c];
}

/** True when every path of the expression is held in attr_values. */
function onlyIndexed(q: QExpr): boolean {
  return q.kind === 'and' || q.kind === 'or'
    ? q.items.every(onlyIndexed)
    : indexedPathKey(q.path) !== undefined;
}

type Leaf = Extract<QExpr, { kind: 'compare' | 'in' | 'range' }>;

/** A boolean SQL expression over the entity row `e`. */
function probe(q: QExpr, ctx: CompileContext): Sql {
  switch (q.kind) {
    case 'and':
    case 'or': {
      if (q.items.length === 0) return q.kind === 'and' ? sql('1') : FALSE;
      const parts = join(
        q.items.map((i) => probe(i, ctx)),
        q.kind === 'and' ? ' AND ' : ' OR ',
      );
      return { sql: `(${parts.sql})`, params: parts.params };
    }
    case 'exists':
      return exists(q.path, undefined, ctx);
    case 'notExists':
      return not(exists(q.path, undefined, ctx));
    default: {
      if (!negated(q)) return exists(q.path, positive(q), ctx);
      const pos = positive(q);
      // `!~=`: some string value exists and none matches; other negations: the target exists and no value satisfies.
      const target = exists(
        q.path,
        q.kind === 'compare' && q.op === '!~=' ? sql(`x.k = ${K.string}`) : undefined,
        ctx,
      );
      if (pos === FALSE) return target;
      const parts = join([target, not(exists(q.path, pos, ctx))], ' AND ');
      return { sql: `(${parts.sql})`, params: parts.params };
    }
  }
}

const not = (s: Sql): Sql => (s === FALSE ? sql('1') : { sql: `NOT ${s.sql}`, params: s.params });

/**
 * `EXISTS` over the rows a path selects for this entity, filtered by `cond` (over alias x). NOT
 * INDEXED pins the primary key (eid, p, i): with ANALYZE statistics SQLite may otherwise skip-scan
 * the value index, right for a driver but far slower for a per-entity probe.
 */
function exists(path: AttrPath, cond: Sql | undefined, ctx: CompileContext): Sql {
  if (cond === FALSE) return FALSE;
  const key = indexedPathKey(path);
  // `key !== undefined`, not truthiness: an empty attribute name is a (never interned) indexed path too.
  const source =
    key !== undefined
      ? sql('FROM attr_values x NOT INDEXED WHERE x.eid = e.eid AND x.p = ?', ctx.term(key))
      : sql('FROM q_select(e.doc, ?) x WHERE 1', JSON.stringify(path));
  const where = cond ? join([source, cond], ' AND ') : source;
  return { sql: `EXISTS (SELECT 1 ${where.sql})`, params: where.params };
}

/** An index scan listing the entities that a positive leaf on an indexed path selects. */
function driver(q: QExpr, ctx: CompileContext): Sql | undefined {
  if (q.kind === 'or') {
    const parts = q.items.map((i) => driver(i, ctx));
    if (parts.length === 0 || parts.some((p) => p === undefined)) return undefined;
    return join(parts as Sql[], ' UNION ALL ');
  }
  if (q.kind === 'and' || q.kind === 'notExists') return undefined;
  const key = indexedPathKey(q.path);
  if (key === undefined) return undefined;
  const head = sql('SELECT x.eid FROM attr_values x WHERE x.tid = ? AND x.p = ?', ctx.tid, ctx.term(key));
  if (q.kind === 'exists') return head;
  // Negations hold on values an index range cannot list; a pattern would test every value of the path.
  if (negated(q) || (q.kind === 'compare' && q.op === '~=')) return undefined;
  const cond = positive(q);
  return cond === FALSE ? sql('SELECT NULL AS eid WHERE 0') : join([head, cond], ' AND ');
}

const negated = (q: Leaf): boolean => (q.kind === 'compare' ? q.op === '!=' || q.op === '!~=' : q.negate);

/** The positive condition of a leaf on one value row (alias x): `==` for `!=`, the match for `!~=`. */
function positive(q: Leaf): Sql {
  if (q.kind === 'in') return anyEqual(q.values);
  if (q.kind === 'range') return range(q.from, q.to);
  if (q.op === '~=' || q.op === '!~=') {
    if (q.value.kind !== 'string') throw badRequest(`${q.op} needs a string pattern`);
    compilePattern(q.value.value); // reject a bad pattern before any SQL runs
    return sql(`(x.k = ${K.string} AND regexp(?, x.v))`, q.value.value);
  }
  return q.op === '==' || q.op === '!=' ? equal(q.value) : order(q.op, q.value);
}

/** Kinds equal to a literal of this kind: own values and Relationship targets. */
const both = (k: number): string => `x.k IN (${k}, ${k + REL})`;

/** Shape and ms of a temporal literal, or undefined when it does not parse (then nothing matches). */
function temporal(v: Extract<QValue, { kind: 'datetime' }>): [number, number] | undefined {
  const t = parseTemporal(v.value);
  return t && [SHAPE[t.shape], t.epochMs];
}

function equal(v: QValue): Sql {
  switch (v.kind) {
    case 'number':
      return sql(`(${both(K.number)} AND x.v = ?)`, v.value);
    case 'string':
    case 'uri':
      return sql(`(${both(K.string)} AND x.v = ?)`, v.value);
    case 'boolean':
      return sql(`(${both(K.boolean)} AND x.v = ?)`, v.value ? 1 : 0);
    case 'null':
      return sql(`(${both(K.null)})`);
    case 'datetime': {
      const t = temporal(v);
      return t ? sql('(x.d = ? AND x.ms = ?)', ...t) : FALSE;
    }
  }
}

const SQL_OP: Partial<Record<QOp, string>> = { '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/** Ordering: own kinds only (never Relationship targets); booleans and null have no order. */
function order(op: QOp, v: QValue): Sql {
  const o = SQL_OP[op];
  if (o === undefined) return FALSE;
  if (v.kind === 'number') return sql(`(x.k = ${K.number} AND x.v ${o} ?)`, v.value);
  if (v.kind === 'string' || v.kind === 'uri') return sql(`(x.k = ${K.string} AND x.v ${o} ?)`, v.value);
  if (v.kind === 'datetime') {
    const t = temporal(v);
    return t ? sql(`(x.k = ${K.string} AND x.d = ? AND x.ms ${o} ?)`, ...t) : FALSE;
  }
  return FALSE;
}

/**
 * Inclusive range: the value is at least `from` and at most `to`, each compared by its own literal's
 * kind (the reference allows ends of different kinds), Relationship targets included.
 */
function range(from: QValue, to: QValue): Sql {
  const low = bound(from, '>=');
  const high = bound(to, '<=');
  if (low === FALSE || high === FALSE) return FALSE;
  const both = join([low, high], ' AND ');
  return { sql: `(${both.sql})`, params: both.params };
}

function bound(v: QValue, op: '>=' | '<='): Sql {
  if (v.kind === 'number') return sql(`${both(K.number)} AND x.v ${op} ?`, v.value);
  if (v.kind === 'string' || v.kind === 'uri') return sql(`${both(K.string)} AND x.v ${op} ?`, v.value);
  if (v.kind === 'datetime') {
    const t = temporal(v);
    return t ? sql(`x.d = ? AND x.ms ${op} ?`, ...t) : FALSE;
  }
  return FALSE; // booleans and null have no order
}

/** `attr==a,b,c`, grouped by kind so that each group is one index IN-lookup. */
function anyEqual(values: QValue[]): Sql {
  const groups = new Map<string, unknown[]>();
  const parts: Sql[] = [];
  const add = (lhs: string, v: unknown): void => void groups.set(lhs, [...(groups.get(lhs) ?? []), v]);
  for (const v of values) {
    if (v.kind === 'number') add(`${both(K.number)} AND x.v`, v.value);
    else if (v.kind === 'string' || v.kind === 'uri') add(`${both(K.string)} AND x.v`, v.value);
    else if (v.kind === 'boolean') add(`${both(K.boolean)} AND x.v`, v.value ? 1 : 0);
    else {
      const e = equal(v);
      if (e !== FALSE) parts.push(e);
    }
  }
  for (const [lhs, vs] of groups)
    parts.push({ sql: `(${lhs} IN (${vs.map(() => '?').join(', ')}))`, params: vs });
  if (parts.length === 0) return FALSE;
  const all = join(parts, ' OR ');
  return { sql: `(${all.sql})`, params: all.params };
}
