/**
 * Regular expressions of the q operators `~=` and `!~=`. A client's pattern runs inside the broker
 * against values of any length, so it is checked before it is ever run: bounded length; no
 * back-references or look-arounds; no quantified group that itself repeats or holds alternatives
 * (the shapes of exponential backtracking, `(a+)+$`, `(a|a)*`); at most a few unbounded repetitions
 * (each one multiplies the polynomial cost). Leading and trailing `.*`, which a search does not need
 * but which make it quadratic, are dropped before compiling. The q parser calls `compilePattern` to
 * reject bad patterns with a 400; the evaluator and stores call it again to run them, so every side
 * accepts and interprets the same patterns the same way.
 */
import { NgsiError } from '../errors.js';

/** Longest accepted pattern, in characters. */
export const MAX_PATTERN_LENGTH = 256;

const CASE_INSENSITIVE_PREFIX = '(?i)';

/**
 * Compile a q pattern to a JavaScript RegExp (searching, not anchored: `^`/`$` anchor explicitly).
 * A leading `(?i)` (the POSIX/PCRE spelling clients use) turns on case-insensitive matching.
 * Throws BadRequestData when the pattern is too long, risky or not a valid expression.
 */
export function compilePattern(source: string): RegExp {
  if (source.length > MAX_PATTERN_LENGTH) {
    throw new NgsiError(
      'BadRequestData',
      `pattern is ${source.length} characters long; at most ${MAX_PATTERN_LENGTH} are accepted`,
    );
  }
  const insensitive = source.startsWith(CASE_INSENSITIVE_PREFIX);
  const flags = insensitive ? 'i' : '';
  const written = insensitive ? source.slice(CASE_INSENSITIVE_PREFIX.length) : source;
  try {
    // Checked as written first: dropping `.*` must not make an invalid pattern valid (`.*{2}`).
    new RegExp(written, flags);
  } catch (e) {
    throw new NgsiError(
      'BadRequestData',
      `pattern ${JSON.stringify(source)} is not a valid regular expression`,
      {
        cause: e,
      },
    );
  }
  const body = dropOuterWildcards(written);
  const risk = findRisk(body);
  if (risk !== undefined) throw new NgsiError('BadRequestData', `pattern ${JSON.stringify(source)} ${risk}`);
  return new RegExp(body, flags);
}

/**
 * Drop a leading and a trailing `.*` (or `.*?`): for a search they change nothing (`.*x` finds
 * a match exactly where `x` does), but each costs a scan of the rest of the value at every position.
 */
function dropOuterWildcards(body: string): string {
  let b = body;
  for (;;) {
    const lead = /^\.\*\??/.exec(b);
    if (lead === null) break;
    b = b.slice(lead[0].length);
  }
  for (;;) {
    const tail = /\.\*\??$/.exec(b);
    if (tail === null || escaped(b, tail.index) || insideClass(b, tail.index)) break;
    b = b.slice(0, tail.index);
  }
  return b;
}

/** The character at `i` is escaped (an odd number of backslashes precede it). */
function escaped(b: string, i: number): boolean {
  let n = 0;
  while (i - n - 1 >= 0 && b[i - n - 1] === '\\') n++;
  return n % 2 === 1;
}

/** Position `i` is inside a character class `[...]`. */
function insideClass(b: string, i: number): boolean {
  let j = 0;
  while (j < i) {
    if (b[j] === '\\') j += 2;
    else if (b[j] === '[') {
      const end = skipClass(b, j);
      if (i < end) return true;
      j = end;
    } else j++;
  }
  return false;
}

interface Group {
  /** The group holds a repetition somewhere inside it. */
  repeats: boolean;
  /** The group holds an alternation `|` somewhere inside it. */
  alternates: boolean;
}

/** Most unbounded repetitions (`*`, `+`, `{n,}`) in one pattern: each multiplies backtracking. */
const MAX_UNBOUNDED = 3;

/** Why the pattern could backtrack without bound, or undefined when it looks linear enough. */
function findRisk(body: string): string | undefined {
  const stack: Group[] = [{ repeats: false, alternates: false }];
  let unboundedCount = 0;
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    let q: Quantifier = { length: 0, unbounded: false, variable: false };
    if (c === '\\') {
      const next = body[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'uses a back-reference, which is not supported';
      i += 2;
      q = quantifierAt(body, i);
    } else if (c === '[') {
      i = skipClass(body, i);
      q = quantifierAt(body, i);
    } else if (c === '(') {
      if (/^\(\?<?[=!]/.test(body.slice(i, i + 4))) return 'uses a look-around, which is not supported';
      stack.push({ repeats: false, alternates: false });
      i++;
      continue;
    } else if (c === ')') {
      const closed = stack.length > 1 ? stack.pop() : undefined;
      i++;
      q = quantifierAt(body, i);
      if (closed !== undefined && q.variable) {
        if (closed.repeats)
          return 'repeats a group that itself repeats (nested quantifiers can take exponential time)';
        if (closed.alternates) return 'repeats a group with alternatives (this can take exponential time)';
      }
      const top = stack[stack.length - 1];
      if (top !== undefined && closed !== undefined) {
        top.repeats ||= closed.repeats;
        top.alternates ||= closed.alternates;
      }
    } else if (c === '|') {
      const top = stack[stack.length - 1];
      if (top !== undefined) top.alternates = true;
      i++;
      continue;
    } else {
      i++;
      q = quantifierAt(body, i);
    }
    if (q.length > 0) {
      const top = stack[stack.length - 1];
      if (top !== undefined) top.repeats = true;
      if (q.unbounded && ++unboundedCount > MAX_UNBOUNDED) {
        return `has more than ${MAX_UNBOUNDED} unbounded repetitions`;
      }
      i += q.length;
    }
  }
  return undefined;
}

interface Quantifier {
  /** Characters the quantifier takes, 0 when there is none. */
  length: number;
  /** `*`, `+`, `{n,}`: no upper bound. */
  unbounded: boolean;
  /** Repeats a varying number of times beyond optional (`?` is not counted: at most two ways). */
  variable: boolean;
}

/** The quantifier starting at `i` (with its lazy `?`). */
function quantifierAt(body: string, i: number): Quantifier {
  const c = body[i];
  const q: Quantifier = { length: 0, unbounded: false, variable: false };
  if (c === '*' || c === '+') {
    q.length = 1;
    q.unbounded = q.variable = true;
  } else if (c === '?') {
    q.length = 1;
  } else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(body.slice(i, i + 24));
    if (m !== null) {
      q.length = m[0].length;
      q.unbounded = m[2] !== undefined && m[3] === '';
      q.variable = m[2] !== undefined && (m[3] === '' || Number(m[3]) > Number(m[1]));
    }
  }
  if (q.length > 0 && body[i + q.length] === '?') q.length++;
  return q;
}

/** Index just past the character class that starts at `start`. */
function skipClass(body: string, start: number): number {
  let i = start + 1;
  if (body[i] === '^') i++;
  while (i < body.length && body[i] !== ']') i += body[i] === '\\' ? 2 : 1;
  return i + 1;
}
