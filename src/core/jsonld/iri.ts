/**
 * Small lexical helpers of JSON-LD 1.1 (keywords, absolute IRIs, compact IRIs) shared by the context
 * processor and the active context. Pure string tests: they never look at a context.
 */

/** The JSON-LD 1.1 keywords (JSON-LD 1.1 §1.7). A keyword always expands to itself. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  '@base',
  '@container',
  '@context',
  '@direction',
  '@graph',
  '@id',
  '@import',
  '@included',
  '@index',
  '@json',
  '@language',
  '@list',
  '@nest',
  '@none',
  '@prefix',
  '@propagate',
  '@protected',
  '@reverse',
  '@set',
  '@type',
  '@value',
  '@version',
  '@vocab',
]);

/** True for a JSON-LD keyword such as `@id`. */
export function isKeyword(value: string): boolean {
  return KEYWORDS.has(value);
}

const KEYWORD_FORM = /^@[a-zA-Z]+$/;

/**
 * True for strings shaped like a keyword (`@` followed by letters). JSON-LD reserves them: processors
 * ignore such terms rather than define them, so a later spec version can add keywords safely.
 */
export function hasKeywordForm(value: string): boolean {
  return KEYWORD_FORM.test(value);
}

// A scheme (RFC 3987) followed by a colon and no whitespace: the same test JSON-LD processors use to
// tell an absolute IRI from a term. `_` is included so that blank node identifiers count too.
const ABSOLUTE_IRI = /^([A-Za-z][A-Za-z0-9+.-]*|_):\S*$/;

/** True when `value` is an absolute IRI (`urn:…`, `https://…`, any `scheme:…`) or a blank node id (`_:…`). */
export function isAbsoluteIri(value: string): boolean {
  return ABSOLUTE_IRI.test(value);
}

/**
 * Splits a possible compact IRI `prefix:suffix` at its first colon. Returns undefined when the colon is
 * missing or first, and when the value can only be an IRI or blank node: prefix `_` or a suffix that
 * starts with `//` (`https://…` is never read as prefix `https`).
 */
export function splitCompactIri(value: string): { prefix: string; suffix: string } | undefined {
  const colon = value.indexOf(':');
  if (colon < 1) return undefined;
  const prefix = value.slice(0, colon);
  const suffix = value.slice(colon + 1);
  if (prefix === '_' || suffix.startsWith('//')) return undefined;
  return { prefix, suffix };
}

/**
 * True when an IRI ends with a URI gen-delim character. JSON-LD 1.1 only lets a simple term act as a
 * prefix for compact IRIs when its IRI ends this way (`ex` → `https://example.org/`).
 */
export function endsWithGenDelim(iri: string): boolean {
  const last = iri.charAt(iri.length - 1);
  return (
    last === ':' ||
    last === '/' ||
    last === '?' ||
    last === '#' ||
    last === '[' ||
    last === ']' ||
    last === '@'
  );
}
