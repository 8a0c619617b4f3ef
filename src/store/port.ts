/**
 * The Store port: everything the context broker needs from persistence. Adapters (sqlite/, later
 * postgres/) implement it; differences between dialects are declared in `capabilities`, never
 * tested for by name. All names in entities and queries are expanded IRIs.
 */
import type { Entity } from '../core/model/entity.js';
import type { EntityQuery } from '../core/query/ast.js';
import type { NgsiError } from '../core/errors.js';
import type { NoticePayload, Subscription, SubscriptionRecord } from '../core/subscription/model.js';
import type {
  AggregatedEntity,
  Aggregation,
  InstanceSelect,
  TemporalEntity,
} from '../core/temporal/model.js';
import type { Attribute } from '../core/model/entity.js';
import type { CommandRepository } from './commands-port.js';
import type { DeviceRepository } from './devices-port.js';
import type { IotaRepository } from './iota-port.js';
import type { GovernanceRepositories } from './governance-port.js';

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
  /**
   * Strings anywhere in an entity (id, names, values) may hold U+0000. PostgreSQL's text cannot: that
   * store refuses such an entity with BadRequestData (per entity) rather than store it in part.
   */
  readonly nulInText: boolean;
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

/**
 * A change to one entity id, decided from its current state. `decide` must not change the entity it
 * is given (return a new one, as the operations of src/core/entity do): a store may hand the same
 * object to the next mutation of the id and report it as `before`.
 */
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

/** An applied change to one entity, seen inside the write transaction. */
export interface Change {
  tenant: string;
  id: string;
  /** Absent when the entity was created. */
  before?: Entity;
  /** Absent when the entity was deleted. */
  after?: Entity;
  /** ISO instant of the change. */
  at: string;
}

/** One matched (subscription, change) to be delivered: written to the outbox with the change. */
export interface Notice {
  subscriptionId: string;
  entityId: string;
  payload: NoticePayload;
}

/**
 * Called by the store inside the write transaction for every applied change (put or delete, not
 * skip); the notices it returns are written to the outbox in that same transaction, so that a
 * change is never committed without its notifications. It must be synchronous, fast and pure
 * (no I/O); if it throws, the change fails.
 */
export type Reactor = (change: Change) => Notice[];

/** Which entities a temporal query selects (names expanded); q/geoQ/scopeQ test the current state. */
export type TemporalEntityQuery = Omit<EntityQuery, 'orderBy' | 'count'> & { count: boolean };

/** A temporal query's answer: entities with their instances, and whether any attribute was cut at `limit`. */
export interface TemporalResult {
  entities: TemporalEntity[];
  count?: number;
  /**
   * Set when some attribute had more instances than `select.limit`: the time range actually covered
   * (ISO), for the 206 Content-Range answer.
   */
  partial?: { from: string; to: string };
}

/** Instances added through the temporal API (not through the current state). */
export interface TemporalWrite {
  id: string;
  type: string[];
  /** New instances per expanded attribute name (instanceId assigned by the store). */
  attrs: Record<string, Attribute[]>;
}

/** The history of attribute instances (temporal API, clause 5.6.11–5.6.18 and 5.7.3–5.7.4). */
export interface TemporalRepository {
  /** Select entities and their instances. */
  query(tenant: string, entities: TemporalEntityQuery, select: InstanceSelect): Promise<TemporalResult>;
  /** One entity's instances; undefined when it has no temporal representation. */
  get(tenant: string, id: string, select: InstanceSelect): Promise<TemporalEntity | undefined>;
  /** Aggregate in the store, per attribute and datasetId, per period. */
  aggregate(
    tenant: string,
    entities: TemporalEntityQuery,
    select: InstanceSelect,
    aggregation: Aggregation,
  ): Promise<{ entities: AggregatedEntity[]; count?: number }>;
  /** Add instances; creates the temporal entity when absent. True when it was created. */
  append(tenant: string, write: TemporalWrite): Promise<{ created: boolean }>;
  /** Replace members of one instance (value, observedAt, unitCode, sub-attributes). False when not found. */
  patchInstance(
    tenant: string,
    id: string,
    attr: string,
    instanceId: string,
    instance: Attribute,
  ): Promise<boolean>;
  deleteInstance(tenant: string, id: string, attr: string, instanceId: string): Promise<boolean>;
  /** Delete an attribute's history: one datasetId (default instances when undefined), or all with deleteAll. */
  deleteAttribute(
    tenant: string,
    id: string,
    attr: string,
    datasetId: string | undefined,
    deleteAll: boolean,
  ): Promise<boolean>;
  /** Delete an entity's whole temporal representation. */
  deleteEntity(tenant: string, id: string): Promise<boolean>;
  /**
   * Retention: delete instances recorded (modifiedAt) before `before` (ISO), of
   * entities of the given types (all when absent) and of the given attributes (all when absent).
   * With `dryRun` nothing is deleted. Returns how many instances were (or would be) deleted.
   */
  prune(
    tenant: string,
    before: string,
    options?: { types?: string[]; attrs?: string[]; dryRun?: boolean },
  ): Promise<number>;
  /**
   * Erasure of personal data: delete every instance of the given attributes (expanded names) whose
   * value is exactly the string `value`, in any entity of the tenant. Returns how many.
   */
  eraseValue(tenant: string, attrs: string[], value: string): Promise<number>;
}

/** Subscriptions, per tenant, with their delivery statistics. */
export interface SubscriptionRepository {
  /** Create or replace (same id). */
  put(tenant: string, subscription: Subscription): Promise<void>;
  get(tenant: string, id: string): Promise<SubscriptionRecord | undefined>;
  /** A page of the tenant's subscriptions, ordered by id, and their total. */
  list(
    tenant: string,
    limit: number,
    offset: number,
  ): Promise<{ items: SubscriptionRecord[]; count: number }>;
  /** Every subscription of every tenant (to build the in-memory matching index at start-up). */
  all(): Promise<Array<{ tenant: string; subscription: Subscription }>>;
  /** Delete it and its pending notifications. False when not found. */
  delete(tenant: string, id: string): Promise<boolean>;
}

/** A pending notification in the outbox. */
export interface OutboxEntry {
  /** Monotonic: the order in which matches were committed. */
  oid: number;
  tenant: string;
  subscriptionId: string;
  entityId: string;
  payload: NoticePayload;
  /** Delivery attempts so far. */
  attempts: number;
  /** The notification id given at the first attempt, reused on retries (receivers may de-duplicate). */
  notificationId?: string;
  /** ISO instant the match was committed. */
  createdAt: string;
}

/** The outbox: matches waiting for delivery, written in the transaction of their change. */
export interface OutboxRepository {
  /** Add notices outside a change (periodic notifications, the initial notification of a new subscription). */
  enqueue(tenant: string, notices: Notice[]): Promise<void>;
  /** Subscriptions that have pending (not dead) entries, for the dispatcher at start-up. */
  pending(): Promise<Array<{ tenant: string; subscriptionId: string }>>;
  /** Pending entries of one subscription with oid > afterOid, oldest first. */
  take(tenant: string, subscriptionId: string, afterOid: number, limit: number): Promise<OutboxEntry[]>;
  /** Delivered: remove the entries and count one success (at = ISO instant). */
  delivered(tenant: string, subscriptionId: string, oids: number[], at: string): Promise<void>;
  /** Failed attempt: keep the entries with attempts+1 and their notification id; count one failure. */
  failed(
    tenant: string,
    subscriptionId: string,
    oids: number[],
    notificationId: string,
    error: string,
    at: string,
  ): Promise<void>;
  /** Given up: move the entries to the dead-letter state (kept, counted on the subscription). */
  dead(tenant: string, subscriptionId: string, oids: number[], error: string, at: string): Promise<void>;
  /** Dead-letter entries of a subscription, oldest first. */
  deadLetters(tenant: string, subscriptionId: string, limit: number): Promise<OutboxEntry[]>;
  /** Pending entries (not dead) in total, for metrics. */
  size(): Promise<number>;
}

export interface Store {
  readonly capabilities: StoreCapabilities;
  /** Worker threads running entity queries now, for an adapter that has them (the SQLite store). */
  readonly queryWorkers?: number;

  /** Install the reactor that turns changes into outbox notices (one per store; replaces the previous). */
  setReactor(reactor: Reactor | undefined): void;
  /** Told after each commit that wrote outbox entries: which (tenant, subscription) got work. */
  onOutbox(listener: ((work: Array<{ tenant: string; subscriptionId: string }>) => void) | undefined): void;

  temporal: TemporalRepository;
  subscriptions: SubscriptionRepository;
  outbox: OutboxRepository;
  /** Principals, keys, policies, audit log, governance registry, pseudonym keys. */
  governance: GovernanceRepositories;
  /** Device profiles, devices, their credentials (hashes) and their state. */
  devices: DeviceRepository;
  /** Commands to actuators with their delivery status. */
  commands: CommandRepository;
  /** FIWARE IoT Agent service groups (apikey hashes) and device documents. */
  iota: IotaRepository;

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
   * Every applied change is recorded in the temporal history (each attribute instance whose
   * modifiedAt or value changed) and passed to the reactor, in the same transaction.
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
