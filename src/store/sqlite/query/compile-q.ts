/**
 * Compiles a q expression (NGSI-LD 4.9) to SQL over `attr_values` (paths the index holds) or the
 * `q_select` table function (any other path), with the semantics of the in-memory `matchesQ`:
 * a comparison holds when ANY selected value satisfies it; numbers, strings, dates (epoch ms) and
 * booleans compare only with their own kind; `!=`, negated lists and ranges hold when some existing
 * value does not satisfy the positive test; `!~=` looks at string values only.
 */
import { badRequest } from '../../../core/errors.js';
import type { AttrPath, QExpr, QOp, QValue } from '../../../core/query/ast.js';
import { indexedPathKey } from '../entity-index.js';
import { K } from '../select-values.js';
import { compileRegExp } from '../sql-functions.js';
import { FALSE, join, sql, type CompileContext, type Conjunct, type Sql } from './sql.js';

/** The top-level conjuncts of a q expression, each with an index driver when it has one. */
export function compileQ(q: QExpr, ctx: CompileContext): Conjunct[] {
  if (q.kind === 'and') return q.items.flatMap((item) => compileQ(item, ctx));
  const d = driver(q, ctx);
  return [d ? { probe: probe(q, ctx), driver: d, exact: true } : { probe: probe(q, ctx) }];
}

/** A boolean SQL expression over the entity row `e` for a q expression. */
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
    case 'notExists': {
      const e = exists(q.path, undefined, ctx);
      return { sql: `NOT ${e.sql}`, params: e.params };
    }
    default: {
      const leaf = leafCondition(q);
      return exists(q.path, leaf, ctx);
    }
  }
}

/**
 * `EXISTS` over the rows a path selects for this entity, filtered by `cond` (over alias x).
 * NOT INDEXED pins the primary key (eid, p, i): with ANALYZE statistics SQLite may otherwise
 * skip-scan the value index, which is right for a driver but far slower for a per-entity probe.
 */
function exists(path: AttrPath, cond: Sql | undefined, ctx: CompileContext): Sql {
  if (cond === FALSE) return FALSE;
  const key = indexedPathKey(path);
  const source = key
    ? sql('FROM attr_values x NOT INDEXED WHERE x.eid = e.eid AND x.p = ?', ctx.term(key))
    : sql('FROM q_select(e.doc, ?) x WHERE 1', JSON.stringify(path));
  const where = cond ? join([source, cond], ' AND ') : source;
  return { sql: `EXISTS (SELECT 1 ${where.sql})`, params: where.params };
}

/** An index scan listing the entities a positive leaf on an indexed path selects. */
function driver(q: QExpr, ctx: CompileContext): Sql | undefined {
  if (q.kind === 'or') {
    const parts = q.items.map((i) => driver(i, ctx));
    if (parts.length === 0 || parts.some((p) => p === undefined)) return undefined;
    return join(parts as Sql[], ' UNION ALL ');
  }
  if (q.kind === 'and' || q.kind === 'notExists') return undefined;
  const key = indexedPathKey(q.path);
  if (!key) return undefined;
  const head = sql('SELECT x.eid FROM attr_values x WHERE x.tid = ? AND x.p = ?', ctx.tid, ctx.term(key));
  if (q.kind === 'exists') return head;
  // Negations hold on values an index range cannot list; a regex would test every value of the path.
  if (negated(q) || (q.kind === 'compare' && q.op === '~=')) return undefined;
  const cond = leafCondition(q);
  if (cond === FALSE) return sql('SELECT NULL AS eid WHERE 0');
  return join([head, cond], ' AND ');
}

type Leaf = Extract<QExpr, { kind: 'compare' | 'in' | 'range' }>;

const negated = (q: Leaf): boolean => (q.kind === 'compare' ? q.op === '!=' || q.op === '!~=' : q.negate);

/** The condition on one selected value row (alias x) for a comparison leaf. */
function leafCondition(q: Leaf): Sql {
  if (q.kind === 'compare' && (q.op === '~=' || q.op === '!~=')) {
    const pattern = regexSource(q.value);
    compileRegExp(pattern); // reject a bad pattern before any SQL runs
    const not = q.op === '!~=' ? 'NOT ' : '';
    return sql(`(x.k = ${K.string} AND ${not}regexp(?, x.v))`, pattern);
  }
  let positive: Sql;
  if (q.kind === 'in') positive = anyEqual(q.values);
  else if (q.kind === 'range') positive = range(q.from, q.to);
  else positive = q.op === '==' || q.op === '!=' ? equal(q.value) : order(q.op, q.value);
  if (!negated(q)) return positive;
  // Some existing value (not an instance without values) that fails the positive test.
  if (positive === FALSE) return sql(`x.k <> ${K.none}`);
  return { sql: `(x.k <> ${K.none} AND NOT coalesce(${positive.sql}, 0))`, params: positive.params };
}

function regexSource(v: QValue): string {
  if (v.kind === 'null') throw badRequest('~= needs a pattern');
  return String(v.value);
}

function equal(v: QValue): Sql {
  switch (v.kind) {
    case 'number':
      return sql(`(x.k = ${K.number} AND x.v = ?)`, v.value);
    case 'string':
    case 'uri':
      return sql(`(x.k = ${K.string} AND x.v = ?)`, v.value);
    case 'datetime':
      return sql('(x.ms = ?)', v.epochMs);
    case 'boolean':
      return sql(`(x.k = ${K.boolean} AND x.v = ?)`, v.value ? 1 : 0);
    case 'null':
      return sql(`(x.k = ${K.null})`);
  }
}

const SQL_OP: Record<Exclude<QOp, '==' | '!=' | '~=' | '!~='>, string> = { '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

function order(op: QOp, v: QValue): Sql {
  const o = SQL_OP[op as keyof typeof SQL_OP];
  if (o === undefined) return FALSE;
  switch (v.kind) {
    case 'number':
      return sql(`(x.k = ${K.number} AND x.v ${o} ?)`, v.value);
    case 'string':
    case 'uri':
      return sql(`(x.k = ${K.string} AND x.v ${o} ?)`, v.value);
    case 'datetime':
      return sql(`(x.ms ${o} ?)`, v.epochMs);
    default:
      return FALSE; // booleans and null have no order
  }
}

function range(from: QValue, to: QValue): Sql {
  const cls = (v: QValue): string => (v.kind === 'uri' ? 'string' : v.kind);
  if (cls(from) !== cls(to)) return FALSE;
  if (from.kind === 'number' && to.kind === 'number')
    return sql(`(x.k = ${K.number} AND x.v BETWEEN ? AND ?)`, from.value, to.value);
  if ((from.kind === 'string' || from.kind === 'uri') && (to.kind === 'string' || to.kind === 'uri'))
    return sql(`(x.k = ${K.string} AND x.v BETWEEN ? AND ?)`, from.value, to.value);
  if (from.kind === 'datetime' && to.kind === 'datetime') return sql('(x.ms BETWEEN ? AND ?)', from.epochMs, to.epochMs);
  return FALSE;
}

/** `attr==a,b,c`: grouped by kind so that each group is one index IN-lookup. */
function anyEqual(values: QValue[]): Sql {
  const groups = new Map<string, unknown[]>();
  const add = (g: string, v: unknown): void => void groups.set(g, [...(groups.get(g) ?? []), v]);
  for (const v of values) {
    if (v.kind === 'number') add(`x.k = ${K.number} AND x.v`, v.value);
    else if (v.kind === 'string' || v.kind === 'uri') add(`x.k = ${K.string} AND x.v`, v.value);
    else if (v.kind === 'boolean') add(`x.k = ${K.boolean} AND x.v`, v.value ? 1 : 0);
    else if (v.kind === 'datetime') add('x.ms', v.epochMs);
    else groups.set('null', []);
  }
  const parts = [...groups].map(([lhs, vs]) =>
    lhs === 'null' ? sql(`x.k = ${K.null}`) : { sql: `(${lhs} IN (${vs.map(() => '?').join(', ')}))`, params: vs },
  );
  if (parts.length === 0) return FALSE;
  const all = join(parts, ' OR ');
  return { sql: `(${all.sql})`, params: all.params };
}
