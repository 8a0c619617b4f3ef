/**
 * The text form of a parsed q expression: what a subscription stores and what a pagination link
 * repeats. `parseQ(printQ(e))` gives back `e` for every expression `parseQ` produces (groups are
 * flattened, strings and patterns are printed as JSON strings, URIs bare when they read back as URIs).
 */
import type { QExpr, QValue } from './ast.js';
import { printPath } from './attr-path.js';

const BARE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[\p{L}\p{N}\-._~:/?#@!$&*+=%]*$/u;

/** Print a q expression with the fewest parentheses that keep its meaning. */
export function printQ(expr: QExpr): string {
  switch (expr.kind) {
    case 'or':
      return expr.items.map((i) => (i.kind === 'or' ? `(${printQ(i)})` : printQ(i))).join('|');
    case 'and':
      return expr.items
        .map((i) => (i.kind === 'or' || i.kind === 'and' ? `(${printQ(i)})` : printQ(i)))
        .join(';');
    case 'exists':
      return printPath(expr.path);
    case 'notExists':
      return `!${printPath(expr.path)}`;
    case 'compare': {
      const pattern = expr.op === '~=' || expr.op === '!~=';
      const value =
        pattern && expr.value.kind === 'string' ? JSON.stringify(expr.value.value) : printValue(expr.value);
      return `${printPath(expr.path)}${expr.op}${value}`;
    }
    case 'in':
      return `${printPath(expr.path)}${expr.negate ? '!=' : '=='}${expr.values.map(printValue).join(',')}`;
    case 'range':
      return `${printPath(expr.path)}${expr.negate ? '!=' : '=='}${printValue(expr.from)}..${printValue(expr.to)}`;
  }
}

/** The q text of one literal. */
export function printValue(value: QValue): string {
  switch (value.kind) {
    case 'number':
      return Object.is(value.value, -0) ? '-0' : String(value.value);
    case 'string':
      return JSON.stringify(value.value);
    case 'boolean':
      return String(value.value);
    case 'datetime':
      return value.value;
    case 'uri':
      return BARE_URI.test(value.value) ? value.value : JSON.stringify(value.value);
    case 'null':
      return 'null';
  }
}
