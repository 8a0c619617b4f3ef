/**
 * A resolved JSON-LD @context reduced to what an NGSI-LD broker needs: turning terms (entity types,
 * attribute and sub-attribute names) into IRIs and back.
 *
 * This is a focused, hand-written, term-level implementation of JSON-LD 1.1 IRI expansion and IRI
 * compaction (term definitions, prefixes and compact IRIs, @vocab, absolute IRIs, keyword aliases),
 * not a general JSON-LD processor: full expansion/compaction with the `jsonld` package costs
 * milliseconds per document, far too slow for a broker that serves more than 10,000 requests/s. Both
 * directions here are Map lookups after the first call for a given string.
 */
import { hasKeywordForm, isAbsoluteIri, isKeyword, splitCompactIri } from './iri.js';
import type { TermMapper } from './terms.js';

/** One term's definition after context processing, with every IRI already expanded. */
export interface TermDefinition {
  /** The IRI the term expands to, a blank node id, or a keyword for aliases (`id` → `@id`). */
  readonly id: string;
  /** `@type` coercion: `@id`, `@vocab`, `@json`, `@none` or an expanded IRI (e.g. `…/ngsi-ld/DateTime`). */
  readonly type?: string;
  /** `@container` values, e.g. `['@list']`, `['@language']`. */
  readonly container?: readonly string[];
  /** `@language` of the definition; null when it explicitly has none. */
  readonly language?: string | null;
  /** `@direction` of the definition. */
  readonly direction?: 'ltr' | 'rtl' | null;
  /** `@index` of the definition. */
  readonly index?: string;
  /** `@nest` of the definition. */
  readonly nest?: string;
  /** A scoped `@context` as given. Kept for callers; this implementation does not apply it. */
  readonly context?: unknown;
  /** Defined with `@reverse`: never chosen when compacting. */
  readonly reverse: boolean;
  /** May be used as the prefix of compact IRIs (`ex:speed`). */
  readonly prefix: boolean;
  /** Protected terms cannot be redefined by later contexts. */
  readonly protected: boolean;
}

/** What an ActiveContext is made from; built by the context processor. */
export interface ActiveContextInit {
  /** Term definitions by term. The ActiveContext keeps this map: it must not change afterwards. */
  readonly terms: ReadonlyMap<string, TermDefinition>;
  /** The `@vocab` mapping, or null when none is in effect. */
  readonly vocab: string | null;
  /** Cache key of the @context value this was resolved from. */
  readonly key: string;
  /** The @context value as the client sent it, to echo back in responses. */
  readonly raw: unknown;
}

// Memo tables are per context and keyed by client-chosen strings: bounded, and simply cleared when
// full (cheaper than LRU bookkeeping on a path this hot, and recomputing an entry is cheap).
const MEMO_LIMIT = 10_000;

/** A resolved @context: expands terms to IRIs and compacts IRIs to terms. Immutable apart from memo tables. */
export class ActiveContext implements TermMapper {
  /** Cache key of the @context value this was resolved from (its JSON). */
  readonly key: string;
  /** The @context value as the client sent it (string, object or array), to echo back in responses. */
  readonly raw: unknown;
  /** The `@vocab` mapping: the core context's `https://uri.etsi.org/ngsi-ld/default-context/`. */
  readonly vocab: string | null;

  private readonly terms: ReadonlyMap<string, TermDefinition>;
  /** IRI (or keyword) → the term chosen for it: shortest, then lexicographically least. */
  private readonly inverse = new Map<string, string>();
  /** Terms usable as compact IRI prefixes, with their IRIs, shortest term first. */
  private readonly prefixes: ReadonlyArray<readonly [string, string]>;
  private readonly expanded = new Map<string, string>();
  private readonly compacted = new Map<string, string>();

  constructor(init: ActiveContextInit) {
    this.key = init.key;
    this.raw = init.raw;
    this.vocab = init.vocab;
    this.terms = init.terms;
    const prefixes: Array<readonly [string, string]> = [];
    for (const [term, def] of init.terms) {
      if (def.reverse) continue;
      const current = this.inverse.get(def.id);
      if (current === undefined || preferTerm(term, current)) this.inverse.set(def.id, term);
      if (def.prefix && !isKeyword(def.id)) prefixes.push([term, def.id]);
    }
    prefixes.sort((a, b) => (preferTerm(a[0], b[0]) ? -1 : 1));
    this.prefixes = prefixes;
  }

  /**
   * The IRI for a term, per JSON-LD IRI expansion with `vocab: true`: a defined term gives its IRI (a
   * keyword for aliases such as `id`), `prefix:suffix` with a defined prefix gives the prefix's IRI +
   * suffix, an absolute IRI (`urn:…`, `https://…`) or blank node id is returned unchanged, anything
   * else is appended to @vocab. Keywords (`@id`, …) are returned unchanged.
   */
  expandTerm(term: string): string {
    const hit = this.expanded.get(term);
    if (hit !== undefined) return hit;
    const iri = this.computeExpansion(term);
    remember(this.expanded, term, iri);
    return iri;
  }

  /**
   * The shortest name that expands back to `iri`, per JSON-LD IRI compaction: a term mapped exactly to
   * it (the shortest, then lexicographically least, when several are), else the part after @vocab,
   * else a compact IRI with a defined prefix, else `iri` itself. As in JSON-LD, the @vocab-relative
   * form is tried before compact IRIs (otherwise `…/default-context/foo` would come back as
   * `ngsi-ld:default-context/foo`), and a candidate is only used when it expands back to `iri`.
   */
  compactIri(iri: string): string {
    const hit = this.compacted.get(iri);
    if (hit !== undefined) return hit;
    const term = this.computeCompaction(iri);
    remember(this.compacted, iri, term);
    return term;
  }

  /** The definition of `term`, for callers that need its `@type` (`@id`, `@vocab`, `@json`) or container. */
  termDefinition(term: string): TermDefinition | undefined {
    return this.terms.get(term);
  }

  /** The terms this context defines (the core context's and the client's). */
  definedTerms(): IterableIterator<string> {
    return this.terms.keys();
  }

  private computeExpansion(term: string): string {
    if (isKeyword(term) || hasKeywordForm(term)) return term;
    const def = this.terms.get(term);
    if (def !== undefined) return def.id;
    if (term.indexOf(':') > 0) {
      const compact = splitCompactIri(term);
      if (compact === undefined) return term;
      const prefix = this.terms.get(compact.prefix);
      if (prefix !== undefined && prefix.prefix) return prefix.id + compact.suffix;
      if (isAbsoluteIri(term)) return term;
    }
    return this.vocab === null ? term : this.vocab + term;
  }

  private computeCompaction(iri: string): string {
    const term = this.inverse.get(iri);
    if (term !== undefined) return term;
    if (isKeyword(iri)) return iri;
    const vocab = this.vocab;
    if (vocab !== null && iri.length > vocab.length && iri.startsWith(vocab)) {
      const suffix = iri.slice(vocab.length);
      if (this.expandTerm(suffix) === iri) return suffix;
    }
    let best: string | undefined;
    for (const [prefix, prefixIri] of this.prefixes) {
      if (iri.length <= prefixIri.length || !iri.startsWith(prefixIri)) continue;
      const candidate = `${prefix}:${iri.slice(prefixIri.length)}`;
      if (best !== undefined && !preferTerm(candidate, best)) continue;
      if (this.expandTerm(candidate) === iri) best = candidate;
    }
    return best ?? iri;
  }
}

/** JSON-LD's order of preference between two names for one IRI: shorter, then lexicographically less. */
function preferTerm(candidate: string, current: string): boolean {
  return candidate.length < current.length || (candidate.length === current.length && candidate < current);
}

function remember(memo: Map<string, string>, key: string, value: string): void {
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, value);
}
