/**
 * Compiles q (NGSI-LD 4.9) to PostgreSQL with the reference semantics of core/query/q-match.ts, over
 * the value rows of `attr_values` (entities/value-rows.ts: kind `k`, `num`, `str`, temporal `d`/`ms`).
 * Each leaf on a plain attribute path is an `EXISTS` over that entity's rows of the attribute, so
 * PostgreSQL may drive a query from the partial index of the value's kind or probe by primary key.
 * A comparison holds when some selected value satisfies it; kinds compare only with their own kind;
 * Relationship targets (k + REL) take part in equality, lists and ranges only; a negation holds
 * when the target exists and the positive form does not.
 *
 * What PostgreSQL cannot evaluate with the reference semantics is left to JavaScript (residual.ts):
 * a top-level conjunct of q holding a pattern (`~=`, `!~=`: JavaScript RegExp is not PostgreSQL's
 * regex dialect) or a leaf on a non-plain path (sub-attributes, members such as observedAt, `[keys]`:
 * the rows hold plain paths only). It contributes to the SQL only a necessary condition that narrows
 * the candidates (`necessary`), and is decided per candidate in JavaScript: from columns when all its
 * paths are plain (each SQL-decidable leaf a boolean column, each pattern the attribute's string
 * values), else whole by the core `matchesQ` on the document.
 */
import { badRequest } from '../../../core/errors.js';
import type { AttrPath, QExpr, QOp, QValue } from '../../../core/query/ast.js';
import { compilePattern } from '../../../core/query/pattern.js';
import { matchesQ } from '../../../core/query/q-match.js';
import { parseTemporal } from '../../../core/query/temporal-literal.js';
import { K, REL, SHAPE } from '../../shared/value-kinds.js';
import type { Candidate, ResidualBuilder } from './residual.js';
import { and, FALSE, hasNul, not, or, TENANT, TRUE, type Params } from './sql-builder.js';

/** What compiling needs: the statement's values and the placeholder of an attribute's term id. */
export interface CompileContext {
  params: Params;
  /** Placeholder of the interned id of an IRI, or undefined when the IRI was never interned. */
  term(iri: string): string | undefined;
  /** The column holding the entity number (`e.eid`, or the driving type row's `td.eid`). */
  eid: string;
  /** Set when a condition reads the entity row itself (its document), not only its number. */
  readsEntity: boolean;
  /** Where the tests left to JavaScript go. */
  residual: ResidualBuilder;
}

type Leaf = Extract<QExpr, { kind: 'compare' | 'in' | 'range' }>;
type Test = (c: Candidate) => boolean;

/**
 * Compile q to SQL conjuncts (exact, or necessary for a part left to JavaScript, whose tests go to
 * `ctx.residual`); throws BadRequestData for a bad pattern, before any SQL runs.
 */
export function compileQ(q: QExpr, ctx: CompileContext): string[] {
  checkPatterns(q);
  return conjuncts(q).map((c) => {
    if (!needsJs(c)) return exact(c, ctx);
    const byColumns = allPlain(c) ? columnTest(c, ctx) : undefined;
    if (byColumns) ctx.residual.add(byColumns);
    else ctx.residual.add((cand) => cand.entity !== undefined && matchesQ(cand.entity, c), true);
    return necessary(c, ctx);
  });
}

/** The top-level ANDed parts of an expression. */
function conjuncts(q: QExpr): QExpr[] {
  return q.kind === 'and' ? q.items.flatMap(conjuncts) : [q];
}

/** A path held in attr_values: an attribute with no sub-attribute, member or JSON key. */
export const isPlain = (p: AttrPath): boolean => p.sub.length === 0 && p.keys.length === 0;

const isPattern = (q: QExpr): boolean => q.kind === 'compare' && (q.op === '~=' || q.op === '!~=');

/** True when some leaf of the expression must be evaluated in JavaScript. */
function needsJs(q: QExpr): boolean {
  if (q.kind === 'and' || q.kind === 'or') return q.items.some(needsJs);
  return !isPlain(q.path) || isPattern(q);
}

/** True when every path of the expression is plain. */
function allPlain(q: QExpr): boolean {
  return q.kind === 'and' || q.kind === 'or' ? q.items.every(allPlain) : isPlain(q.path);
}

/**
 * The JavaScript test of a conjunct on plain paths, from per-candidate columns: a boolean for each
 * leaf SQL decides, the string values (own, not Relationship targets: kind `string`) for a pattern.
 */
function columnTest(q: QExpr, ctx: CompileContext): Test {
  if (q.kind === 'and' || q.kind === 'or') {
    const parts = q.items.map((i) => columnTest(i, ctx));
    return q.kind === 'and' ? (c) => parts.every((p) => p(c)) : (c) => parts.some((p) => p(c));
  }
  if (!isPattern(q)) {
    const sql = exact(q, ctx);
    if (sql === TRUE || sql === FALSE) return () => sql === TRUE;
    const col = ctx.residual.column(sql);
    return (c) => c.row[col] === true;
  }
  const leaf = q as Extract<QExpr, { kind: 'compare' }>;
  const p = ctx.term(leaf.path.attr);
  if (p === undefined) return () => false; // no string value: neither ~= nor !~= holds
  const re = compilePattern((leaf.value as { value: string }).value);
  const col = ctx.residual.column(
    `ARRAY(SELECT x.str FROM attr_values x WHERE x.eid = ${ctx.eid} AND x.p = ${p} AND x.k = ${K.string})`,
  );
  const strings = (c: Candidate): string[] => (c.row[col] as string[] | null) ?? [];
  if (leaf.op === '~=') return (c) => strings(c).some((s) => re.test(s));
  return (c) => {
    const s = strings(c);
    return s.length > 0 && !s.some((v) => re.test(v));
  };
}

/** Refuse a pattern the reference would refuse (not a string, risky, invalid). */
function checkPatterns(q: QExpr): void {
  if (q.kind === 'and' || q.kind === 'or') return q.items.forEach(checkPatterns);
  if (q.kind !== 'compare' || !isPattern(q)) return;
  if (q.value.kind !== 'string') throw badRequest(`${q.op} needs a string pattern`);
  compilePattern(q.value.value);
}

/** The exact SQL of an expression whose leaves are all on plain paths and none a pattern. */
function exact(q: QExpr, ctx: CompileContext): string {
  switch (q.kind) {
    case 'and':
      return and(q.items.map((i) => exact(i, ctx)));
    case 'or':
      return or(q.items.map((i) => exact(i, ctx)));
    case 'exists':
      return exists(q.path, undefined, ctx);
    case 'notExists':
      return not(exists(q.path, undefined, ctx));
    default: {
      const pos = positive(q, ctx.params);
      if (!negated(q)) return exists(q.path, pos, ctx);
      // The target exists and no value satisfies the positive form.
      return and([exists(q.path, undefined, ctx), not(exists(q.path, pos, ctx))]);
    }
  }
}

/**
 * A condition every entity matching `q` satisfies (a superset), for a conjunct left to JavaScript:
 * exact for the parts PostgreSQL can evaluate, "has a string value" for a pattern on a plain path,
 * "has the attribute" (in the document) for a leaf on another path, nothing for an absence there.
 */
function necessary(q: QExpr, ctx: CompileContext): string {
  if (q.kind === 'and') return and(q.items.map((i) => necessary(i, ctx)));
  if (q.kind === 'or') return or(q.items.map((i) => necessary(i, ctx)));
  if (!needsJs(q)) return exact(q, ctx);
  if (q.kind === 'notExists') return TRUE;
  // `~=` needs a string value that matches, `!~=` at least one string value: both some string.
  if (isPlain(q.path)) return exists(q.path, `x.k = ${K.string}`, ctx);
  if (hasNul(q.path.attr)) return FALSE;
  ctx.readsEntity = true;
  return `(e.doc -> 'attrs' -> ${ctx.params.add(q.path.attr, 'text')}) IS NOT NULL`;
}

/** `EXISTS` over the entity's value rows of a plain path, filtered by `cond` (over alias x). */
function exists(path: AttrPath, cond: string | undefined, ctx: CompileContext): string {
  if (cond === FALSE) return FALSE;
  const p = ctx.term(path.attr);
  if (p === undefined) return FALSE;
  const where = `x.eid = ${ctx.eid} AND x.tenant = ${TENANT} AND x.p = ${p}${cond ? ` AND ${cond}` : ''}`;
  return `EXISTS (SELECT 1 FROM attr_values x WHERE ${where})`;
}

const negated = (q: Leaf): boolean => (q.kind === 'compare' ? q.op === '!=' || q.op === '!~=' : q.negate);

/** The positive condition of a leaf on one value row (alias x): `==` for `!=`, each value of a list. */
function positive(q: Leaf, params: Params): string {
  if (q.kind === 'in') return anyEqual(q.values, params);
  if (q.kind === 'range') return and([bound(q.from, '>=', params), bound(q.to, '<=', params)]);
  return q.op === '==' || q.op === '!=' ? equal(q.value, params) : order(q.op, q.value, params);
}

/** Kinds equal to a literal of this kind: own values and Relationship targets. */
const both = (k: number): string => `x.k IN (${k}, ${k + REL})`;

/** Shape code and ms of a temporal literal, or undefined when it does not parse (then nothing matches). */
function temporal(v: Extract<QValue, { kind: 'datetime' }>): [number, number] | undefined {
  const t = typeof v.value === 'string' ? parseTemporal(v.value) : undefined;
  return t && [SHAPE[t.shape], t.epochMs];
}

/** A number literal PostgreSQL compares as JavaScript does (NaN equals and orders with nothing). */
const comparable = (n: unknown): n is number => typeof n === 'number' && !Number.isNaN(n);

function equal(v: QValue, params: Params): string {
  switch (v.kind) {
    case 'number':
      return comparable(v.value) ? `${both(K.number)} AND x.num = ${params.add(v.value, 'float8')}` : FALSE;
    case 'string':
    case 'uri':
      // Stored strings never hold U+0000, so a literal holding one equals none of them.
      return typeof v.value !== 'string' || hasNul(v.value)
        ? FALSE
        : `${both(K.string)} AND x.str = ${params.add(v.value, 'text')}`;
    case 'boolean':
      return `${both(K.boolean)} AND x.num = ${params.add(v.value ? 1 : 0, 'float8')}`;
    case 'null':
      return both(K.null);
    case 'datetime': {
      const t = temporal(v);
      return t ? `x.d = ${t[0]} AND x.ms = ${params.add(t[1], 'bigint')}` : FALSE;
    }
    default:
      return FALSE;
  }
}

type Ordering = '<' | '<=' | '>' | '>=';
const ORDERINGS: ReadonlySet<QOp> = new Set(['<', '<=', '>', '>=']);

/** Ordering: own kinds only (never Relationship targets); booleans and null have no order. */
function order(op: QOp, v: QValue, params: Params): string {
  if (!ORDERINGS.has(op)) return FALSE;
  const o = op as Ordering;
  if (v.kind === 'number')
    return comparable(v.value) ? `x.k = ${K.number} AND x.num ${o} ${params.add(v.value, 'float8')}` : FALSE;
  if (v.kind === 'string' || v.kind === 'uri') {
    if (typeof v.value !== 'string') return FALSE;
    const [so, s] = stringOrdering(o, v.value);
    return `x.k = ${K.string} AND x.str ${so} ${params.add(s, 'text')}`;
  }
  if (v.kind === 'datetime') {
    const t = temporal(v);
    return t ? `x.k = ${K.string} AND x.d = ${t[0]} AND x.ms ${o} ${params.add(t[1], 'bigint')}` : FALSE;
  }
  return FALSE;
}

/**
 * Inclusive range bound: the value is at least (`>=`) or at most (`<=`) the literal, compared by the
 * literal's own kind (the reference allows ends of different kinds), Relationship targets included.
 */
function bound(v: QValue, op: '>=' | '<=', params: Params): string {
  if (v.kind === 'number')
    return comparable(v.value) ? `${both(K.number)} AND x.num ${op} ${params.add(v.value, 'float8')}` : FALSE;
  if (v.kind === 'string' || v.kind === 'uri') {
    if (typeof v.value !== 'string') return FALSE;
    const [so, s] = stringOrdering(op, v.value);
    return `${both(K.string)} AND x.str ${so} ${params.add(s, 'text')}`;
  }
  if (v.kind === 'datetime') {
    const t = temporal(v);
    return t ? `x.d = ${t[0]} AND x.ms ${op} ${params.add(t[1], 'bigint')}` : FALSE;
  }
  return FALSE; // booleans and null have no order
}

/**
 * A string ordering PostgreSQL can bind: text cannot hold U+0000, so a literal `P\0R` becomes its
 * prefix P with an adjusted operator. No stored string holds U+0000, so for a stored s (code-point
 * order) s < P\0R ⇔ s ≤ P and s > P\0R ⇔ s > P.
 */
export function stringOrdering(op: Ordering, lit: string): [Ordering, string] {
  const nul = lit.indexOf('\u0000');
  if (nul < 0) return [op, lit];
  return [op === '<' || op === '<=' ? '<=' : '>', lit.slice(0, nul)];
}

/** `attr==a,b,c`: one array comparison per kind, so each is one index lookup. */
function anyEqual(values: QValue[], params: Params): string {
  const numbers: number[] = [];
  const strings: string[] = [];
  const booleans: number[] = [];
  const parts: string[] = [];
  for (const v of values) {
    if (v.kind === 'number') {
      if (comparable(v.value)) numbers.push(v.value);
    } else if (v.kind === 'string' || v.kind === 'uri') {
      if (typeof v.value === 'string' && !hasNul(v.value)) strings.push(v.value);
    } else if (v.kind === 'boolean') booleans.push(v.value ? 1 : 0);
    else parts.push(equal(v, params));
  }
  if (numbers.length > 0) parts.push(`${both(K.number)} AND x.num = ANY(${params.add(numbers, 'float8[]')})`);
  if (strings.length > 0) parts.push(`${both(K.string)} AND x.str = ANY(${params.add(strings, 'text[]')})`);
  if (booleans.length > 0)
    parts.push(`${both(K.boolean)} AND x.num = ANY(${params.add(booleans, 'float8[]')})`);
  return or(parts.map((p) => (p === FALSE || p === TRUE ? p : `(${p})`)));
}
