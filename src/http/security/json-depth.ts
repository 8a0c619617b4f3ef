/**
 * A nesting guard for request bodies, run on the raw text before JSON.parse. Validation, JSON-LD
 * expansion and rendering walk parsed values recursively; a hostile body of a million '[' must be
 * refused before it reaches them, where it would exhaust the stack (a 500 instead of a 400).
 *
 * One pass over the characters, no recursion, no allocation: a depth counter for '[' and '{' outside
 * strings, and a flag for being inside a string (where '\' escapes the next character).
 */

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]
const OPEN_BRACE = 0x7b; // {
const CLOSE_BRACE = 0x7d; // }

/**
 * True when `text` nests arrays and objects deeper than `max` (`[]` and `{}` are depth 1, scalars 0).
 * For invalid JSON the answer is conservative: stray closers never lower the depth below zero, so the
 * count is never less than what a left-to-right parser reaches before it gives up.
 */
export function jsonDepthExceeds(text: string, max: number): boolean {
  if (!Number.isInteger(max) || max < 0) throw new RangeError(`max must be an integer ≥ 0, not ${max}`);
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > max) return true;
    } else if ((c === CLOSE_BRACKET || c === CLOSE_BRACE) && depth > 0) {
      depth--;
    }
  }
  return false;
}
