/**
 * The Entity Type Selection Language (ETSI GS CIM 009 clause 4.17), the `type` parameter:
 *
 *   Types = And *(("|" / ",") And)      ; "," is the older spelling of "|"
 *   And   = Unit *(";" Unit)            ; the spec wants parentheses around a conjunction; not required here
 *   Unit  = "(" Types ")" / TypeName
 *
 * A type name is a term or a URI: any run of characters other than `,;|()`, quotes, angle brackets,
 * spaces and control characters. Names stay as written; `expandTypeExpr` expands them.
 */
import { NgsiError } from '../errors.js';
import type { TypeExpr } from './ast.js';
import { parseBoolExpr } from './bool-expr.js';
import { Cursor, DEFAULT_LIMITS, type ParseLimits } from './cursor.js';

const TYPE_NAME = /[^\s,;|()"'<>\p{Cc}]+/uy;

/** Parse a type expression. Throws BadRequestData on a syntax error, TooComplexQuery past the limits. */
export function parseTypeExpr(text: string, limits: ParseLimits = DEFAULT_LIMITS): TypeExpr {
  if (typeof text !== 'string') throw new NgsiError('BadRequestData', 'type must be a string');
  const c = new Cursor(text, 'type', limits);
  return parseBoolExpr(c, typeName);
}

/** One type name (a leaf of the expression). */
function typeName(c: Cursor): TypeExpr {
  c.countTerm();
  const m = c.match(TYPE_NAME);
  if (m === undefined) throw c.fail('an entity type name');
  return { kind: 'type', name: m[0] };
}

/** True when an entity with these (expanded) types satisfies the (expanded) expression. */
export function matchesTypeExpr(expr: TypeExpr, entityTypes: readonly string[]): boolean {
  switch (expr.kind) {
    case 'type':
      return entityTypes.includes(expr.name);
    case 'and':
      return expr.items.every((i) => matchesTypeExpr(i, entityTypes));
    case 'or':
      return expr.items.some((i) => matchesTypeExpr(i, entityTypes));
  }
}

/** All type names an expression mentions (for instance to pick candidate rows before matching). */
export function typeNames(expr: TypeExpr): string[] {
  return expr.kind === 'type' ? [expr.name] : [...new Set(expr.items.flatMap(typeNames))];
}

/** The text form of a type expression; `parseTypeExpr(printTypeExpr(e))` gives back `e`. */
export function printTypeExpr(expr: TypeExpr): string {
  switch (expr.kind) {
    case 'type':
      return expr.name;
    case 'or':
      return expr.items.map((i) => (i.kind === 'or' ? `(${printTypeExpr(i)})` : printTypeExpr(i))).join('|');
    case 'and':
      return expr.items.map((i) => (i.kind === 'type' ? i.name : `(${printTypeExpr(i)})`)).join(';');
  }
}
