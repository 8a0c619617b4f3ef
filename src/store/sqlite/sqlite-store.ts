/**
 * The embedded Store: better-sqlite3 on one file (or ':memory:'), WAL journal, one connection.
 * better-sqlite3 is synchronous; the port's promises resolve once the work is done, and because a
 * mutate batch runs start to end without yielding, no other call interleaves with its transaction.
 */
import Database from 'better-sqlite3';
import { NgsiError, isNgsiError } from '../../core/errors.js';
import type { Entity } from '../../core/model/entity.js';
import type { EntityQuery } from '../../core/query/ast.js';
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
import type { CommandRepository } from '../commands-port.js';
import type { DeviceRepository } from '../devices-port.js';
import type { IotaRepository } from '../iota-port.js';
import type { GovernanceRepositories } from '../governance-port.js';
import { Checkpointer } from './checkpointer.js';
import { ContextRepository } from './contexts.js';
import { sqliteCommands } from './commands/index.js';
import { sqliteDevices } from './devices/index.js';
import { sqliteIota } from './iota/index.js';
import { Dictionary } from './dictionary.js';
import { Discovery } from './discovery.js';
import { decodeDoc } from './entity-doc.js';
import { INDEX_VERSION } from './entity-index.js';
import { EntityWriter } from './entity-writer.js';
import { sqliteGovernance } from './governance/index.js';
import { runMigrations } from './migrate.js';
import { SqliteOutbox, type OutboxListener } from './outbox.js';
import { SqliteSubscriptions } from './subscriptions.js';
import { SqliteTemporal } from './temporal/sqlite-temporal.js';
import { decodePage, QueryRunner } from './query/run-query.js';
import { QueryWorkers } from './query/query-workers.js';
import { registerFunctions } from './sql-functions.js';
import { StatementCache } from './statement-cache.js';

/** How to open the store. */
export interface SqliteStoreOptions {
  /** Database file, or ':memory:'. */
  path: string;
  /** Page cache size in KiB (default 65,536 = 64 MiB). */
  cacheSizeKiB?: number;
  /** Bytes of the file to memory-map for reads (default 256 MiB). */
  mmapSizeBytes?: number;
  /** Largest `limit` a query may ask for (default 1,000). */
  maxLimit?: number;
  /** Apply pending migrations while opening (default true); otherwise call `migrate()` before use. */
  migrate?: boolean;
  /** Checkpoint the WAL from a worker thread (default true for a file; see checkpointer.ts). */
  backgroundCheckpoint?: boolean;
  /**
   * Worker threads that run entity queries on their own connections (default 0: the main thread
   * runs them; a file only; see query/query-workers.ts).
   */
  queryWorkers?: number;
  /** Told when a query worker fails (the store then runs queries itself). */
  onWorkerError?: (message: string) => void;
  /**
   * Prove on every write that no mutator or change sink changed an entity in place (see
   * entity-slots.ts): slower, for the test suites. Default: on when URBIS_CHECK_WRITES=1.
   */
  checkWrites?: boolean;
}

/** Everything that needs the migrated schema, built once by `migrate()`. */
interface Ready {
  terms: Dictionary;
  tenants: Dictionary;
  discovery: Discovery;
  writer: EntityWriter;
  queries: QueryRunner;
  contexts: ContextRepository;
  temporal: SqliteTemporal;
  subscriptions: SqliteSubscriptions;
  outbox: SqliteOutbox;
  governance: GovernanceRepositories;
  devices: DeviceRepository;
  commands: CommandRepository;
  iota: IotaRepository;
  getEntity: Database.Statement<[number, string], { doc: string }>;
  /** Number of entities of a tenant (kept in memory after the first count), for the query planner. */
  tenantSize(tid: number): number;
}

/** The SQLite implementation of the Store port. */
export class SqliteStore implements Store {
  readonly capabilities: StoreCapabilities;
  private readonly db: Database.Database;
  private readonly file: boolean;
  private ready?: Ready;
  private readonly sizes = new Map<number, number>();
  private readonly checkpointer?: Checkpointer;
  /** Started at the first query (the schema they read exists by then). */
  private workers?: QueryWorkers;
  private readonly startWorkers?: () => QueryWorkers;
  private closing?: Promise<void>;
  private reactor?: Reactor;
  private outboxListener?: OutboxListener;
  private readonly checkWrites: boolean;

  constructor(options: SqliteStoreOptions) {
    this.checkWrites = options.checkWrites ?? process.env.URBIS_CHECK_WRITES === '1';
    this.capabilities = {
      dialect: 'sqlite',
      exactGeo: true,
      maxLimit: options.maxLimit ?? 1000,
      nulInText: true,
    };
    this.db = new Database(options.path);
    this.file = options.path !== ':memory:' && options.path !== '';
    this.db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a commit survives a process crash; an OS crash may lose the last commits, never consistency.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma(`cache_size = ${-Math.trunc(options.cacheSizeKiB ?? 65_536)}`);
    this.db.pragma(`mmap_size = ${Math.trunc(options.mmapSizeBytes ?? 268_435_456)}`);
    this.db.pragma('temp_store = MEMORY');
    this.db.pragma('busy_timeout = 5000');
    // Freed space is zeroed, so that destroyed pseudonym keys and erased personal data do not stay in
    // the file's free cells and pages. Set for the whole connection because SQLite has no per-table
    // setting; the cost falls on deletes only (zeroing pages that are written anyway, and writing
    // freed pages on large deletes such as retention), never on inserts or reads.
    this.db.pragma('secure_delete = ON');
    // Checkpoint every ~40 MB of WAL instead of 4 MB: pages rewritten by consecutive batches are copied once.
    // With the background checkpointer this is only a backstop (~80 MB) for when the worker falls behind.
    const background = this.file && options.backgroundCheckpoint !== false;
    this.db.pragma(`wal_autocheckpoint = ${background ? 20_000 : 10_000}`);
    // A WAL reset truncates the file back to 64 MB: a burst does not leave a large file behind.
    this.db.pragma('journal_size_limit = 67108864');
    if (background) this.checkpointer = new Checkpointer(options.path);
    registerFunctions(this.db);
    if (options.migrate !== false) this.migrateNow();
    const workers = Math.trunc(options.queryWorkers ?? 0);
    if (this.file && workers > 0) {
      const setup = {
        path: options.path,
        cacheSizeKiB: options.cacheSizeKiB ?? 65_536,
        mmapSizeBytes: options.mmapSizeBytes ?? 268_435_456,
        maxLimit: this.capabilities.maxLimit,
      };
      this.startWorkers = () => new QueryWorkers(setup, workers, options.onWorkerError);
    }
  }

  /** Query workers running (none before the first query, or when the store runs queries itself). */
  get queryWorkers(): number {
    return this.workers?.running ?? 0;
  }

  /** Bring the schema up to date; idempotent. */
  async migrate(): Promise<void> {
    this.migrateNow();
  }

  async ping(): Promise<boolean> {
    return this.db.open && this.db.prepare('SELECT 1 AS ok').get() !== undefined;
  }

  /** Checkpoint the WAL into the database file and close. */
  async close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    if (!this.db.open) return;
    this.ready?.writer.flush();
    await this.workers?.close();
    await this.checkpointer?.stop();
    if (this.file && this.ready) {
      this.db.pragma('analysis_limit = 400');
      this.db.pragma('optimize');
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    }
    this.db.close();
  }

  async tenantExists(tenant: string): Promise<boolean> {
    return tenant === DEFAULT_TENANT || this.state().tenants.idOf(tenant) !== undefined;
  }

  async listTenants(): Promise<string[]> {
    return this.state().tenants.all();
  }

  async mutate(tenant: string, mutations: Mutation[]): Promise<MutationResult[]> {
    return this.state().writer.mutate(tenant, mutations);
  }

  async getEntity(tenant: string, id: string): Promise<Entity | undefined> {
    const s = this.state();
    const tid = s.tenants.idOf(tenant);
    const row = tid === undefined ? undefined : s.getEntity.get(tid, id);
    return row && decodeDoc(id, row.doc);
  }

  async queryEntities(tenant: string, query: EntityQuery): Promise<{ entities: Entity[]; count?: number }> {
    const s = this.state();
    // An unknown tenant has no rows under id -1: the query still validates and runs, and finds nothing.
    const tid = s.tenants.idOf(tenant) ?? -1;
    if (this.startWorkers !== undefined && this.closing === undefined) this.workers ??= this.startWorkers();
    if (this.workers?.alive) {
      // Refused here what would be refused there: a too deep query cannot even be sent (cloned).
      guard(() => s.queries.check(query));
      return decodePage(await this.workers.page(tid, query, s.tenantSize(tid)));
    }
    return guard(() => s.queries.page(tid, query));
  }

  /** How a query would run: the plan chosen (scan or drive) and SQLite's EXPLAIN QUERY PLAN lines. */
  explain(tenant: string, query: EntityQuery): { plan: 'scan' | 'drive'; sql: string; steps: string[] } {
    const s = this.state();
    return s.queries.explain(s.tenants.idOf(tenant) ?? -1, query);
  }

  async queryIds(tenant: string, query: Omit<EntityQuery, 'limit' | 'offset' | 'count'>): Promise<string[]> {
    const s = this.state();
    const tid = s.tenants.idOf(tenant) ?? -1;
    return guard(() => s.queries.ids(tid, query));
  }

  async listTypes(tenant: string, types?: string[]): Promise<TypeInfo[]> {
    const s = this.state();
    const tid = s.tenants.idOf(tenant);
    return tid === undefined ? [] : s.discovery.listTypes(tid, types);
  }

  async listAttributes(tenant: string, names?: string[]): Promise<AttributeInfo[]> {
    const s = this.state();
    const tid = s.tenants.idOf(tenant);
    return tid === undefined ? [] : s.discovery.listAttributes(tid, names);
  }

  setReactor(reactor: Reactor | undefined): void {
    this.reactor = reactor;
    if (this.ready) this.ready.outbox.reactor = reactor;
  }

  onOutbox(listener: OutboxListener | undefined): void {
    this.outboxListener = listener;
    if (this.ready) this.ready.outbox.listener = listener;
  }

  get temporal(): TemporalRepository {
    return this.state().temporal.repository;
  }

  get subscriptions(): SubscriptionRepository {
    return this.state().subscriptions.repository;
  }

  get outbox(): OutboxRepository {
    return this.state().outbox.repository;
  }

  get governance(): GovernanceRepositories {
    return this.state().governance;
  }

  get devices(): DeviceRepository {
    return this.state().devices;
  }

  get commands(): CommandRepository {
    return this.state().commands;
  }

  get iota(): IotaRepository {
    return this.state().iota;
  }

  readonly contexts: Store['contexts'] = {
    put: (c) => this.state().contexts.put(c),
    get: (id) => this.state().contexts.get(id),
    list: () => this.state().contexts.list(),
    delete: (id) => this.state().contexts.delete(id),
    touch: (id, at) => this.state().contexts.touch(id, at),
  };

  private migrateNow(): void {
    runMigrations(this.db);
    if (this.ready) return;
    const terms = new Dictionary(this.db, 'terms');
    const tenants = new Dictionary(this.db, 'tenants');
    const discovery = new Discovery(this.db, terms);
    const onCount = (tid: number, by: number): void => {
      const n = this.sizes.get(tid);
      if (n !== undefined) this.sizes.set(tid, n + by);
    };
    const writer = new EntityWriter(this.db, terms, tenants, discovery, onCount, this.checkWrites);
    const countTenant = this.db.prepare<[number], { n: number }>(
      'SELECT count(*) AS n FROM entities WHERE tid = ?',
    );
    const tenantSize = (tid: number): number => {
      let n = this.sizes.get(tid);
      if (n === undefined) this.sizes.set(tid, (n = countTenant.get(tid)?.n ?? 0));
      return n;
    };
    const queries = new QueryRunner({
      statements: new StatementCache(this.db),
      terms,
      maxLimit: this.capabilities.maxLimit,
      tenantSize,
    });
    const temporal = new SqliteTemporal(this.db, terms, tenants, (tid, query) => queries.ids(tid, query));
    const outbox = new SqliteOutbox(this.db, tenants);
    outbox.reactor = this.reactor;
    outbox.listener = this.outboxListener;
    // History first: a change is kept even when no subscription matches it.
    writer.addSink(temporal);
    writer.addSink(outbox);
    this.ready = {
      terms,
      tenants,
      discovery,
      writer,
      queries,
      contexts: new ContextRepository(this.db),
      temporal,
      subscriptions: new SqliteSubscriptions(this.db, tenants),
      outbox,
      governance: sqliteGovernance(this.db),
      devices: sqliteDevices(this.db),
      commands: sqliteCommands(this.db),
      iota: sqliteIota(this.db),
      getEntity: this.db.prepare('SELECT doc FROM entities WHERE tid = ? AND id = ?'),
      tenantSize,
    };
    const version = this.db
      .prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'index_version'")
      .get();
    if (version?.value !== INDEX_VERSION) {
      writer.rebuild();
      this.db
        .prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('index_version', ?)")
        .run(INDEX_VERSION);
    }
  }

  private state(): Ready {
    if (!this.db.open) throw new NgsiError('InternalError', 'store is closed');
    if (!this.ready) throw new NgsiError('InternalError', 'store is not migrated: call migrate() first');
    return this.ready;
  }
}

/** Run a query step; an unexpected failure becomes an InternalError that keeps its cause. */
function guard<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isNgsiError(e)) throw e;
    throw new NgsiError('InternalError', `query failed: ${(e as Error).message}`, { cause: e });
  }
}
