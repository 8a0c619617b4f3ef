/**
 * The PostgreSQL (+ PostGIS) implementation of the Store port, for several stateless Urbis replicas
 * sharing one database (issue #6; decisions 0009 and 0010). Everything a replica keeps in memory is
 * a cache of what never changes (interned terms) — the database is the one truth: writes lock rows
 * and retry on conflicts (entities/entity-writer.ts), sweeps hand each row to one replica (SKIP
 * LOCKED), the audit chain is appended under a table lock, outbox ids commit in order per
 * subscription. Open it with `openPostgresStore({ url })`, then `migrate()`.
 */
import type pg from 'pg';
import type { Entity } from '../../core/model/entity.js';
import type { EntityQuery } from '../../core/query/ast.js';
import type { CommandRepository } from '../commands-port.js';
import type { DeviceRepository } from '../devices-port.js';
import type { GovernanceRepositories } from '../governance-port.js';
import type { IotaRepository } from '../iota-port.js';
import {
  DEFAULT_TENANT,
  type AttributeInfo,
  type Mutation,
  type MutationResult,
  type OutboxRepository,
  type Reactor,
  type Store,
  type StoreCapabilities,
  type SubscriptionRepository,
  type TemporalRepository,
  type TypeInfo,
} from '../port.js';
import { postgresCommands } from './commands.js';
import { postgresContexts } from './contexts.js';
import { postgresDevices } from './devices.js';
import { Analyzer, ENTITY_TABLES, HISTORY_TABLES } from './entities/analyzer.js';
import { PgDiscovery } from './entities/discovery.js';
import { getEntity } from './entities/entity-reader.js';
import { PgEntityWriter } from './entities/entity-writer.js';
import { postgresGovernance } from './governance/index.js';
import { postgresIota } from './iota.js';
import { runPostgresMigrations } from './migrate.js';
import { PgOutbox, type OutboxListener } from './outbox.js';
import { createPostgresPool, type PostgresPoolOptions } from './pool.js';
import { PgQueryRunner } from './query/query-runner.js';
import { rows } from './sql.js';
import { PgSubscriptions } from './subscriptions.js';
import { PgTemporal } from './temporal/pg-temporal.js';
import { Terms } from './terms.js';

export interface PostgresStoreOptions extends Omit<PostgresPoolOptions, 'max'> {
  /** Connections of the main pool (default 10). */
  poolSize?: number;
  /** Largest `limit` a query may ask for (default 1,000). */
  maxLimit?: number;
  /** Told of failures of work done out of band (statistics, history partitions); default: a process warning. */
  onBackgroundError?: (error: unknown) => void;
}

export class PostgresStore implements Store {
  readonly capabilities: StoreCapabilities;
  private readonly pool: pg.Pool;
  /** Interned terms are created on their own connection, committed at once, never inside a write. */
  private readonly termsPool: pg.Pool;
  private readonly writer: PgEntityWriter;
  private readonly queries: PgQueryRunner;
  private readonly discovery: PgDiscovery;
  private readonly pgTemporal: PgTemporal;
  private readonly pgOutbox: PgOutbox;
  private readonly analyzer: Analyzer;
  private readonly historyAnalyzer: Analyzer;
  readonly temporal: TemporalRepository;
  private closing?: Promise<void>;
  readonly subscriptions: SubscriptionRepository;
  readonly governance: GovernanceRepositories;
  readonly devices: DeviceRepository;
  readonly commands: CommandRepository;
  readonly iota: IotaRepository;
  readonly contexts: Store['contexts'];

  constructor(options: PostgresStoreOptions) {
    const maxLimit = options.maxLimit ?? 1000;
    this.capabilities = { dialect: 'postgres', exactGeo: true, maxLimit, nulInText: false };
    const { poolSize, maxLimit: _m, onBackgroundError, ...poolOptions } = options;
    const background = onBackgroundError ?? ((e: unknown) => process.emitWarning(String(e)));
    this.pool = createPostgresPool({ ...poolOptions, max: poolSize ?? 10 });
    this.termsPool = createPostgresPool({
      ...poolOptions,
      applicationName: `${options.applicationName ?? 'urbis'}-terms`,
      max: 1,
    });
    const terms = new Terms(this.termsPool);
    this.writer = new PgEntityWriter(this.pool, terms);
    this.queries = new PgQueryRunner({ pool: this.pool, terms, maxLimit });
    this.discovery = new PgDiscovery(this.pool);
    this.pgTemporal = new PgTemporal({
      pool: this.pool,
      terms,
      ids: (tenant, query) => this.queries.ids(tenant, query),
      onError: background,
    });
    this.pgOutbox = new PgOutbox(this.pool);
    this.analyzer = new Analyzer(this.pool, ENTITY_TABLES, background);
    this.historyAnalyzer = new Analyzer(this.pool, HISTORY_TABLES, background);
    // History written through the temporal API counts towards its statistics too.
    const repository = this.pgTemporal.repository;
    this.temporal = {
      ...repository,
      append: async (tenant, write) => {
        const done = await repository.append(tenant, write);
        let n = 0;
        for (const list of Object.values(write.attrs)) n += list.length;
        this.historyAnalyzer.note(n);
        return done;
      },
    };
    // History first: a change is kept even when no subscription matches it; the outbox last, so its
    // per-subscription ordering lock is held for the shortest time.
    this.writer.addSink(this.pgTemporal);
    this.writer.addSink(this.pgOutbox);
    this.subscriptions = new PgSubscriptions(this.pool).repository;
    this.governance = postgresGovernance(this.pool);
    this.devices = postgresDevices(this.pool);
    this.commands = postgresCommands(this.pool);
    this.iota = postgresIota(this.pool);
    this.contexts = postgresContexts(this.pool);
  }

  get outbox(): OutboxRepository {
    return this.pgOutbox.repository;
  }

  async migrate(): Promise<void> {
    await runPostgresMigrations(this.pool);
    await this.pgTemporal.ensurePartitions();
  }

  async ping(): Promise<boolean> {
    try {
      return (await rows(this.pool, 'SELECT 1 AS ok')).length === 1;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    // Out-of-band partition work (a month created after a write) finishes before the pools end.
    this.closing ??= Promise.all([
      this.pgTemporal.settled(),
      this.analyzer.settled(),
      this.historyAnalyzer.settled(),
    ])
      .then(() => Promise.all([this.pool.end(), this.termsPool.end()]))
      .then(() => undefined);
    return this.closing;
  }

  setReactor(reactor: Reactor | undefined): void {
    this.pgOutbox.reactor = reactor;
  }

  onOutbox(listener: OutboxListener | undefined): void {
    this.pgOutbox.listener = listener;
  }

  async tenantExists(tenant: string): Promise<boolean> {
    if (tenant === DEFAULT_TENANT) return true;
    return (await rows(this.pool, 'SELECT 1 FROM tenants WHERE name = $1', [tenant])).length > 0;
  }

  async listTenants(): Promise<string[]> {
    return (await rows<{ name: string }>(this.pool, 'SELECT name FROM tenants ORDER BY name')).map(
      (r) => r.name,
    );
  }

  async mutate(tenant: string, mutations: Mutation[]): Promise<MutationResult[]> {
    const results = await this.writer.mutate(tenant, mutations);
    let created = 0;
    let instances = 0;
    for (const r of results) {
      if (!r.ok || r.action !== 'put') continue;
      if (r.before === undefined) created++;
      // At most one history instance per attribute instance of the entity written.
      for (const list of Object.values(r.after?.attrs ?? {})) instances += list.length;
    }
    if (created > 0) this.analyzer.note(created);
    if (instances > 0) this.historyAnalyzer.note(instances);
    return results;
  }

  getEntity(tenant: string, id: string): Promise<Entity | undefined> {
    return getEntity(this.pool, tenant, id);
  }

  queryEntities(tenant: string, query: EntityQuery): Promise<{ entities: Entity[]; count?: number }> {
    return this.queries.page(tenant, query);
  }

  queryIds(tenant: string, query: Omit<EntityQuery, 'limit' | 'offset' | 'count'>): Promise<string[]> {
    return this.queries.ids(tenant, query);
  }

  /** EXPLAIN of a page query (operators and the plan tests). */
  explain(tenant: string, query: EntityQuery): Promise<string[]> {
    return this.queries.explain(tenant, query);
  }

  listTypes(tenant: string, types?: string[]): Promise<TypeInfo[]> {
    return this.discovery.listTypes(tenant, types);
  }

  listAttributes(tenant: string, names?: string[]): Promise<AttributeInfo[]> {
    return this.discovery.listAttributes(tenant, names);
  }
}

/** A PostgreSQL store over `options.url` (nothing connects before the first call; call `migrate()`). */
export function openPostgresStore(options: PostgresStoreOptions): PostgresStore {
  return new PostgresStore(options);
}
