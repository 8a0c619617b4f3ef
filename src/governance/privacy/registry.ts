/**
 * The data-governance registry of each tenant: the entries a tenant's administrators stored, over the
 * entries Urbis ships for the Smart Data Models it uses. A stored entry for a type replaces the
 * built-in one for that type (it does not merge: an administrator reads one document and knows what
 * applies); deleting it brings the built-in entry back.
 *
 * A stored document is the canonical compact entry with an `@context` member mapping each of its
 * names to the IRI it had when it was written: self-contained, so it reads back to the same
 * expanded entry whatever context later requests use, and an administrator reading it sees names.
 *
 * Each process caches a tenant's entries for `cacheMs` (ingest asks on every write); put and delete
 * invalidate at once here, other replicas see the change within `cacheMs`.
 */
import { NgsiError, isNgsiError } from '../../core/errors.js';
import { LruCache } from '../../core/jsonld/lru-cache.js';
import type { TermMapper } from '../../core/jsonld/terms.js';
import type { RegistryRecord, RegistryRepository } from '../../store/governance-port.js';
import { combineGovernance } from './apply-governance.js';
import type { TypeGovernance } from './model.js';
import { parseGovernance, renderGovernance } from './parse-governance.js';

export interface GovernanceRegistryOptions {
  repo: RegistryRepository;
  /** Entries that apply to every tenant unless it stores its own for the type. */
  builtIn: readonly TypeGovernance[];
  /** How long a tenant's entries are cached, in ms (default 5000; 0 disables the cache). */
  cacheMs?: number;
  /** Tenants cached at most (default 1000). */
  cacheSize?: number;
  /** Clock (epoch ms), for tests. */
  now?: () => number;
}

/** One effective entry and where it comes from. */
export interface RegistryEntry {
  governance: TypeGovernance;
  source: 'tenant' | 'builtIn';
  /** The stored document (tenant entries only). */
  document?: unknown;
  updatedAt?: string;
  updatedBy?: string;
}

/** A tenant's stored entries as loaded, and what was derived from them since. */
interface Loaded {
  loadedAt: number;
  entries: Map<string, RegistryEntry>;
  /** Whether an effective entry pseudonymises an attribute (computed on first use). */
  pseudonymises?: boolean;
}

/** Effective governance for a set of entity types; undefined when none of them is governed. */
export type GovernanceLookup = (types: readonly string[]) => TypeGovernance | undefined;

export class GovernanceRegistry {
  private readonly repo: RegistryRepository;
  private readonly builtIn: ReadonlyMap<string, TypeGovernance>;
  private readonly cacheMs: number;
  private readonly now: () => number;
  private readonly cache: LruCache<string, Loaded>;

  constructor(options: GovernanceRegistryOptions) {
    this.repo = options.repo;
    this.builtIn = new Map(options.builtIn.map((g) => [g.type, g]));
    this.cacheMs = options.cacheMs ?? 5000;
    this.now = options.now ?? Date.now;
    this.cache = new LruCache(options.cacheSize ?? 1000);
  }

  /**
   * The effective entry for an entity of these (expanded) types: per type the tenant's stored entry,
   * else the built-in one; several governed types are combined (strictest wins). Undefined when no
   * type is governed.
   */
  async forTypes(tenant: string, types: readonly string[]): Promise<TypeGovernance | undefined> {
    return (await this.lookup(tenant))(types);
  }

  /**
   * A synchronous lookup over the tenant's entries as they are now, for a caller that resolves many
   * entities in one write (the ingest gate). Combined entries are memoised per set of types.
   */
  async lookup(tenant: string): Promise<GovernanceLookup> {
    const entries = await this.entries(tenant);
    const combined = new Map<string, TypeGovernance | undefined>();
    return (types) => {
      const governed: TypeGovernance[] = [];
      for (const type of new Set(types)) {
        const g = entries.get(type)?.governance ?? this.builtIn.get(type);
        if (g !== undefined) governed.push(g);
      }
      if (governed.length <= 1) return governed[0];
      const key = governed.map((g) => g.type).join(' ');
      if (!combined.has(key)) combined.set(key, combineGovernance(governed));
      return combined.get(key);
    };
  }

  /**
   * Parse `raw` (names expanded with `mapper`), store it as the tenant's entry for its type and
   * return it. Throws BadRequestData for an invalid document.
   */
  async put(
    tenant: string,
    raw: unknown,
    mapper: TermMapper,
    by: string,
    at: string,
  ): Promise<TypeGovernance> {
    const governance = parseGovernance(raw, mapper);
    await this.repo.put({
      tenant,
      type: governance.type,
      document: storedDocument(governance, mapper),
      updatedAt: at,
      updatedBy: by,
    });
    this.cache.delete(tenant);
    return governance;
  }

  /** The effective entry for one type (stored or built-in), undefined when the type is not governed. */
  async get(tenant: string, type: string): Promise<RegistryEntry | undefined> {
    const stored = (await this.entries(tenant)).get(type);
    if (stored !== undefined) return stored;
    const builtIn = this.builtIn.get(type);
    return builtIn === undefined ? undefined : { governance: builtIn, source: 'builtIn' };
  }

  /** Every effective entry of the tenant (stored ones, then built-ins not replaced), ordered by type. */
  async list(tenant: string): Promise<RegistryEntry[]> {
    const stored = await this.entries(tenant);
    const all: RegistryEntry[] = [...stored.values()];
    for (const [type, governance] of this.builtIn) {
      if (!stored.has(type)) all.push({ governance, source: 'builtIn' });
    }
    return all.sort((a, b) =>
      a.governance.type < b.governance.type ? -1 : a.governance.type > b.governance.type ? 1 : 0,
    );
  }

  /**
   * Whether any effective entry of the tenant pseudonymises an attribute, so that writes need its
   * pseudonym key. Asked on every write: kept with the cached entries, not recomputed.
   */
  async pseudonymises(tenant: string): Promise<boolean> {
    const loaded = await this.load(tenant);
    if (loaded.pseudonymises === undefined) {
      const effective = [
        ...loaded.entries.values(),
        ...[...this.builtIn]
          .filter(([type]) => !loaded.entries.has(type))
          .map(([, governance]) => ({ governance })),
      ];
      loaded.pseudonymises = effective.some((e) =>
        Object.values(e.governance.attributes).some((a) => a.treatment.kind === 'pseudonymise'),
      );
    }
    return loaded.pseudonymises;
  }

  /** Delete the tenant's stored entry for `type` (the built-in one, if any, applies again). False when none. */
  async delete(tenant: string, type: string): Promise<boolean> {
    const deleted = await this.repo.delete(tenant, type);
    this.cache.delete(tenant);
    return deleted;
  }

  private async entries(tenant: string): Promise<Map<string, RegistryEntry>> {
    return (await this.load(tenant)).entries;
  }

  private async load(tenant: string): Promise<Loaded> {
    const now = this.now();
    const hit = this.cache.get(tenant);
    if (hit !== undefined && now - hit.loadedAt < this.cacheMs) return hit;
    const entries = new Map<string, RegistryEntry>();
    for (const record of await this.repo.list(tenant)) entries.set(record.type, readRecord(record));
    const loaded: Loaded = { loadedAt: now, entries };
    this.cache.set(tenant, loaded);
    return loaded;
  }
}

/** The document kept in the store: the canonical compact entry and the `@context` its names need. */
export function storedDocument(g: TypeGovernance, mapper: TermMapper): Record<string, unknown> {
  const doc = renderGovernance(g, mapper);
  const context: Record<string, string> = {};
  const define = (term: string, iri: string) =>
    Object.defineProperty(context, term, {
      value: iri,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  define(doc.type, g.type);
  for (const iri of Object.keys(g.attributes)) define(mapper.compactIri(iri), iri);
  return { '@context': context, ...doc };
}

/** A stored record back to its entry. A document that no longer parses is an InternalError (the store is ours). */
function readRecord(record: RegistryRecord): RegistryEntry {
  const doc = record.document;
  try {
    const context =
      doc !== null && typeof doc === 'object' && '@context' in doc
        ? (doc as { '@context': unknown })['@context']
        : {};
    const governance = parseGovernance(doc, contextMapper(context));
    if (governance.type !== record.type) throw new Error(`the document is for type ${governance.type}`);
    return {
      governance,
      source: 'tenant',
      document: doc,
      updatedAt: record.updatedAt,
      updatedBy: record.updatedBy,
    };
  } catch (error) {
    const reason = isNgsiError(error) ? error.detail : error instanceof Error ? error.message : String(error);
    throw new NgsiError(
      'InternalError',
      `The stored governance entry of tenant ${record.tenant} for ${record.type} is unreadable: ${reason}`,
      { cause: error },
    );
  }
}

/** A TermMapper over a flat term → IRI object (a stored document's `@context`). */
function contextMapper(context: unknown): TermMapper {
  const terms = new Map<string, string>();
  if (context !== null && typeof context === 'object' && !Array.isArray(context)) {
    for (const [term, iri] of Object.entries(context)) if (typeof iri === 'string') terms.set(term, iri);
  }
  const inverse = new Map([...terms].map(([term, iri]) => [iri, term]));
  return {
    expandTerm: (term) => terms.get(term) ?? term,
    compactIri: (iri) => inverse.get(iri) ?? iri,
  };
}
