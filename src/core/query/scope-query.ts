/**
 * Scopes (ETSI GS CIM 009 clause 4.18) and the Scope Query Language (clause 4.19), `scopeQ`:
 *
 *   ScopesQ = And *(("|" / ",") And)
 *   And     = Unit *(";" Unit)          ; the spec wants parentheses around a conjunction; not required here
 *   Unit    = "(" ScopesQ ")" / Scope
 *   Scope   = "/#"                      ; any (non-empty) scope
 *           / 1*("/" Level) ["/#"]      ; "/#" at the end: this scope and every scope below it
 *   Level   = unicodeLetter *(unicodeLetter / unicodeNumber / "_") / "+"   ; "+" any one level
 *
 * An entity matches a scope term when any of its scopes matches it; a conjunction may be met by
 * different scopes of the entity. An entity without scopes matches no scope term.
 */
import { NgsiError } from '../errors.js';
import type { ScopeExpr } from './ast.js';
import { parseBoolExpr } from './bool-expr.js';
import { Cursor, DEFAULT_LIMITS, type ParseLimits } from './cursor.js';

const LEVEL = /\p{L}[\p{L}\p{N}_]*/uy;
const SCOPE = /^(?:\/\p{L}[\p{L}\p{N}_]*)+$/u;
/** Longest scope value, and most scopes on one entity. */
const MAX_SCOPE_LENGTH = 1024;
const MAX_SCOPES = 256;

/** Parse a scope query. Throws BadRequestData on a syntax error, TooComplexQuery past the limits. */
export function parseScopeQ(text: string, limits: ParseLimits = DEFAULT_LIMITS): ScopeExpr {
  if (typeof text !== 'string') throw new NgsiError('BadRequestData', 'scopeQ must be a string');
  const c = new Cursor(text, 'scopeQ', limits);
  return parseBoolExpr(c, parseScope);
}

function parseScope(c: Cursor): ScopeExpr {
  c.countTerm();
  const segments: string[] = [];
  c.expect('/', "a scope starting with '/'");
  for (;;) {
    if (c.eat('#')) return { kind: 'scope', segments, descendants: true };
    if (c.eat('+')) {
      segments.push('+');
    } else {
      const m = c.match(LEVEL);
      if (m === undefined) throw c.fail("a scope level (a name, '+' or, last, '#')");
      segments.push(m[0]);
    }
    if (!c.eat('/')) return { kind: 'scope', segments, descendants: false };
  }
}

/** True when an entity with these scopes satisfies the scope query. */
export function matchesScopeQ(expr: ScopeExpr, scopes: readonly string[] | undefined): boolean {
  switch (expr.kind) {
    case 'scope':
      return (scopes ?? []).some((s) => scopeMatches(expr.segments, expr.descendants, s));
    case 'and':
      return expr.items.every((i) => matchesScopeQ(i, scopes));
    case 'or':
      return expr.items.some((i) => matchesScopeQ(i, scopes));
  }
}

function scopeMatches(segments: readonly string[], descendants: boolean, scope: string): boolean {
  const levels = scope.split('/').slice(1);
  if (descendants ? levels.length < segments.length : levels.length !== segments.length) return false;
  return segments.every((seg, i) => seg === '+' || seg === levels[i]);
}

/** The text form of a scope query; `parseScopeQ(printScopeQ(e))` gives back `e`. */
export function printScopeQ(expr: ScopeExpr): string {
  switch (expr.kind) {
    case 'scope': {
      const path = expr.segments.map((s) => `/${s}`).join('');
      return expr.descendants ? `${path}/#` : path;
    }
    case 'or':
      return expr.items.map((i) => (i.kind === 'or' ? `(${printScopeQ(i)})` : printScopeQ(i))).join('|');
    case 'and':
      return expr.items.map((i) => (i.kind === 'scope' ? printScopeQ(i) : `(${printScopeQ(i)})`)).join(';');
  }
}

/**
 * Validate an entity's `scope` member: a scope string or an array of them, each `/level(/level)*`
 * with levels as in scope queries. Returns the scopes as an array without duplicates.
 */
export function validateScope(value: unknown): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list))
    throw new NgsiError('BadRequestData', 'scope must be a string or an array of strings');
  if (list.length > MAX_SCOPES) {
    throw new NgsiError('BadRequestData', `an entity may have at most ${MAX_SCOPES} scopes`);
  }
  for (const s of list) {
    if (typeof s !== 'string' || s.length > MAX_SCOPE_LENGTH || !SCOPE.test(s)) {
      throw new NgsiError(
        'BadRequestData',
        `scope ${typeof s === 'string' ? JSON.stringify(s.slice(0, 100)) : `of type ${typeof s}`} is not valid: a scope is /level(/level)*, each level a letter followed by letters, digits or '_'`,
      );
    }
  }
  return [...new Set(list as string[])];
}
