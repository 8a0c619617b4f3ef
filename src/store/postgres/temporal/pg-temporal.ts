/**
 * The temporal history of the PostgreSQL store: a change sink that records attribute instances in
 * the entity writer's transaction (so a change never commits without its history, nor history
 * without its change), and the TemporalRepository over the same tables (migration 0004). Reads
 * select a page of temporal entities in SQL (entity-select.ts), then read the instances of all its
 * series in one statement (instance-reader.ts) or aggregate them in SQL (aggregator.ts).
 *
 * `record` keeps no state that assumes the commit: the only thing it learns — months written that
 * have no partition yet — is handed back as after-commit work, which creates them out of band
 * (partitions.ts). The writer may run `record` again after a retryable failure; it is set-based and
 * reads everything it needs from the transaction it is given.
 */
import type pg from 'pg';
import { badRequest, isNgsiError, NgsiError } from '../../../core/errors.js';
import type {
  AggregatedEntity,
  Aggregation,
  InstanceSelect,
  TemporalEntity,
} from '../../../core/temporal/model.js';
import type { TemporalEntityQuery, TemporalRepository, TemporalResult } from '../../port.js';
import { checkAggregation, checkPaging, checkSelect } from '../../shared/temporal/checks.js';
import { currentProbe, needsCurrentState, type CurrentProbe } from '../../shared/temporal/current-state.js';
import type { AppliedChange, ChangeSink } from '../change-sink.js';
import { rows, transaction, type Sql } from '../sql.js';
import type { Terms } from '../terms.js';
import { aggregate } from './aggregator.js';
import { ENTITY_COLUMNS, selectPage, type EntityRow } from './entity-select.js';
import * as edits from './history-edits.js';
import { appendInstances, recordChanges } from './history-writer.js';
import { readInstances } from './instance-reader.js';
import { monthOf, Partitions } from './partitions.js';
import { readSnapshot } from './read-snapshot.js';

/** What the temporal history needs from the rest of the store. */
export interface PgTemporalDeps {
  pool: pg.Pool;
  /**
   * Interned IRIs. The history keeps attribute names and datasetIds as text in its series (one row
   * per attribute of an entity, not per instance), so it does not intern: taken for the store's
   * wiring, and so that a later change can intern without changing the constructor.
   */
  terms: Terms;
  /** Ids of current entities matching q/geoQ/scopeQ/type... (the query runner's), for temporal queries. */
  ids(tenant: string, query: CurrentProbe): Promise<string[]>;
  /** Told when out-of-band partition maintenance fails (default: a process warning). */
  onError?: (error: unknown) => void;
}

/** Months before and after the current one whose partitions start-up creates. */
export const MONTHS_BEHIND = 1;
export const MONTHS_AHEAD = 3;

export class PgTemporal implements ChangeSink {
  readonly repository: TemporalRepository;
  private readonly pool: pg.Pool;
  private readonly partitions: Partitions;

  constructor(private readonly deps: PgTemporalDeps) {
    this.pool = deps.pool;
    const onError =
      deps.onError ??
      ((e: unknown): void => {
        process.emitWarning(`temporal partition maintenance failed: ${(e as Error)?.message ?? String(e)}`);
      });
    this.partitions = new Partitions(deps.pool, onError);
    this.repository = {
      query: (tenant, entities, select) => guard(() => this.query(tenant, entities, select)),
      get: (tenant, id, select) => guard(() => this.get(tenant, id, select)),
      aggregate: (tenant, entities, select, aggregation) =>
        guard(() => this.aggregate(tenant, entities, select, aggregation)),
      append: (tenant, write) =>
        guard(async () => {
          const now = Date.now();
          const r = await transaction(this.pool, (db) => appendInstances(db, tenant, write, now));
          this.partitions.afterWrites([now])?.();
          return r;
        }),
      patchInstance: (tenant, id, attr, iid, instance) =>
        guard(async () => {
          const now = Date.now();
          const r = await transaction(this.pool, (db) =>
            edits.patchInstance(db, tenant, id, attr, iid, instance, now),
          );
          if (r) this.partitions.afterWrites([now])?.();
          return r;
        }),
      deleteInstance: (tenant, id, attr, iid) =>
        guard(() => edits.deleteInstance(this.pool, tenant, id, attr, iid)),
      deleteAttribute: (tenant, id, attr, datasetId, deleteAll) =>
        guard(() =>
          transaction(this.pool, (db) => edits.deleteAttribute(db, tenant, id, attr, datasetId, deleteAll)),
        ),
      deleteEntity: (tenant, id) =>
        guard(() => transaction(this.pool, (db) => edits.deleteEntity(db, tenant, id))),
      prune: (tenant, before, options) => guard(() => edits.prune(this.pool, tenant, before, options)),
      eraseValue: (tenant, attrs, value) => guard(() => edits.eraseValue(this.pool, tenant, attrs, value)),
    };
  }

  /** ChangeSink: record the changed instances inside the writer's transaction. */
  async record(db: Sql, changes: AppliedChange[]): Promise<(() => void) | void> {
    const times = await recordChanges(db, changes);
    return this.partitions.afterWrites(times);
  }

  /** Create the monthly partitions around `now` (called at start-up; idempotent, safe on several replicas at once). */
  async ensurePartitions(now: Date = new Date()): Promise<void> {
    const m = monthOf(now.getTime());
    await this.partitions.ensure(m - MONTHS_BEHIND, m + MONTHS_AHEAD);
  }

  /** Retention by partition, for every tenant: drop the months that end at or before `before`; their names. */
  dropMonthsBefore(before: Date): Promise<string[]> {
    return this.partitions.dropMonthsBefore(before);
  }

  /** The months (year × 12 + month index) that have their own partition. */
  partitionMonths(): Promise<number[]> {
    return this.partitions.months();
  }

  /** Resolves when out-of-band partition work started so far has ended (before closing the pool). */
  settled(): Promise<void> {
    return this.partitions.settled();
  }

  private async query(
    tenant: string,
    q: TemporalEntityQuery,
    select: InstanceSelect,
  ): Promise<TemporalResult> {
    checkSelect(select);
    const current = await this.current(tenant, q);
    const { page, read } = await readSnapshot(this.pool, async (db) => {
      const page = await selectPage(db, tenant, q, current);
      return { page, read: await readInstances(db, page.rows, select) };
    });
    const out: TemporalResult = { entities: read.entities };
    if (page.count !== undefined) out.count = page.count;
    if (read.partial) out.partial = read.partial;
    return out;
  }

  private async get(tenant: string, id: string, select: InstanceSelect): Promise<TemporalEntity | undefined> {
    checkSelect(select);
    if (typeof id !== 'string') throw badRequest('an entity id must be a string');
    return readSnapshot(this.pool, async (db) => {
      const found = await rows<EntityRow>(
        db,
        `SELECT ${ENTITY_COLUMNS} FROM temporal_entities te WHERE te.tenant = $1 AND te.id = $2`,
        [tenant, id],
      );
      if (found.length === 0) return undefined;
      return (await readInstances(db, found, select)).entities[0];
    });
  }

  private async aggregate(
    tenant: string,
    q: TemporalEntityQuery,
    select: InstanceSelect,
    aggregation: Aggregation,
  ): Promise<{ entities: AggregatedEntity[]; count?: number }> {
    checkSelect(select);
    checkAggregation(aggregation);
    const current = await this.current(tenant, q);
    const { page, entities } = await readSnapshot(this.pool, async (db) => {
      const page = await selectPage(db, tenant, q, current);
      return { page, entities: await aggregate(db, page.rows, select, aggregation) };
    });
    return page.count === undefined ? { entities } : { entities, count: page.count };
  }

  /**
   * The ids that q / geoQ / scopeQ select in the current state (undefined when the query has none),
   * asked before the read snapshot is opened: the query runner takes a connection of its own.
   */
  private async current(tenant: string, q: TemporalEntityQuery): Promise<string[] | undefined> {
    checkPaging(q);
    if (!needsCurrentState(q)) return undefined;
    return this.deps.ids(tenant, currentProbe(q));
  }
}

/** An unexpected failure becomes an InternalError that keeps its cause; NgsiErrors pass. */
async function guard<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (isNgsiError(e)) throw e;
    throw new NgsiError('InternalError', `temporal store failed: ${(e as Error).message}`, { cause: e });
  }
}
