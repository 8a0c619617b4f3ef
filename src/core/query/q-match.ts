/**
 * The reference semantics of q (ETSI GS CIM 009 clause 4.9) as an in-memory evaluator. Subscriptions
 * use it directly; a store compiles the same rules to its own query language, and its conformance
 * suite checks it against this file. Entities and expressions are both expanded.
 *
 * Selection (q-select.ts). A path selects values over every instance of the attribute (any datasetId):
 * - `attr` selects the instance's main value: a Property's or GeoProperty's `value`, a Relationship's
 *   object(s), a ListProperty's list, a ListRelationship's object list, a VocabProperty's expanded
 *   vocab, a JsonProperty's json, a LanguageProperty's texts (each value of its languageMap).
 * - `attr.name` selects the sub-attribute `name` and goes on from there (chains nest);
 *   `observedAt`, `unitCode`, `datasetId`, `createdAt` and `modifiedAt` select that member of the
 *   instance (or sub-attribute) instead, and end the path.
 * - `[k1.k2]` follows member names into a JSON object value (ECMA-262 member access: an array or a
 *   missing member gives nothing). On a LanguageProperty the first key picks the language (`[en]`),
 *   `[*]` any language.
 * - A JSON-LD value object `{"@value": v}` stands for `v`.
 * The target element exists when at least one instance yields a defined value. For comparisons an
 * array value is opened: each element is a value (one level). A missing attribute matches nothing
 * but `!attr`.
 *
 * Comparison of one value with one literal (anything else is a type mismatch, which never matches):
 * - number literal: with numbers, numerically;
 * - string literal (quoted or a bare word) and URI literal: with strings; `==` by identity, ordering
 *   by Unicode code point (the order of UTF-8 bytes: SQLite BINARY, PostgreSQL COLLATE "C");
 * - date-time / date literal: with strings that parse (temporal-literal.ts) as a date-time or date,
 *   by epoch ms; time literal: with strings that parse as a time, by ms after UTC midnight;
 * - true / false: with booleans, `==`/`!=` only; null: with JSON null, `==`/`!=` only.
 * Values selected from a Relationship or ListRelationship take part in `==`, `!=`, lists and ranges
 * only: ordering operators and patterns never match them (clause 4.9).
 *
 * Operators:
 * - `==` v, `<`, `<=`, `>`, `>=`: some selected value satisfies it.
 * - `==a,b,c`: some selected value equals one of the list. `==a..b`: some value lies in [a, b].
 * - `~=` p: some selected string value (not a Relationship target) matches the RegExp (pattern.ts,
 *   searched, not anchored; a leading `(?i)` makes it case-insensitive).
 * - Negations hold when the target exists and the positive form does not hold:
 *   `!=v` ≡ `attr` and not `==v` (so an array value matches when it does not contain v, a mismatching
 *   type counts as unequal, and a missing attribute never matches); `!=a,b` and `!=a..b` likewise.
 *   `!~=p` holds when there is at least one selected string value and none of them matches.
 * - `;` all hold, `|` any holds; `attr` the target exists, `!attr` it does not.
 */
import { NgsiError } from '../errors.js';
import type { Entity } from '../model/entity.js';
import type { QExpr, QValue } from './ast.js';
import { compilePattern } from './pattern.js';
import { type Selected, selectTargets, selectValues } from './q-select.js';
import { parseTemporal } from './temporal-literal.js';

/** A compiled q expression: tells whether an entity matches. */
export type QMatcher = (entity: Entity) => boolean;

const compiled = new WeakMap<QExpr, QMatcher>();

/** True when `entity` matches `expr` (both expanded). Compiles `expr` once and remembers it. */
export function matchesQ(entity: Entity, expr: QExpr): boolean {
  let matcher = compiled.get(expr);
  if (matcher === undefined) {
    matcher = compileQ(expr);
    compiled.set(expr, matcher);
  }
  return matcher(entity);
}

/** Compile an expression into a matcher (patterns are compiled here, once). */
export function compileQ(expr: QExpr): QMatcher {
  switch (expr.kind) {
    case 'and': {
      const parts = expr.items.map(compileQ);
      return (e) => parts.every((p) => p(e));
    }
    case 'or': {
      const parts = expr.items.map(compileQ);
      return (e) => parts.some((p) => p(e));
    }
    case 'exists':
      return (e) => selectTargets(e, expr.path).length > 0;
    case 'notExists':
      return (e) => selectTargets(e, expr.path).length === 0;
    case 'compare': {
      const { path, op, value } = expr;
      if (op === '~=' || op === '!~=') {
        if (value.kind !== 'string') throw new NgsiError('BadRequestData', `${op} needs a string pattern`);
        const re = compilePattern(value.value);
        const strings = (e: Entity): string[] =>
          selectValues(e, path).flatMap((s) =>
            !s.relationship && typeof s.value === 'string' ? [s.value] : [],
          );
        if (op === '~=') return (e) => strings(e).some((s) => re.test(s));
        return (e) => {
          const s = strings(e);
          return s.length > 0 && !s.some((v) => re.test(v));
        };
      }
      const test = literalTest(value);
      if (op === '==') return (e) => selectValues(e, path).some((s) => test.equals(s));
      if (op === '!=') return negated(path, (s) => test.equals(s));
      const holds = ORDER[op];
      return (e) =>
        selectValues(e, path).some((s) => {
          if (s.relationship) return false;
          const c = test.compare(s.value);
          return c !== undefined && holds(c);
        });
    }
    case 'in': {
      const tests = expr.values.map(literalTest);
      const any = (s: Selected): boolean => tests.some((t) => t.equals(s));
      return expr.negate ? negated(expr.path, any) : (e) => selectValues(e, expr.path).some(any);
    }
    case 'range': {
      const from = literalTest(expr.from);
      const to = literalTest(expr.to);
      const inside = (s: Selected): boolean => {
        const low = from.compare(s.value);
        const high = to.compare(s.value);
        return low !== undefined && high !== undefined && low >= 0 && high <= 0;
      };
      return expr.negate ? negated(expr.path, inside) : (e) => selectValues(e, expr.path).some(inside);
    }
  }
}

const ORDER: Record<'<' | '<=' | '>' | '>=', (c: number) => boolean> = {
  '<': (c) => c < 0,
  '<=': (c) => c <= 0,
  '>': (c) => c > 0,
  '>=': (c) => c >= 0,
};

/** `attr` exists and no selected value satisfies `positive`. */
function negated(path: Parameters<typeof selectValues>[1], positive: (s: Selected) => boolean): QMatcher {
  return (e) => selectTargets(e, path).length > 0 && !selectValues(e, path).some(positive);
}

interface LiteralTest {
  /** The value equals the literal. */
  equals(s: Selected): boolean;
  /** Sign of (value - literal), or undefined when they do not compare. */
  compare(value: unknown): number | undefined;
}

function literalTest(lit: QValue): LiteralTest {
  switch (lit.kind) {
    case 'number':
      return {
        equals: (s) => s.value === lit.value,
        compare: (v) => (typeof v === 'number' ? Math.sign(v - lit.value) : undefined),
      };
    case 'string':
    case 'uri':
      return {
        equals: (s) => s.value === lit.value,
        compare: (v) => (typeof v === 'string' ? compareCodePoints(v, lit.value) : undefined),
      };
    case 'boolean':
      return { equals: (s) => s.value === lit.value, compare: () => undefined };
    case 'null':
      return { equals: (s) => s.value === null, compare: () => undefined };
    case 'datetime': {
      const t = parseTemporal(lit.value);
      const compare = (v: unknown): number | undefined => {
        if (t === undefined || typeof v !== 'string') return undefined;
        const p = parseTemporal(v);
        return p !== undefined && p.shape === t.shape ? Math.sign(p.epochMs - t.epochMs) : undefined;
      };
      return { equals: (s) => compare(s.value) === 0, compare };
    }
  }
}

/**
 * Compare two strings by Unicode code point (JavaScript's `<` compares UTF-16 units, which puts
 * U+E000–U+FFFF after the astral planes; UTF-8 byte order, as stores compare, does not).
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return Math.sign(rank(x) - rank(y));
  }
  return Math.sign(a.length - b.length);
}

/** Reorder UTF-16 units so that surrogates (astral code points) sort after U+FFFF. */
function rank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
