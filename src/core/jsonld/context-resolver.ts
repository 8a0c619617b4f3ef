/**
 * Turns the @context a client sent (Link header URL, or the `@context` member of an application/ld+json
 * body) into an ActiveContext: loads remote contexts through a ContextLoader, applies everything in
 * order and the NGSI-LD core context last. Results are cached per resolver in a bounded LRU keyed by
 * the JSON of the value, so a client repeating its Link header costs one Map lookup.
 */
import { NgsiError, isNgsiError } from '../errors.js';
import type { ActiveContext } from './active-context.js';
import {
  buildActiveContext,
  createCoreActiveContext,
  describe,
  type ContextStep,
} from './context-processor.js';
import { CORE_CONTEXT_URL, CORE_CONTEXT_V1_8, isCoreContextUrl } from './core-context-v1-8.js';
import { isAbsoluteIri } from './iri.js';
import { LruCache } from './lru-cache.js';

/** Fetches a remote context document (the whole document; its `@context` member is used). */
export interface ContextLoader {
  /**
   * The parsed JSON document at `url`. Rejects with an NgsiError (kept as is) or any other error
   * (reported as LdContextNotAvailable).
   */
  load(url: string): Promise<unknown>;
}

/** Limits of a ContextResolver; every field has a default. */
export interface ContextResolverOptions {
  /** Most remote context inclusions in one resolution, counting repeats (default 16). */
  readonly maxRemoteContexts?: number;
  /** Most levels of remote contexts including further remote contexts (default 8). */
  readonly maxDepth?: number;
  /** Resolved contexts kept in the LRU cache (default 1000). */
  readonly cacheSize?: number;
}

/** Resolves client @context values to ActiveContexts, caching the results. */
export class ContextResolver {
  /** The context of a request that sent none: the core context alone. */
  readonly core: ActiveContext;
  private readonly maxRemoteContexts: number;
  private readonly maxDepth: number;
  private readonly cache: LruCache<string, ActiveContext>;
  private readonly inflight = new Map<string, Promise<ActiveContext>>();

  constructor(
    private readonly loader: ContextLoader,
    options: ContextResolverOptions = {},
  ) {
    this.maxRemoteContexts = options.maxRemoteContexts ?? 16;
    this.maxDepth = options.maxDepth ?? 8;
    this.cache = new LruCache(options.cacheSize ?? 1000);
    this.core = createCoreActiveContext();
  }

  /**
   * The ActiveContext for `raw`: undefined or null (core context only), a URL, an object, or an array
   * of those. Rejects with NgsiError BadRequestData for a malformed context, LdContextNotAvailable
   * when a remote context cannot be loaded.
   */
  resolve(raw: unknown): Promise<ActiveContext> {
    try {
      const { key, context } = this.tryWithoutLoading(raw);
      if (context !== undefined) return Promise.resolve(context);
      const pending = this.inflight.get(key);
      if (pending !== undefined) return pending;
      const promise = this.resolveRemote(raw, key).finally(() => this.inflight.delete(key));
      this.inflight.set(key, promise);
      return promise;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The fast path: the ActiveContext for `raw` when it is cached or needs no remote context (core
   * only, inline objects, core context URLs); undefined when remote contexts must be loaded first.
   * Throws NgsiError BadRequestData for a malformed context.
   */
  resolveSync(raw: unknown): ActiveContext | undefined {
    return this.tryWithoutLoading(raw).context;
  }

  private tryWithoutLoading(raw: unknown): { key: string; context: ActiveContext | undefined } {
    if (raw === undefined || raw === null || raw === CORE_CONTEXT_URL)
      return { key: this.core.key, context: this.core };
    const key = cacheKey(raw);
    const hit = this.cache.get(key);
    if (hit !== undefined) return { key, context: hit };
    const walk = new ContextWalk(new Map(), this.maxRemoteContexts, this.maxDepth);
    walk.visit(raw, 0, [], 'request');
    return { key, context: walk.missing.size > 0 ? undefined : this.remember(key, raw, walk.steps) };
  }

  private async resolveRemote(raw: unknown, key: string): Promise<ActiveContext> {
    const documents = new Map<string, unknown>();
    // Walk, load what was missing (in parallel), walk again: each round goes at least one level
    // deeper, and the walk's own limits bound the rounds.
    for (;;) {
      const walk = new ContextWalk(documents, this.maxRemoteContexts, this.maxDepth);
      walk.visit(raw, 0, [], 'request');
      if (walk.missing.size === 0) return this.remember(key, raw, walk.steps);
      const urls = [...walk.missing];
      const loaded = await Promise.all(urls.map((url) => this.load(url)));
      urls.forEach((url, i) => documents.set(url, loaded[i]));
    }
  }

  private async load(url: string): Promise<unknown> {
    try {
      return await this.loader.load(url);
    } catch (error) {
      if (isNgsiError(error)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new NgsiError('LdContextNotAvailable', `Could not load @context ${url}: ${reason}`, {
        cause: error,
      });
    }
  }

  private remember(key: string, raw: unknown, steps: readonly ContextStep[]): ActiveContext {
    // The cached context outlives the request: keep a frozen copy of the client's value (parsed back
    // from its JSON), so that nothing done to the request body later can change what is echoed.
    const echo = typeof raw === 'object' ? deepFreeze(JSON.parse(key) as unknown) : raw;
    const context = buildActiveContext(steps, key, echo);
    this.cache.set(key, context);
    return context;
  }
}

/** The cache key of a @context value: its JSON. */
function cacheKey(raw: unknown): string {
  let key: string | undefined;
  try {
    key = JSON.stringify(raw);
  } catch (error) {
    throw new NgsiError('BadRequestData', 'Invalid @context: not serialisable as JSON', { cause: error });
  }
  if (key === undefined) throw new NgsiError('BadRequestData', `Invalid @context: ${describe(raw)}`);
  return key;
}

/**
 * One pass over a @context value with the remote documents loaded so far: collects the steps to
 * apply, and the URLs still to load (whose contents it skips this time).
 */
class ContextWalk {
  readonly steps: ContextStep[] = [];
  readonly missing = new Set<string>();
  private inclusions = 0;

  constructor(
    private readonly documents: ReadonlyMap<string, unknown>,
    private readonly maxRemoteContexts: number,
    private readonly maxDepth: number,
  ) {}

  visit(value: unknown, depth: number, chain: readonly string[], source: string): void {
    if (value === null) {
      this.steps.push({ kind: 'null', source });
    } else if (typeof value === 'string') {
      this.visitUrl(value, depth, chain);
    } else if (Array.isArray(value)) {
      for (const item of value) {
        if (Array.isArray(item)) throw bad(source, 'a @context array must not contain arrays');
        this.visit(item, depth, chain, source);
      }
    } else if (isPlainObject(value)) {
      this.visitObject(value, depth, chain, source);
    } else {
      throw bad(source, `a @context must be a URL, an object, an array or null, not ${describe(value)}`);
    }
  }

  private visitUrl(url: string, depth: number, chain: readonly string[]): void {
    if (isCoreContextUrl(url)) {
      this.steps.push({ kind: 'core' });
      return;
    }
    const context = this.remoteContext(url, depth, chain);
    if (context !== undefined) this.visit(context, depth + 1, [...chain, url], url);
  }

  private visitObject(
    value: Readonly<Record<string, unknown>>,
    depth: number,
    chain: readonly string[],
    source: string,
  ): void {
    if (value['@import'] === undefined) {
      this.steps.push({ kind: 'local', value, source });
      return;
    }
    // JSON-LD 1.1 @import: the imported context object, with this one's definitions on top.
    const url = value['@import'];
    if (typeof url !== 'string') throw bad(source, '"@import" must be a URL');
    const imported = isCoreContextUrl(url)
      ? CORE_CONTEXT_V1_8['@context']
      : this.remoteContext(url, depth, chain);
    if (imported === undefined) return;
    if (!isPlainObject(imported)) throw bad(url, 'an imported context must be a single object');
    if (imported['@import'] !== undefined)
      throw bad(url, 'an imported context must not itself use "@import"');
    const { '@import': _import, ...rest } = value;
    this.steps.push({ kind: 'local', value: { ...imported, ...rest }, source });
  }

  /** The `@context` member of the document at `url`; undefined (and noted as missing) when not loaded yet. */
  private remoteContext(url: string, depth: number, chain: readonly string[]): unknown {
    if (!isAbsoluteIri(url) || !URL.canParse(url)) {
      throw bad(chain.at(-1) ?? 'request', `${describe(url)} is not an absolute URL`);
    }
    if (chain.includes(url)) throw bad(url, `recursive context inclusion: ${[...chain, url].join(' → ')}`);
    if (depth >= this.maxDepth)
      throw bad(url, `remote contexts are nested deeper than ${this.maxDepth} levels`);
    this.inclusions += 1;
    if (this.inclusions > this.maxRemoteContexts) {
      throw bad(url, `more than ${this.maxRemoteContexts} remote contexts in one @context`);
    }
    if (!this.documents.has(url)) {
      this.missing.add(url);
      return undefined;
    }
    const document = this.documents.get(url);
    if (!isPlainObject(document) || document['@context'] === undefined) {
      throw bad(url, 'the document is not a JSON-LD context: it has no "@context" member');
    }
    return document['@context'];
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bad(source: string, detail: string): NgsiError {
  const where = source.length > 200 ? `${source.slice(0, 200)}…` : source;
  return new NgsiError('BadRequestData', `Invalid @context (${where}): ${detail}`);
}
