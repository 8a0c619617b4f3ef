/**
 * JSON-LD 1.1 context processing, term level (JSON-LD 1.1 API §4.1 "Context Processing" and §4.2
 * "Create Term Definition", focused on what an NGSI-LD broker needs): local contexts are applied in
 * order onto one set of term definitions, then the NGSI-LD core context last, so core terms always
 * keep their meaning. Remote contexts have been loaded beforehand (see ContextResolver): this file
 * does no I/O. Every malformed input is reported as an NgsiError BadRequestData saying where.
 *
 * One deliberate difference from plain JSON-LD processing of `[client context, core context]`: the
 * core terms are also in place *before* the client's context is applied, so a client context may use
 * them (`"myLocation": "location"`, `"ngsi-ld:…"`, `"geojson:…"`, a term without @id under the core
 * @vocab) instead of failing or expanding `geojson:x` as an IRI with scheme `geojson`. Client attempts
 * to redefine a core term are ignored (the core wins either way), never an error.
 */
import { NgsiError } from '../errors.js';
import { ActiveContext, type TermDefinition } from './active-context.js';
import { CORE_CONTEXT_URL, CORE_CONTEXT_V1_8 } from './core-context-v1-8.js';
import { endsWithGenDelim, hasKeywordForm, isAbsoluteIri, isKeyword, splitCompactIri } from './iri.js';

/** One step of a resolved @context, in application order. */
export type ContextStep =
  /** A local context object (inline or the `@context` of a loaded document); `source` names it in errors. */
  | { readonly kind: 'local'; readonly value: Readonly<Record<string, unknown>>; readonly source: string }
  /** `null` in a context array: forget every definition so far. */
  | { readonly kind: 'null'; readonly source: string }
  /** The core context named by URL inside the client's context. */
  | { readonly kind: 'core' };

/**
 * Applies `steps` in order, then the core context (always, last, overriding), and returns the result.
 * `key` and `raw` are passed through to the ActiveContext.
 */
export function buildActiveContext(steps: readonly ContextStep[], key: string, raw: unknown): ActiveContext {
  const processor = new ContextProcessor(CORE);
  for (const step of steps) {
    if (step.kind === 'local') processor.apply(step.value, step.source, 'user');
    else if (step.kind === 'null') processor.reset(step.source);
    else processor.overlayCore();
  }
  processor.overlayCore();
  const ctx = new ActiveContext({ terms: processor.terms, vocab: processor.vocab, key, raw });
  refuseConfusedIris(ctx);
  return ctx;
}

/**
 * A term may map to an IRI written before a prefix of the same name existed (a context after a null
 * reset, before the core context is laid over it again): `ngsi-ld:q` is then an absolute IRI when the
 * term is defined, and the core's `ngsi-ld` prefix reads it as another IRI afterwards. Such an IRI has
 * no form that expands back to it, so the context is refused (JSON-LD 1.1's "IRI confused with prefix").
 */
function refuseConfusedIris(ctx: ActiveContext): void {
  for (const term of ctx.definedTerms()) {
    const iri = ctx.termDefinition(term)?.id;
    if (iri === undefined || isKeyword(iri) || ctx.expandTerm(iri) === iri) continue;
    throw new NgsiError(
      'BadRequestData',
      `term ${quote(term)} maps to ${quote(iri)}, which a prefix of the context reads as another IRI`,
    );
  }
}

/** A fresh ActiveContext holding only the core context (what a request without @context gets). */
export function createCoreActiveContext(): ActiveContext {
  return buildActiveContext([], JSON.stringify(CORE_CONTEXT_URL), CORE_CONTEXT_URL);
}

/** Keys of a local context that configure it rather than define a term. */
const CONTEXT_KEYWORDS = new Set([
  '@base',
  '@direction',
  '@import',
  '@language',
  '@propagate',
  '@protected',
  '@version',
  '@vocab',
]);

/** Members an expanded term definition may have (JSON-LD 1.1 §9.15.1). */
const DEFINITION_KEYS = new Set([
  '@id',
  '@reverse',
  '@type',
  '@language',
  '@direction',
  '@container',
  '@context',
  '@index',
  '@nest',
  '@prefix',
  '@protected',
]);

const CONTAINERS = new Set(['@list', '@set', '@index', '@language', '@id', '@type', '@graph']);
const TYPE_KEYWORDS = new Set(['@id', '@vocab', '@json', '@none']);

// Term definitions may depend on one another ("a": "b:x" needs "b" first); a chain this long is no
// real context, and bounding it keeps a hostile one from exhausting the stack.
const MAX_DEPENDENCY_DEPTH = 64;

type Origin = 'user' | 'core';

/** State of one local context being applied: which of its terms are defined (true) or in progress (false). */
interface Pass {
  readonly local: Readonly<Record<string, unknown>>;
  readonly source: string;
  readonly origin: Origin;
  readonly protectedByDefault: boolean;
  readonly defined: Map<string, boolean>;
}

class ContextProcessor {
  readonly terms: Map<string, TermDefinition>;
  vocab: string | null;
  /** Terms whose current definition is the core context's: a client's context never replaces them. */
  private readonly coreTerms: Set<string>;
  /** False once a null reset has dropped the core terms, until they are laid over again. */
  private coreIntact: boolean;

  /** Starts from `base` (the processed core context), or from nothing. */
  constructor(base?: ProcessedContext) {
    this.terms = new Map(base?.terms);
    this.coreTerms = new Set(base?.terms.keys());
    this.vocab = base?.vocab ?? null;
    this.coreIntact = base !== undefined;
  }

  /** Applies the (precomputed) core context: same effect as processing its document, without the work. */
  overlayCore(): void {
    // Client contexts cannot replace core terms, so unless a null reset dropped them they are still in
    // place; @vocab is the only core setting a client context can have changed.
    if (!this.coreIntact) {
      for (const [term, def] of CORE.terms) {
        this.terms.set(term, def);
        this.coreTerms.add(term);
      }
      this.coreIntact = true;
    }
    this.vocab = CORE.vocab;
  }

  reset(source: string): void {
    for (const [term, def] of this.terms) {
      if (def.protected && !this.coreTerms.has(term)) {
        throw bad(source, `null cannot reset the context: term ${quote(term)} is protected`);
      }
    }
    this.terms.clear();
    this.coreTerms.clear();
    this.vocab = null;
    this.coreIntact = false;
  }

  apply(local: Readonly<Record<string, unknown>>, source: string, origin: Origin): void {
    const version = local['@version'];
    if (version !== undefined && version !== 1.1) throw bad(source, `"@version" must be 1.1`);
    for (const key of ['@base', '@language'] as const) {
      const v = local[key];
      if (v !== undefined && v !== null && typeof v !== 'string')
        throw bad(source, `"${key}" must be a string or null`);
    }
    const direction = local['@direction'];
    if (direction !== undefined && direction !== null && direction !== 'ltr' && direction !== 'rtl') {
      throw bad(source, `"@direction" must be "ltr", "rtl" or null`);
    }
    for (const key of ['@propagate', '@protected'] as const) {
      const v = local[key];
      if (v !== undefined && typeof v !== 'boolean') throw bad(source, `"${key}" must be true or false`);
    }
    const pass: Pass = {
      local,
      source,
      origin,
      protectedByDefault: local['@protected'] === true,
      defined: new Map(),
    };
    // @vocab first, whatever its position: term definitions without @id depend on it.
    if (Object.hasOwn(local, '@vocab')) this.vocab = this.vocabMapping(pass, local['@vocab']);
    for (const term of Object.keys(local)) {
      if (!CONTEXT_KEYWORDS.has(term)) this.define(pass, term, 0);
    }
  }

  private vocabMapping(pass: Pass, value: unknown): string | null {
    if (value === null) return null;
    if (typeof value !== 'string') throw bad(pass.source, `"@vocab" must be a string or null`);
    // Expanded against the context as it stands: the terms of this local context are not defined yet.
    const iri = this.expand({ ...pass, local: {}, defined: new Map() }, value, 0);
    if (iri === null || isKeyword(iri) || !isAbsoluteIri(iri)) {
      throw bad(pass.source, `"@vocab" must be an absolute IRI, not ${quote(value)}`);
    }
    return iri;
  }

  private define(pass: Pass, term: string, depth: number): void {
    const state = pass.defined.get(term);
    if (state === true) return;
    if (state === false) throw bad(pass.source, `term ${quote(term)}: cyclic IRI mapping`);
    if (depth > MAX_DEPENDENCY_DEPTH) {
      throw bad(pass.source, `term ${quote(term)}: term definitions depend on each other too deeply`);
    }
    pass.defined.set(term, false);
    const value = pass.local[term];
    if (term === '') throw bad(pass.source, 'a term must not be the empty string');
    if (term === '@type') {
      checkTypeTermDefinition(pass.source, value);
    } else if (isKeyword(term)) {
      const hint = term === '@context' ? ' (send the context itself, not a document that contains one)' : '';
      throw bad(pass.source, `"${term}" is a keyword and cannot be defined as a term${hint}`);
    } else if (!hasKeywordForm(term)) {
      // Keyword-shaped terms are skipped, as JSON-LD requires, so future keywords stay safe.
      // As in JSON-LD, the old definition is out of the way while the new one is built (a term shaped
      // like an IRI must expand to itself without it); store() decides which one stays.
      const previous = this.terms.get(term);
      this.terms.delete(term);
      this.store(pass, term, previous, this.definition(pass, term, value, depth));
    }
    pass.defined.set(term, true);
  }

  private definition(pass: Pass, term: string, value: unknown, depth: number): TermDefinition | null {
    if (value === null) return null;
    if (typeof value === 'string') return this.expandedDefinition(pass, term, { '@id': value }, true, depth);
    if (isPlainObject(value)) return this.expandedDefinition(pass, term, value, false, depth);
    throw bad(
      pass.source,
      `term ${quote(term)}: a definition must be a string, an object or null, not ${describe(value)}`,
    );
  }

  private expandedDefinition(
    pass: Pass,
    term: string,
    value: Readonly<Record<string, unknown>>,
    simple: boolean,
    depth: number,
  ): TermDefinition | null {
    const fail = (detail: string): NgsiError => bad(pass.source, `term ${quote(term)}: ${detail}`);
    for (const key of Object.keys(value)) {
      if (!DEFINITION_KEYS.has(key)) throw fail(`unexpected member ${quote(key)} in its definition`);
    }
    const isProtected = value['@protected'] ?? pass.protectedByDefault;
    if (typeof isProtected !== 'boolean') throw fail('"@protected" must be true or false');

    let type: string | undefined;
    if (value['@type'] !== undefined) {
      const raw = value['@type'];
      if (typeof raw !== 'string') throw fail('"@type" must be a string');
      type = TYPE_KEYWORDS.has(raw) ? raw : (this.expand(pass, raw, depth + 1) ?? '');
      if (!TYPE_KEYWORDS.has(type) && (isKeyword(type) || !isAbsoluteIri(type))) {
        throw fail(`"@type" must be @id, @vocab, @json, @none or an IRI, not ${quote(raw)}`);
      }
    }

    let id: string;
    let reverse = false;
    let prefix = false;
    if (value['@reverse'] !== undefined) {
      if (value['@id'] !== undefined || value['@nest'] !== undefined)
        throw fail('"@reverse" excludes "@id" and "@nest"');
      const raw = value['@reverse'];
      if (typeof raw !== 'string') throw fail('"@reverse" must be a string');
      const iri = this.expand(pass, raw, depth + 1);
      if (iri === null || isKeyword(iri) || !isAbsoluteIri(iri))
        throw fail(`"@reverse" must be an IRI, not ${quote(raw)}`);
      id = iri;
      reverse = true;
    } else if (value['@id'] !== undefined && value['@id'] !== term) {
      const raw = value['@id'];
      if (raw === null) return null;
      if (typeof raw !== 'string') throw fail('"@id" must be a string or null');
      const iri = this.expand(pass, raw, depth + 1);
      if (iri === null) return null; // keyword-shaped: JSON-LD leaves such a term undefined
      if (iri === '@context') throw fail('"@context" cannot be aliased');
      if (!isKeyword(iri) && !isAbsoluteIri(iri))
        throw fail(`${quote(raw)} does not expand to an absolute IRI`);
      if (/.:./.test(term) || term.includes('/')) {
        // A term shaped like a compact IRI or IRI must mean what it would expand to anyway.
        pass.defined.set(term, true);
        if (this.expand(pass, term, depth + 1) !== iri) {
          throw fail(`a term shaped like an IRI must expand to itself, not to ${quote(iri)}`);
        }
      }
      id = iri;
      prefix =
        simple && !term.includes(':') && !term.includes('/') && (endsWithGenDelim(id) || id.startsWith('_:'));
    } else {
      id = this.implicitIri(pass, term, depth, fail);
    }

    const container = containerMapping(value['@container'], fail);
    if (value['@prefix'] !== undefined) {
      if (typeof value['@prefix'] !== 'boolean') throw fail('"@prefix" must be true or false');
      if (term.includes(':') || term.includes('/'))
        throw fail('"@prefix" is not allowed on a compact IRI or IRI');
      if (value['@prefix'] && isKeyword(id)) throw fail('a keyword alias cannot be a prefix');
      prefix = value['@prefix'];
    }
    const definition: { -readonly [K in keyof TermDefinition]: TermDefinition[K] } = {
      id,
      reverse,
      prefix,
      protected: isProtected,
    };
    if (type !== undefined) definition.type = type;
    if (container !== undefined) definition.container = container;
    copyOptionalMembers(value, definition, fail);
    return Object.freeze(definition);
  }

  /** The IRI of a term defined without `@id` (or with `@id` equal to the term), JSON-LD 1.1 §4.2 steps 15–19. */
  private implicitIri(pass: Pass, term: string, depth: number, fail: (detail: string) => NgsiError): string {
    if (term.indexOf(':') > 0) {
      const compact = splitCompactIri(term);
      if (compact !== undefined) {
        if (Object.hasOwn(pass.local, compact.prefix)) this.define(pass, compact.prefix, depth + 1);
        const prefixDef = this.terms.get(compact.prefix);
        const iri = prefixDef === undefined ? term : prefixDef.id + compact.suffix;
        if (isAbsoluteIri(iri)) return iri;
      } else if (isAbsoluteIri(term)) {
        return term;
      }
    } else if (term.includes('/')) {
      const iri = this.expand(pass, term, depth + 1);
      if (iri !== null && isAbsoluteIri(iri)) return iri;
    } else if (this.vocab !== null) {
      return this.vocab + term;
    }
    throw fail('it has no "@id" and does not expand to an absolute IRI (without @vocab or a known prefix)');
  }

  /** JSON-LD IRI expansion with `vocab: true`, defining terms of the local context it depends on first. */
  private expand(pass: Pass, value: string, depth: number): string | null {
    if (isKeyword(value)) return value;
    if (hasKeywordForm(value)) return null;
    if (Object.hasOwn(pass.local, value) && pass.defined.get(value) !== true)
      this.define(pass, value, depth + 1);
    const def = this.terms.get(value);
    if (def !== undefined) return def.id;
    if (value.indexOf(':') > 0) {
      const compact = splitCompactIri(value);
      if (compact === undefined) return value;
      if (Object.hasOwn(pass.local, compact.prefix) && pass.defined.get(compact.prefix) !== true) {
        this.define(pass, compact.prefix, depth + 1);
      }
      const prefixDef = this.terms.get(compact.prefix);
      if (prefixDef !== undefined && prefixDef.prefix) return prefixDef.id + compact.suffix;
      if (isAbsoluteIri(value)) return value;
    }
    return this.vocab === null ? value : this.vocab + value;
  }

  private store(
    pass: Pass,
    term: string,
    previous: TermDefinition | undefined,
    definition: TermDefinition | null,
  ): void {
    if (pass.origin === 'user' && previous !== undefined && previous.protected) {
      this.terms.set(term, previous);
      // Core terms keep their meaning: the core context applies last and would override anyway.
      if (this.coreTerms.has(term)) return;
      if (definition === null || !sameDefinition(previous, definition)) {
        throw bad(pass.source, `term ${quote(term)} is protected and cannot be redefined`);
      }
      return;
    }
    if (definition === null) this.terms.delete(term);
    else this.terms.set(term, definition);
    if (pass.origin === 'core' && definition !== null) this.coreTerms.add(term);
    else this.coreTerms.delete(term);
  }
}

function checkTypeTermDefinition(source: string, value: unknown): void {
  // JSON-LD 1.1 lets "@type" carry only {"@container": "@set"} (and @protected).
  const ok =
    isPlainObject(value) &&
    Object.keys(value).every((k) => k === '@container' || k === '@protected') &&
    value['@container'] === '@set' &&
    (value['@protected'] === undefined || typeof value['@protected'] === 'boolean');
  if (!ok) throw bad(source, '"@type" can only be given {"@container": "@set"}');
}

function containerMapping(
  value: unknown,
  fail: (detail: string) => NgsiError,
): readonly string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = Array.isArray(value) ? value : [value];
  for (const c of list) {
    if (typeof c !== 'string' || !CONTAINERS.has(c))
      throw fail(`"@container" value ${describe(c)} is not allowed`);
  }
  return list as string[];
}

function copyOptionalMembers(
  value: Readonly<Record<string, unknown>>,
  definition: { -readonly [K in keyof TermDefinition]: TermDefinition[K] },
  fail: (detail: string) => NgsiError,
): void {
  const language = value['@language'];
  if (language !== undefined) {
    if (language !== null && typeof language !== 'string') throw fail('"@language" must be a string or null');
    definition.language = language;
  }
  const direction = value['@direction'];
  if (direction !== undefined) {
    if (direction !== null && direction !== 'ltr' && direction !== 'rtl') {
      throw fail('"@direction" must be "ltr", "rtl" or null');
    }
    definition.direction = direction;
  }
  for (const key of ['@index', '@nest'] as const) {
    const v = value[key];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw fail(`"${key}" must be a string`);
    if (key === '@index') definition.index = v;
    else definition.nest = v;
  }
  const scoped = value['@context'];
  if (scoped !== undefined) {
    if (scoped !== null && typeof scoped !== 'string' && typeof scoped !== 'object') {
      throw fail('a scoped "@context" must be a URL, an object, an array or null');
    }
    definition.context = scoped;
  }
}

function sameDefinition(a: TermDefinition, b: TermDefinition): boolean {
  const { protected: _a, ...restA } = a;
  const { protected: _b, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a JSON value's kind, for error details. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${quote(value)}`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** Term definitions and @vocab after processing a context. */
interface ProcessedContext {
  readonly terms: ReadonlyMap<string, TermDefinition>;
  readonly vocab: string | null;
}

/** The core context processed once: an immutable table shared by every ActiveContext built here. */
const CORE = ((): ProcessedContext => {
  const processor = new ContextProcessor();
  processor.apply(CORE_CONTEXT_V1_8['@context'], 'core context', 'core');
  return { terms: new Map(processor.terms), vocab: processor.vocab };
})();

/** A client-chosen string for an error detail: quoted, and cut short when long. */
function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

function bad(source: string, detail: string): NgsiError {
  return new NgsiError('BadRequestData', `Invalid @context (${source}): ${detail}`);
}
