/**
 * Runs EntityQuery against the SQLite schema: compile to conjuncts, choose a plan, select the page
 * of entity rowids in SQL (ORDER BY + LIMIT/OFFSET), then read only those documents. The count is
 * a separate COUNT(*) over the same FROM/WHERE.
 */
import { badRequest } from '../../../core/errors.js';
import type { Entity } from '../../../core/model/entity.js';
import type { EntityQuery } from '../../../core/query/ast.js';
import type { Dictionary } from '../dictionary.js';
import { decodeDoc } from '../entity-doc.js';
import type { StatementCache } from '../statement-cache.js';
import { compileConjuncts } from './compile-filters.js';
import { CountCache } from './count-cache.js';
import { checkComplexity, checkParams } from '../../shared/query-complexity.js';
import { isIdOrder, orderBy } from './order.js';
import { choosePlan, fromWhere, lazyFromWhere, type Counter, type Plan } from './plan.js';
import type { CompileContext, Conjunct, Sql } from './sql.js';

/** Most bound values in one statement (SQLite allows 32,766). */
export const MAX_PARAMS = 30_000;

/** An entity as stored: its id and its `doc` column (entity-doc.ts). */
export interface StoredDoc {
  id: string;
  doc: string;
}

/** A page of stored documents decoded into entities (the count, when there is one, kept). */
export function decodePage(page: { docs: StoredDoc[]; count?: number }): {
  entities: Entity[];
  count?: number;
} {
  const entities = page.docs.map((d) => decodeDoc(d.id, d.doc));
  return page.count === undefined ? { entities } : { entities, count: page.count };
}

/** What the runner needs from the store. */
export interface QueryDeps {
  statements: StatementCache;
  terms: Dictionary;
  /** Number of entities of a tenant (an estimate is enough). */
  tenantSize(tid: number): number;
  maxLimit: number;
  /** Clock for the planner's count cache, in ms (default performance.now). */
  now?: () => number;
}

/** Compiles and runs entity queries. */
export class QueryRunner {
  private readonly counts: CountCache;

  constructor(private readonly deps: QueryDeps) {
    this.counts = new CountCache(deps.now ?? (() => performance.now()));
  }

  /** One page of matching entities, and the total when asked. */
  page(tid: number, q: EntityQuery): { entities: Entity[]; count?: number } {
    return decodePage(this.pageDocs(tid, q));
  }

  /** The page as stored documents, not yet decoded (what a query worker sends back). */
  pageDocs(tid: number, q: EntityQuery): { docs: StoredDoc[]; count?: number } {
    this.check(q);
    const { limit } = q;
    const ctx = this.context(tid);
    const conjuncts = this.compile(q, ctx);
    const count = this.counterFor(tid);
    const docs =
      limit > 0
        ? this.fetch(this.all<{ eid: number }>(this.pageSql(tid, q, conjuncts, ctx, count)).map((r) => r.eid))
        : [];
    if (!q.count) return { docs };
    const from = fromWhere(
      tid,
      conjuncts,
      choosePlan(conjuncts, undefined, this.deps.tenantSize(tid), count),
    );
    const [row] = this.all<{ n: number }>({ sql: `SELECT count(*) AS n ${from.sql}`, params: from.params });
    return { docs, count: row?.n ?? 0 };
  }

  /**
   * Refuse a page the runner would refuse before any SQL: a limit or offset out of range, a query
   * too complex (deep expressions are refused here, before anything walks or copies them).
   */
  check(q: EntityQuery): void {
    const { limit, offset } = q;
    if (!Number.isInteger(limit) || limit < 0 || limit > this.deps.maxLimit) {
      throw badRequest(`limit must be an integer from 0 to ${this.deps.maxLimit}`);
    }
    if (!Number.isInteger(offset) || offset < 0) throw badRequest('offset must be a non-negative integer');
    checkComplexity(q);
  }

  /** The plan and SQLite's query plan for the page query (a diagnostic for tests and operators). */
  explain(tid: number, q: EntityQuery): { plan: Plan['kind']; sql: string; steps: string[] } {
    this.check(q);
    const ctx = this.context(tid);
    const page = this.pageSql(tid, q, this.compile(q, ctx), ctx, this.counterFor(tid));
    const steps = this.all<{ detail: string }>({
      sql: `EXPLAIN QUERY PLAN ${page.sql}`,
      params: page.params,
    });
    return { plan: page.plan.kind, sql: page.sql, steps: steps.map((s) => s.detail) };
  }

  /** `SELECT e.eid ... ORDER BY ... LIMIT ? OFFSET ?` under the plan chosen for this page. */
  private pageSql(
    tid: number,
    q: EntityQuery,
    conjuncts: Conjunct[],
    ctx: CompileContext,
    count: Counter,
  ): Sql & { plan: Plan } {
    const idOrder = isIdOrder(q.orderBy);
    const plan = choosePlan(
      conjuncts,
      idOrder ? q.offset + q.limit : undefined,
      this.deps.tenantSize(tid),
      count,
    );
    const lazy = idOrder ? lazyFromWhere(tid, conjuncts, plan) : undefined;
    if (lazy)
      return {
        plan,
        sql: `SELECT e.eid AS eid ${lazy.sql} ORDER BY o.id LIMIT ? OFFSET ?`,
        params: [...lazy.params, q.limit, q.offset],
      };
    const from = fromWhere(tid, conjuncts, plan, !idOrder);
    // A scan via one type walks that type's index in id order: order by its id column, so no sort is needed.
    const order =
      plan.kind === 'scan' && plan.via && idOrder
        ? { sql: `${from.idColumn ?? 'e.id'} ASC`, params: [] }
        : orderBy(q.orderBy, ctx);
    return {
      plan,
      sql: `SELECT e.eid AS eid ${from.sql} ORDER BY ${order.sql} LIMIT ? OFFSET ?`,
      params: [...from.params, ...order.params, q.limit, q.offset],
    };
  }

  /** The driver counter of one tenant, answered from the count cache when it can. */
  private counterFor(tid: number): Counter {
    const size = this.deps.tenantSize(tid);
    return (s, cap) => this.counts.count(tid, size, s, cap, this.counter);
  }

  /** Ids of every matching entity, ascending. */
  ids(tid: number, q: Omit<EntityQuery, 'limit' | 'offset' | 'count'>): string[] {
    checkComplexity(q);
    const conjuncts = this.compile(q, this.context(tid));
    const from = fromWhere(
      tid,
      conjuncts,
      choosePlan(conjuncts, undefined, this.deps.tenantSize(tid), this.counterFor(tid)),
    );
    return this.all<{ id: string }>({
      sql: `SELECT e.id AS id ${from.sql} ORDER BY e.id`,
      params: from.params,
    }).map((r) => r.id);
  }

  /** Compile an already checked query (`check`, or `checkComplexity` where there is no page). */
  private compile(q: Omit<EntityQuery, 'limit' | 'offset' | 'count'>, ctx: CompileContext): Conjunct[] {
    const conjuncts = compileConjuncts(q, ctx);
    checkParams(
      conjuncts.reduce((n, c) => n + c.probe.params.length + (c.driver?.params.length ?? 0), 0),
      MAX_PARAMS,
    );
    return conjuncts;
  }

  private context(tid: number): CompileContext {
    return { tid, term: (iri) => this.deps.terms.idOf(iri) ?? -1 };
  }

  private readonly counter = (s: Sql, cap: number): number => {
    const [row] = this.all<{ n: number }>({
      sql: `SELECT count(*) AS n FROM (${s.sql} LIMIT ?)`,
      params: [...s.params, cap],
    });
    return row?.n ?? 0;
  };

  /** The documents of these entities, in this order. */
  private fetch(eids: number[]): StoredDoc[] {
    if (eids.length === 0) return [];
    const rows = this.all<{ eid: number; id: string; doc: string }>({
      sql: 'SELECT eid, id, doc FROM entities WHERE eid IN (SELECT value FROM json_each(?))',
      params: [JSON.stringify(eids)],
    });
    const byEid = new Map(rows.map((r) => [r.eid, r]));
    return eids.flatMap((eid) => {
      const r = byEid.get(eid);
      return r ? [{ id: r.id, doc: r.doc }] : [];
    });
  }

  private all<T>(s: Sql): T[] {
    return this.deps.statements.get(s.sql).all(...s.params) as T[];
  }
}
