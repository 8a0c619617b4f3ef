/**
 * Parser of the NGSI-LD Query Language, the `q` parameter (ETSI GS CIM 009 clause 4.9):
 *
 *   Query     = Or
 *   Or        = And *("|" And)                     ; ";" binds tighter than "|"
 *   And       = Unit *(";" Unit)
 *   Unit      = "(" Or ")" / Term
 *   Term      = "!" Path                            ; the target element does not exist
 *             / Path [Operator Value]               ; a bare path: the target element exists
 *   Path      = Name *("." Name) ["[" Key *("." Key) "]"]
 *   Operator  = "==" / "!=" / ">" / ">=" / "<" / "<=" / "~=" / "!~="
 *
 * Values: JSON numbers, JSON strings ("..." with escapes), true, false, null, ISO 8601 date-times,
 * dates and times, unquoted URIs (`refX==urn:ngsi-ld:Foo:1`), ranges `a..b` and lists `a,b,c` (the
 * last two and true/false/null/URIs with `==`/`!=` only). After `~=`/`!~=` comes a pattern, quoted
 * or raw up to the next `;` or `|` outside parentheses. Unquoted words that are not URIs are taken as
 * strings with `==`/`!=` (clients send `category==commercial`; the spec would have it quoted).
 * Spaces and tabs between tokens are tolerated. Names stay as written; `expandQExpr` expands them.
 * Linked-entity paths (`attr{sub}`) are recognised and refused as not supported.
 */
import { NgsiError } from '../errors.js';
import type { AttrPath, QExpr, QOp, QValue } from './ast.js';
import { isPathMember } from './attr-path.js';
import { Cursor, DEFAULT_LIMITS, type ParseLimits } from './cursor.js';
import { compilePattern } from './pattern.js';
import { TEMPORAL_TOKENS, parseTemporal } from './temporal-literal.js';

/** Limits of a q expression: length 4096, nesting 32, 256 terms. */
export const Q_LIMITS: ParseLimits = DEFAULT_LIMITS;

const NAME = /\p{L}[\p{L}\p{N}_]*(?::\p{L}[\p{L}\p{N}_]*)?/uy;
const KEY = /[^\s.[\]"'();|,=<>!~{}]+/uy;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD = /\p{L}[\p{L}\p{N}\-._~:/?#@!$&*+=%]*/uy;
const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const OPERATORS: readonly QOp[] = ['==', '!~=', '!=', '~=', '>=', '>', '<=', '<'];
const EXPECTED_VALUE = 'a value (number, "string", date/time, true, false, null or URI)';

/**
 * Parse a q expression (already URL-decoded) into its AST. Throws NgsiError BadRequestData with the
 * character position and what was expected on a syntax error, TooComplexQuery past the limits.
 */
export function parseQ(text: string, limits: ParseLimits = Q_LIMITS): QExpr {
  if (typeof text !== 'string') throw new NgsiError('BadRequestData', 'q must be a string');
  const c = new Cursor(text, 'q', limits);
  c.skipSpace();
  if (c.atEnd) throw c.error('the query is empty');
  const expr = parseOr(c);
  if (!c.atEnd)
    throw c.fail(c.peek() === ')' ? "';', '|' or the end (this ')' closes nothing)" : "';', '|' or the end");
  return expr;
}

function parseOr(c: Cursor): QExpr {
  const items = [parseAnd(c)];
  while (c.eat('|')) items.push(parseAnd(c));
  return combine('or', items);
}

function parseAnd(c: Cursor): QExpr {
  const items = [parseUnit(c)];
  while (c.eat(';')) items.push(parseUnit(c));
  return combine('and', items);
}

/** One operand of `;`/`|`; leaves the cursor after any trailing spaces. */
function parseUnit(c: Cursor): QExpr {
  c.skipSpace();
  let expr: QExpr;
  if (c.eat('(')) {
    c.enter();
    expr = parseOr(c);
    c.expect(')', "';', '|' or ')'");
    c.leave();
  } else {
    expr = parseTerm(c);
  }
  c.skipSpace();
  return expr;
}

/** Flatten nested groups of the same kind: `(a;b);c` is `a;b;c`. */
function combine(kind: 'and' | 'or', items: QExpr[]): QExpr {
  if (items.length === 1 && items[0] !== undefined) return items[0];
  return { kind, items: items.flatMap((i) => (i.kind === kind ? i.items : [i])) };
}

function parseTerm(c: Cursor): QExpr {
  c.countTerm();
  if (c.eat('!')) return { kind: 'notExists', path: parsePath(c) };
  const path = parsePath(c);
  c.skipSpace();
  if (c.atEnd || c.peek() === ';' || c.peek() === '|' || c.peek() === ')') return { kind: 'exists', path };
  const opAt = c.pos;
  const op = OPERATORS.find((o) => c.eat(o));
  if (op === undefined) throw c.fail("an operator (==, !=, <, <=, >, >=, ~=, !~=), ';', '|', ')' or the end");
  c.skipSpace();
  if (op === '~=' || op === '!~=') return { kind: 'compare', path, op, value: parsePattern(c) };
  if (op === '==' || op === '!=') return parseEqualityValue(c, path, op);
  const valueAt = c.pos;
  const { value, comparable } = parseValue(c);
  if (!comparable) {
    throw c.error(
      `operator ${op} needs a number, a quoted string or a date/time (at character ${opAt + 1})`,
      valueAt,
    );
  }
  return { kind: 'compare', path, op, value };
}

function parsePath(c: Cursor): AttrPath {
  const attr = parseName(c, 'an attribute name');
  const sub: string[] = [];
  let last = attr;
  while (c.peek() === '.') {
    if (sub.length > 0 && isPathMember(last))
      throw c.error(`${last} selects a member of the attribute; no name may follow it`);
    c.pos++;
    last = parseName(c, "a sub-attribute name after '.'");
    sub.push(last);
  }
  const keys: string[] = [];
  if (c.eat('[')) {
    do {
      const m = c.match(KEY);
      if (m === undefined) throw c.fail('a JSON key or language tag');
      keys.push(m[0]);
    } while (c.eat('.'));
    c.expect(']', "'.' or ']'");
  }
  if (c.peek() === '{') {
    throw new NgsiError(
      'OperationNotSupported',
      `q at character ${c.pos + 1}: linked-entity queries (attr{...}) are not supported`,
    );
  }
  return { attr, sub, keys };
}

function parseName(c: Cursor, what: string): string {
  const m = c.match(NAME);
  if (m === undefined) throw c.fail(what);
  return m[0];
}

function parseEqualityValue(c: Cursor, path: AttrPath, op: '==' | '!='): QExpr {
  const negate = op === '!=';
  const fromAt = c.pos;
  const first = parseValue(c);
  c.skipSpace();
  if (c.eat('..')) {
    c.skipSpace();
    const toAt = c.pos;
    const second = parseValue(c);
    if (!first.comparable) throw c.error('a range needs numbers, quoted strings or dates/times', fromAt);
    if (!second.comparable || !sameKind(first.value, second.value)) {
      throw c.error(
        'both ends of a range must be of the same kind (number, string, date-time, date or time)',
        toAt,
      );
    }
    return { kind: 'range', path, negate, from: first.value, to: second.value };
  }
  if (c.peek() !== ',') return { kind: 'compare', path, op, value: first.value };
  const values = [first.value];
  while (c.eat(',')) {
    c.skipSpace();
    values.push(parseValue(c).value);
    c.skipSpace();
  }
  return { kind: 'in', path, negate, values };
}

function sameKind(a: QValue, b: QValue): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind !== 'datetime' || b.kind !== 'datetime') return true;
  return parseTemporal(a.value)?.shape === parseTemporal(b.value)?.shape;
}

/** A literal; `comparable` when it may stand after an ordering operator or in a range. */
function parseValue(c: Cursor): { value: QValue; comparable: boolean } {
  const start = c.pos;
  if (c.peek() === '"') return { value: { kind: 'string', value: parseQuoted(c) }, comparable: true };
  for (const token of TEMPORAL_TOKENS) {
    const m = c.match(token);
    if (m === undefined) continue;
    const t = parseTemporal(m[0]);
    if (t === undefined) throw c.error(`${m[0]} is not a valid date, time or date-time`, start);
    return { value: { kind: 'datetime', value: m[0], epochMs: t.epochMs }, comparable: true };
  }
  const num = c.match(NUMBER);
  if (num !== undefined) {
    const n = Number(num[0]);
    if (!Number.isFinite(n)) throw c.error(`${num[0]} is out of the range of numbers`, start);
    return { value: { kind: 'number', value: n }, comparable: true };
  }
  const word = c.match(WORD);
  if (word === undefined) throw c.fail(EXPECTED_VALUE);
  let w = word[0];
  const isUri = URI_SCHEME.test(w);
  // Outside a URI, `..` is the range operator: `a==x..y` is a (refused) range, not the word "x..y".
  const dots = isUri ? -1 : w.indexOf('..');
  if (dots > 0) {
    w = w.slice(0, dots);
    c.pos = start + dots;
  }
  if (w === 'true' || w === 'false')
    return { value: { kind: 'boolean', value: w === 'true' }, comparable: false };
  if (w === 'null') return { value: { kind: 'null' }, comparable: false };
  return {
    value: URI_SCHEME.test(w) ? { kind: 'uri', value: w } : { kind: 'string', value: w },
    comparable: false,
  };
}

const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** A JSON string (RFC 8259 section 7) starting at the cursor's `"`. */
function parseQuoted(c: Cursor): string {
  const start = c.pos++;
  let out = '';
  for (;;) {
    if (c.atEnd) throw c.error('the string is not closed by a "', start);
    const ch = c.text.charAt(c.pos);
    if (ch === '"') {
      c.pos++;
      return out;
    }
    if (ch !== '\\') {
      out += ch;
      c.pos++;
      continue;
    }
    const e = c.peek(1);
    const simple = ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      c.pos += 2;
    } else if (e === 'u' && /^[0-9A-Fa-f]{4}$/.test(c.text.slice(c.pos + 2, c.pos + 6))) {
      out += String.fromCharCode(parseInt(c.text.slice(c.pos + 2, c.pos + 6), 16));
      c.pos += 6;
    } else {
      throw c.error('invalid escape in a string (use \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)');
    }
  }
}

/** The pattern after `~=`: a quoted string, or raw text up to `;`/`|` outside parentheses. */
function parsePattern(c: Cursor): QValue {
  const start = c.pos;
  const source = c.peek() === '"' ? parseQuoted(c) : scanRawPattern(c);
  if (source === '') throw c.fail('a pattern', start);
  try {
    compilePattern(source);
  } catch (e) {
    if (e instanceof NgsiError) throw c.error(e.detail, start, e);
    throw e;
  }
  return { kind: 'string', value: source };
}

function scanRawPattern(c: Cursor): string {
  const start = c.pos;
  let depth = 0;
  scan: while (!c.atEnd) {
    switch (c.peek()) {
      case '\\':
        c.pos += 2;
        continue;
      case '[':
        c.pos++;
        while (!c.atEnd && c.peek() !== ']') c.pos += c.peek() === '\\' ? 2 : 1;
        break;
      case '(':
        depth++;
        break;
      case ')':
        if (depth === 0) break scan;
        depth--;
        break;
      case ';':
      case '|':
        if (depth === 0) break scan;
        break;
    }
    c.pos++;
  }
  c.pos = Math.min(c.pos, c.text.length);
  return c.text.slice(start, c.pos).replace(/[ \t]+$/, '');
}
