/**
 * The Store port: everything the context broker needs from persistence. Adapters (sqlite/, later
 * postgres/) implement it; differences between dialects are declared in `capabilities`, never
 * tested for by name. All names in entities and queries are expanded IRIs.
 */
import type { Entity } from '../core/model/entity.js';
import type { EntityQuery } from '../core/query/ast.js';
import type { NgsiError } from '../core/errors.js';

/** The default tenant (requests without NGSILD-Tenant): it always exists. */
export const DEFAULT_TENANT = '';

/** What a dialect can do; callers branch on these, never on the dialect's name. */
export interface StoreCapabilities {
  /** Name for logs and /ready. */
  readonly dialect: string;
  /** Exact geo predicates are evaluated in the store (not merely bounding boxes). */
  readonly exactGeo: boolean;
  /** Largest `limit` a query may ask for. */
  readonly maxLimit: number;
}

/**
 * What a mutator decides for one entity, given its current state inside the write transaction.
 * `put` writes the entity whole (the store indexes it anew), `delete` removes it, `skip` leaves it,
 * `fail` reports an error for this entity only (the rest of the batch goes on).
 */
export type MutationDecision =
  | { action: 'put'; entity: Entity }
  | { action: 'delete' }
  | { action: 'skip' }
  | { action: 'fail'; error: NgsiError };

/** A change to one entity id, decided from its current state. */
export interface Mutation {
  id: string;
  decide(current: Entity | undefined): MutationDecision;
}

/** The outcome for one entity of a `mutate` call. */
export type MutationResult =
  | { id: string; ok: true; action: 'put' | 'delete' | 'skip'; before?: Entity; after?: Entity }
  | { id: string; ok: false; error: NgsiError };

/** A type as listed by discovery: its name and the attributes its entities carry. */
export interface TypeInfo {
  type: string;
  entityCount: number;
  attributes: Array<{ name: string; attributeTypes: string[] }>;
}

/** An attribute as listed by discovery. */
export interface AttributeInfo {
  name: string;
  attributeCount: number;
  attributeTypes: string[];
  typeNames: string[];
}

/** A stored JSON-LD context served under /jsonldContexts. */
export interface StoredContext {
  id: string;
  url: string;
  kind: 'Hosted' | 'Cached';
  body: unknown;
  createdAt: string;
  lastUsage?: string;
  numberOfHits: number;
}

export interface Store {
  readonly capabilities: StoreCapabilities;

  /** Bring the schema up to date (numbered migrations, never edited after release). */
  migrate(): Promise<void>;
  /** True when the store answers (for /ready). */
  ping(): Promise<boolean>;
  close(): Promise<void>;

  /** True for the default tenant and any tenant that has been written to. */
  tenantExists(tenant: string): Promise<boolean>;
  listTenants(): Promise<string[]>;

  /**
   * Apply mutations in one transaction: each `decide` sees the entity as it is at that moment
   * (including earlier mutations of the same call). Creates the tenant on its first write.
   * Results are in input order.
   */
  mutate(tenant: string, mutations: Mutation[]): Promise<MutationResult[]>;

  getEntity(tenant: string, id: string): Promise<Entity | undefined>;

  /** Select entities; `count` is the total number matching when `query.count` is set. */
  queryEntities(tenant: string, query: EntityQuery): Promise<{ entities: Entity[]; count?: number }>;

  /** Ids of all entities matching (no limit), for purge. */
  queryIds(tenant: string, query: Omit<EntityQuery, 'limit' | 'offset' | 'count'>): Promise<string[]>;

  /** Discovery: types with their attributes (all of the tenant, or those named). */
  listTypes(tenant: string, types?: string[]): Promise<TypeInfo[]>;
  /** Discovery: attributes with their types and counts (all, or those named). */
  listAttributes(tenant: string, names?: string[]): Promise<AttributeInfo[]>;

  /** @context documents hosted by or cached in the broker (not per tenant). */
  contexts: {
    put(ctx: StoredContext): Promise<void>;
    get(id: string): Promise<StoredContext | undefined>;
    list(): Promise<StoredContext[]>;
    delete(id: string): Promise<boolean>;
    touch(id: string, at: string): Promise<void>;
  };
}
