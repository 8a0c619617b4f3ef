/**
 * The temporal history of the SQLite store: a change sink that records attribute instances in the
 * entity writer's transaction (so a change never commits without its history, nor history without
 * its change), and the TemporalRepository over the same tables (migration 0003). Reads select
 * entities in SQL (entity-select.ts), then read instances per series through its time index
 * (instance-reader.ts) or aggregate them in SQL (aggregator.ts). better-sqlite3 is synchronous:
 * each method does its SQL at once and returns a settled promise.
 */
import type Database from 'better-sqlite3';
import { isNgsiError, NgsiError } from '../../../core/errors.js';
import type { Attribute } from '../../../core/model/entity.js';
import type {
  AggregatedEntity,
  Aggregation,
  InstanceSelect,
  TemporalEntity,
} from '../../../core/temporal/model.js';
import type { TemporalEntityQuery, TemporalRepository, TemporalResult, TemporalWrite } from '../../port.js';
import {
  checkAggregation,
  checkErase,
  checkPaging,
  checkPatch,
  checkSelect,
  checkWrite,
  pruneArgs,
} from '../../shared/temporal/checks.js';
import { currentProbe, needsCurrentState, type CurrentProbe } from '../../shared/temporal/current-state.js';
import { decodeInstance, encodeInstance } from '../../shared/temporal/instance-codec.js';
import { patchedInstance } from '../../shared/temporal/instance-patch.js';
import type { AppliedChange, ChangeSink } from '../change-sink.js';
import type { Dictionary } from '../dictionary.js';
import { join, sql } from '../query/sql.js';
import { StatementCache } from '../statement-cache.js';
import { Aggregator } from './aggregator.js';
import { selectEntities } from './entity-select.js';
import { HistoryWriter, type Learned } from './history-writer.js';
import { INSTANCE_COLUMNS, parseInstanceId, type InstanceRow } from './instance-codec.js';
import { InstanceReader } from './instance-reader.js';
import { SeriesLister, type EntityRow } from './series.js';

/** Ids of the entities matching a current-state query (q, geoQ, scopeQ), for temporal queries that use them. */
export type CurrentIds = (tid: number, query: CurrentProbe) => string[];

const ENTITY_COLUMNS =
  'te.teid AS teid, te.id AS id, te.types AS types, te.created_at AS created_at, te.modified_at AS modified_at';

/** The temporal history: change sink and repository. */
export class SqliteTemporal implements ChangeSink {
  readonly repository: TemporalRepository;
  private readonly writer: HistoryWriter;
  private readonly reader: InstanceReader;
  private readonly aggregator: Aggregator;
  private readonly statements: StatementCache;
  private readonly s;

  constructor(
    private readonly db: Database.Database,
    private readonly terms: Dictionary,
    private readonly tenants: Dictionary,
    private readonly currentIds: CurrentIds,
  ) {
    this.statements = new StatementCache(db, 128);
    const series = new SeriesLister(db, terms);
    this.writer = new HistoryWriter(db, terms);
    this.reader = new InstanceReader(this.statements, series);
    this.aggregator = new Aggregator(this.statements, series);
    this.s = {
      entity: db.prepare<[number, string], EntityRow>(
        `SELECT ${ENTITY_COLUMNS} FROM temporal_entities te WHERE te.tid = ? AND te.id = ?`,
      ),
      instance: db
        .prepare<[number, number, string, number], InstanceRow>(
          `SELECT ${INSTANCE_COLUMNS} FROM temporal_instances i JOIN temporal_series s ON s.sid = i.sid ` +
            'JOIN temporal_entities te ON te.teid = s.teid WHERE i.iid = ? AND te.tid = ? AND te.id = ? AND s.attr = ?',
        )
        .raw(true),
      patch: db.prepare(
        'UPDATE temporal_instances SET kind = ?, observed_at = ?, modified_at = ?, num = ?, str = ?, json = ?, unit = ?, extra = ? WHERE iid = ?',
      ),
      touch: db.prepare<[number, number]>(
        'UPDATE temporal_entities SET modified_at = max(modified_at, ?) WHERE teid = ?',
      ),
      deleteInstance: db.prepare<[number, number, string, number]>(
        'DELETE FROM temporal_instances WHERE iid = ? AND sid IN (SELECT s.sid FROM temporal_series s ' +
          'JOIN temporal_entities te ON te.teid = s.teid WHERE te.tid = ? AND te.id = ? AND s.attr = ?)',
      ),
      seriesOfAttr: db.prepare<[number, number], { sid: number; ds: number }>(
        'SELECT sid, ds FROM temporal_series WHERE teid = ? AND attr = ?',
      ),
      seriesOfEntity: db.prepare<[number], { sid: number }>('SELECT sid FROM temporal_series WHERE teid = ?'),
      dropInstances: db.prepare<[number]>('DELETE FROM temporal_instances WHERE sid = ?'),
      dropSeries: db.prepare<[number]>('DELETE FROM temporal_series WHERE sid = ?'),
      dropAllSeries: db.prepare<[number]>('DELETE FROM temporal_series WHERE teid = ?'),
      dropTypes: db.prepare<[number]>('DELETE FROM temporal_types WHERE teid = ?'),
      dropEntity: db.prepare<[number]>('DELETE FROM temporal_entities WHERE teid = ?'),
      pruneSeries: db.prepare<[number, number]>(
        'DELETE FROM temporal_instances WHERE sid = ? AND modified_at < ?',
      ),
      countPrunable: db.prepare<[number, number], { n: number }>(
        'SELECT count(*) AS n FROM temporal_instances WHERE sid = ? AND modified_at < ?',
      ),
      eraseSeries: db.prepare<[number, string]>('DELETE FROM temporal_instances WHERE sid = ? AND str = ?'),
    };
    this.repository = {
      query: async (tenant, entities, select) => guard(() => this.query(tenant, entities, select)),
      get: async (tenant, id, select) => guard(() => this.get(tenant, id, select)),
      aggregate: async (tenant, entities, select, aggregation) =>
        guard(() => this.aggregate(tenant, entities, select, aggregation)),
      append: async (tenant, write) => guard(() => this.append(tenant, write)),
      patchInstance: async (tenant, id, attr, iid, instance) =>
        guard(() => this.patchInstance(tenant, id, attr, iid, instance)),
      deleteInstance: async (tenant, id, attr, iid) =>
        guard(() => this.deleteInstance(tenant, id, attr, iid)),
      deleteAttribute: async (tenant, id, attr, datasetId, deleteAll) =>
        guard(() => this.deleteAttribute(tenant, id, attr, datasetId, deleteAll)),
      deleteEntity: async (tenant, id) => guard(() => this.deleteEntity(tenant, id)),
      prune: async (tenant, before, options) => guard(() => this.prune(tenant, before, options)),
      eraseValue: async (tenant, attrs, value) => guard(() => this.eraseValue(tenant, attrs, value)),
    };
  }

  /** ChangeSink: record the changed instances inside the writer's transaction. */
  record(changes: AppliedChange[]): (() => void) | void {
    const learned: Learned = new Map();
    this.writer.record(changes, learned);
    if (learned.size > 0) return () => this.writer.remember(learned);
  }

  private query(tenant: string, q: TemporalEntityQuery, select: InstanceSelect): TemporalResult {
    checkSelect(select);
    const page = this.select(tenant, q);
    const read = this.reader.read(page.rows, select);
    const out: TemporalResult = { entities: read.entities };
    if (page.count !== undefined) out.count = page.count;
    if (read.partial) out.partial = read.partial;
    return out;
  }

  private get(tenant: string, id: string, select: InstanceSelect): TemporalEntity | undefined {
    checkSelect(select);
    const tid = this.tenants.idOf(tenant);
    const row = tid === undefined ? undefined : this.s.entity.get(tid, id);
    return row && this.reader.read([row], select).entities[0];
  }

  private aggregate(
    tenant: string,
    q: TemporalEntityQuery,
    select: InstanceSelect,
    aggregation: Aggregation,
  ): { entities: AggregatedEntity[]; count?: number } {
    checkSelect(select);
    checkAggregation(aggregation);
    const page = this.select(tenant, q);
    const entities = this.aggregator.aggregate(page.rows, select, aggregation);
    return page.count === undefined ? { entities } : { entities, count: page.count };
  }

  /** The page of temporal entities a query selects (ordered by id) and, when asked, their number. */
  private select(tenant: string, q: TemporalEntityQuery): { rows: EntityRow[]; count?: number } {
    checkPaging(q);
    const { limit, offset } = q;
    const tid = this.tenants.idOf(tenant);
    const none = q.count ? { rows: [], count: 0 } : { rows: [] };
    if (tid === undefined) return none;
    let current: string[] | undefined;
    if (needsCurrentState(q)) {
      current = this.currentIds(tid, currentProbe(q));
      if (current.length === 0) return none;
    }
    const from = selectEntities(q, {
      tid,
      term: (iri) => this.terms.idOf(iri) ?? -1,
      ...(current ? { currentIds: current } : {}),
    });
    const rows =
      limit === 0
        ? []
        : (this.statements
            .get(`SELECT ${ENTITY_COLUMNS} ${from.sql} ORDER BY te.id LIMIT ? OFFSET ?`)
            .all(...from.params, limit, offset) as EntityRow[]);
    if (!q.count) return { rows };
    const counted = this.statements.get(`SELECT count(*) AS n ${from.sql}`).get(...from.params) as {
      n: number;
    };
    return { rows, count: counted.n };
  }

  private append(tenant: string, write: TemporalWrite): { created: boolean } {
    checkWrite(write);
    const learned: Learned = new Map();
    const result = this.write(() => {
      const tid = this.tenants.ensure(tenant);
      return this.writer.append(tid, write, Date.now(), learned);
    });
    this.writer.remember(learned);
    return result;
  }

  private patchInstance(
    tenant: string,
    id: string,
    attr: string,
    instanceId: string,
    patch: Attribute,
  ): boolean {
    checkPatch(patch);
    const iid = parseInstanceId(instanceId);
    const tid = this.tenants.idOf(tenant);
    const p = this.terms.idOf(attr);
    if (iid === undefined || tid === undefined || p === undefined) return false;
    return this.write(() => {
      const row = this.s.instance.get(iid, tid, id, p);
      if (row === undefined) return false;
      const c = encodeInstance(patchedInstance(decodeInstance(row, undefined), patch));
      const now = Date.now();
      this.s.patch.run(c.kind, c.observedAt, now, c.num, c.str, c.json, c.unit, c.extra, iid);
      const entity = this.s.entity.get(tid, id);
      if (entity) this.s.touch.run(now, entity.teid);
      return true;
    });
  }

  private deleteInstance(tenant: string, id: string, attr: string, instanceId: string): boolean {
    const iid = parseInstanceId(instanceId);
    const tid = this.tenants.idOf(tenant);
    const p = this.terms.idOf(attr);
    if (iid === undefined || tid === undefined || p === undefined) return false;
    return this.write(() => this.s.deleteInstance.run(iid, tid, id, p).changes > 0);
  }

  private deleteAttribute(
    tenant: string,
    id: string,
    attr: string,
    datasetId: string | undefined,
    deleteAll: boolean,
  ): boolean {
    const tid = this.tenants.idOf(tenant);
    const p = this.terms.idOf(attr);
    if (tid === undefined || p === undefined) return false;
    const ds = deleteAll || datasetId === undefined ? 0 : this.terms.idOf(datasetId);
    if (ds === undefined) return false;
    try {
      return this.write(() => {
        const entity = this.s.entity.get(tid, id);
        if (entity === undefined) return false;
        const doomed = this.s.seriesOfAttr.all(entity.teid, p).filter((s) => deleteAll || s.ds === ds);
        for (const s of doomed) {
          this.s.dropInstances.run(s.sid);
          this.s.dropSeries.run(s.sid);
        }
        return doomed.length > 0;
      });
    } finally {
      this.writer.forgetSeries();
    }
  }

  private deleteEntity(tenant: string, id: string): boolean {
    const tid = this.tenants.idOf(tenant);
    if (tid === undefined) return false;
    try {
      return this.write(() => {
        const entity = this.s.entity.get(tid, id);
        if (entity === undefined) return false;
        for (const s of this.s.seriesOfEntity.all(entity.teid)) this.s.dropInstances.run(s.sid);
        this.s.dropAllSeries.run(entity.teid);
        this.s.dropTypes.run(entity.teid);
        this.s.dropEntity.run(entity.teid);
        return true;
      });
    } finally {
      this.writer.forgetSeries();
    }
  }

  /**
   * Retention: delete the tenant's instances last recorded (modifiedAt: an instance patched since
   * counts as recorded then) before `before`, of entities of any of `types` (all when absent) and of
   * the attributes `attrs` (all when absent); with `dryRun`, count them only. Series and temporal
   * entities stay (an emptied history is still a history). The (series, modifiedAt) index makes
   * this a range delete (or count) per series; the hourly rollups follow through their trigger.
   */
  private prune(
    tenant: string,
    before: string,
    options: { types?: string[]; attrs?: string[]; dryRun?: boolean } = {},
  ): number {
    const { cutoff, types, attrs, dryRun } = pruneArgs(before, options);
    const tid = this.tenants.idOf(tenant);
    if (tid === undefined) return 0;
    const sids = this.seriesOf(tid, types, attrs);
    if (dryRun) return sids.reduce((n, sid) => n + (this.s.countPrunable.get(sid, cutoff)?.n ?? 0), 0);
    return this.write(() => sids.reduce((n, sid) => n + this.s.pruneSeries.run(sid, cutoff).changes, 0));
  }

  /**
   * Erasure: delete the tenant's instances of `attrs` whose value is exactly the string `value`
   * (string values live in the `str` column: src/store/shared/temporal/instance-codec.ts). No index
   * holds values, so each of those attributes' series is read through its own index prefix and its
   * rows compared.
   */
  private eraseValue(tenant: string, attrs: string[], value: string): number {
    checkErase(attrs, value);
    const tid = this.tenants.idOf(tenant);
    if (tid === undefined || attrs.length === 0) return 0;
    const sids = this.seriesOf(tid, undefined, attrs);
    return this.write(() => sids.reduce((n, sid) => n + this.s.eraseSeries.run(sid, value).changes, 0));
  }

  /** The tenant's series, of entities of any of `types` and of the attributes `attrs` (each: all when absent). */
  private seriesOf(tid: number, types: string[] | undefined, attrs: string[] | undefined): number[] {
    const conds = [sql('te.tid = ?', tid)];
    const ids = (names: string[]): string => JSON.stringify(names.map((n) => this.terms.idOf(n) ?? -1));
    if (types !== undefined) {
      conds.push(
        sql(
          'EXISTS (SELECT 1 FROM temporal_types t WHERE t.teid = te.teid AND t.type IN (SELECT value FROM json_each(?)))',
          ids(types),
        ),
      );
    }
    if (attrs !== undefined) conds.push(sql('s.attr IN (SELECT value FROM json_each(?))', ids(attrs)));
    const where = join(conds, ' AND ');
    const rows = this.statements
      .get(
        `SELECT s.sid AS sid FROM temporal_series s JOIN temporal_entities te ON te.teid = s.teid WHERE ${where.sql}`,
      )
      .all(...where.params) as Array<{ sid: number }>;
    return rows.map((r) => r.sid);
  }

  /** Run a write in its own IMMEDIATE transaction; a failure forgets ids interned inside it. */
  private write<T>(f: () => T): T {
    try {
      return this.db.transaction(f).immediate();
    } catch (e) {
      this.terms.forget();
      this.tenants.forget();
      throw e;
    }
  }
}

/** An unexpected failure becomes an InternalError that keeps its cause; NgsiErrors pass. */
function guard<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (isNgsiError(e)) throw e;
    throw new NgsiError('InternalError', `temporal store failed: ${(e as Error).message}`, { cause: e });
  }
}
