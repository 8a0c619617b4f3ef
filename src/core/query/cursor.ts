/**
 * A read position over the text of a query-language expression, shared by the q, type and scope
 * parsers. It knows how to describe where it is, so every syntax error names the character position
 * and what was expected there, and it enforces the complexity limits that keep hostile input cheap.
 */
import { NgsiError } from '../errors.js';

/** Bounds on one expression; past any of them the parser answers TooComplexQuery (403). */
export interface ParseLimits {
  /** Longest accepted text, in UTF-16 code units. */
  readonly maxLength: number;
  /** Deepest nesting of parentheses. */
  readonly maxDepth: number;
  /** Most terms (comparisons, type names, scopes) in one expression. */
  readonly maxTerms: number;
}

/** The limits every query language of this module uses unless told otherwise. */
export const DEFAULT_LIMITS: ParseLimits = { maxLength: 4096, maxDepth: 32, maxTerms: 256 };

/** Scanner state: the text, the position, and counters for the limits. */
export class Cursor {
  pos = 0;
  private depth = 0;
  private terms = 0;

  constructor(
    readonly text: string,
    /** Name of the language for messages, e.g. `q` or `scopeQ`. */
    readonly language: string,
    readonly limits: ParseLimits,
  ) {
    if (text.length > limits.maxLength) {
      throw new NgsiError(
        'TooComplexQuery',
        `${language} is ${text.length} characters long; at most ${limits.maxLength} are accepted`,
      );
    }
  }

  get atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** The character at the position (or at `pos + ahead`), '' past the end. */
  peek(ahead = 0): string {
    return this.text.charAt(this.pos + ahead);
  }

  /** True when the text at the position starts with `s`. */
  lookingAt(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }

  /** Consume `s` if it is next. */
  eat(s: string): boolean {
    if (!this.lookingAt(s)) return false;
    this.pos += s.length;
    return true;
  }

  /** Consume `s` or fail saying it was expected. */
  expect(s: string, what = `'${s}'`): void {
    if (!this.eat(s)) throw this.fail(what);
  }

  /** Skip spaces and tabs: the grammars have none, but a hand-typed query often does. */
  skipSpace(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  /** Match a sticky regular expression at the position; on success consume and return the match. */
  match(re: RegExp): RegExpExecArray | undefined {
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (m === null) return undefined;
    this.pos += m[0].length;
    return m;
  }

  /** Enter a parenthesised group (counts towards the depth limit). */
  enter(): void {
    if (++this.depth > this.limits.maxDepth) {
      throw new NgsiError(
        'TooComplexQuery',
        `${this.language} nests parentheses deeper than ${this.limits.maxDepth} levels`,
      );
    }
  }

  leave(): void {
    this.depth--;
  }

  /** Count one more term (comparison, name, scope) towards the terms limit. */
  countTerm(): void {
    if (++this.terms > this.limits.maxTerms) {
      throw new NgsiError('TooComplexQuery', `${this.language} has more than ${this.limits.maxTerms} terms`);
    }
  }

  /** A BadRequestData error saying what was expected at `at` (default: the position) and what is there. */
  fail(expected: string, at = this.pos): NgsiError {
    return this.error(`expected ${expected}, found ${describe(this.text, at)}`, at);
  }

  /** A BadRequestData error with a free-form message located at `at` (keeping `cause` if given). */
  error(message: string, at = this.pos, cause?: unknown): NgsiError {
    return new NgsiError('BadRequestData', `Invalid ${this.language} at character ${at + 1}: ${message}`, {
      cause,
    });
  }
}

function describe(text: string, at: number): string {
  if (at >= text.length) return 'the end of the text';
  const cp = text.codePointAt(at) ?? 0;
  return cp < 0x20 || cp === 0x7f
    ? `control character U+${cp.toString(16).padStart(4, '0')}`
    : `'${String.fromCodePoint(cp)}'`;
}
