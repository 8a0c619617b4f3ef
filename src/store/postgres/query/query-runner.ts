/**
 * Runs the Store port's `queryEntities` and `queryIds` against PostgreSQL (migration 0003).
 *
 * Without a residual (everything evaluable in SQL, the common case) a page is one statement —
 * `SELECT e.id, e.doc … WHERE … ORDER BY … LIMIT … OFFSET …` — and the count one more,
 * `count(*)` over the same WHERE, the two run at once on two pooled connections.
 *
 * With a residual (patterns, q on non-plain paths, an order by a non-plain path: compile.ts) the
 * SQL conjuncts select the candidates, which a cursor streams in the requested order (or in id
 * order, to be sorted in JavaScript) inside one read-only transaction, in growing batches; the
 * JavaScript filter keeps the matches, and offset, limit and count are applied to those. A page
 * without a count stops reading once it is full. The work is not bounded beyond the candidates the
 * SQL selects and the pool's statement timeout: a residual over a whole large tenant reads it all.
 */
import type pg from 'pg';
import { badRequest, NgsiError } from '../../../core/errors.js';
import type { Entity } from '../../../core/model/entity.js';
import type { AttrPath, EntityQuery, QExpr } from '../../../core/query/ast.js';
import { decodeDoc } from '../entities/entity-reader.js';
import { rows, sqlState, transaction, type Sql } from '../sql.js';
import type { Terms } from '../terms.js';
import { checkComplexity, checkParams } from '../../shared/query-complexity.js';
import { compileQuery, type CompiledQuery, type Selection } from './compile.js';
import type { Keyed } from './order.js';
import type { Candidate } from './residual.js';
import { FALSE, hasNul, statement, type Statement } from './sql-builder.js';

export interface PgQueryDeps {
  pool: pg.Pool;
  terms: Terms;
  maxLimit: number;
}

/**
 * Most bound values in one statement (the wire protocol allows 65,535; lists are bound as one array
 * each, so this is rarely near).
 */
export const MAX_PARAMS = 60_000;

/** First and largest number of candidates fetched from a cursor at once. */
const FIRST_BATCH = 100;
const MAX_BATCH = 2000;

/** A candidate row of the cursor. */
interface Row {
  eid: string;
  id: string;
  doc?: string;
  [column: string]: unknown;
}

/** Compiles and runs entity queries. */
export class PgQueryRunner {
  constructor(private readonly deps: PgQueryDeps) {}

  /** One page of matching entities, and the total when asked. */
  async page(tenant: string, q: EntityQuery): Promise<{ entities: Entity[]; count?: number }> {
    const { limit, offset } = q;
    if (!Number.isInteger(limit) || limit < 0 || limit > this.deps.maxLimit) {
      throw badRequest(`limit must be an integer from 0 to ${this.deps.maxLimit}`);
    }
    if (!Number.isInteger(offset) || offset < 0) throw badRequest('offset must be a non-negative integer');
    const c = await this.compile(tenant, q);
    // Nothing can match (an unknown type or attribute, no allowed scope): no statement to run.
    if (c.where === FALSE) return q.count ? { entities: [], count: 0 } : { entities: [] };
    if (limit === 0 && !q.count) return { entities: [] };
    // Past 2^53 no page can start anyway; a smaller offset keeps the bigint parameter in range.
    const skip = Math.min(offset, Number.MAX_SAFE_INTEGER);
    return geoErrors(q, async () => {
      if (c.residual || c.order.kind === 'js') return this.residualPage(c, limit, skip, q.count);
      const page =
        limit > 0
          ? rows<Row & { doc: string }>(this.deps.pool, ...args(pageStatement(c, limit, skip)))
          : Promise.resolve([]);
      const count = q.count ? rows<{ n: string }>(this.deps.pool, ...args(countStatement(c))) : undefined;
      const [found, counted] = await Promise.all([page, count]);
      const entities = found.map((r) => decodeDoc(r.id, r.doc));
      return counted === undefined ? { entities } : { entities, count: Number(counted[0]?.n ?? 0) };
    });
  }

  /** Ids of every matching entity, ascending (the order and paging of the query do not apply). */
  async ids(tenant: string, q: Selection): Promise<string[]> {
    const c = await this.compile(tenant, { ...q, orderBy: undefined });
    if (c.where === FALSE) return [];
    return geoErrors(q, async () => {
      if (!c.residual) {
        const s = statement(
          `SELECT ${c.idColumn} AS id FROM ${c.countFrom} WHERE ${c.where} ORDER BY ${c.idColumn}`,
          c.params,
        );
        return (await rows<{ id: string }>(this.deps.pool, s.text, s.values)).map((r) => r.id);
      }
      const out: string[] = [];
      await this.stream(c, (cand) => {
        out.push(cand.id);
        return true;
      });
      return out;
    });
  }

  /**
   * EXPLAIN (FORMAT TEXT) lines of the statement a page runs (the candidates' one with a residual);
   * with `analyze`, EXPLAIN ANALYZE (the statement runs, and the plan shows its real rows and times).
   */
  async explain(tenant: string, q: EntityQuery, analyze = false): Promise<string[]> {
    const c = await this.compile(tenant, q);
    const s =
      c.residual || c.order.kind === 'js'
        ? candidatesStatement(c, c.order.kind === 'js' || (c.residual?.needsDoc ?? false))
        : pageStatement(c, q.limit, Math.min(q.offset, Number.MAX_SAFE_INTEGER));
    const how = analyze ? 'ANALYZE, FORMAT TEXT' : 'FORMAT TEXT';
    const plan = await rows<{ 'QUERY PLAN': string }>(this.deps.pool, `EXPLAIN (${how}) ${s.text}`, s.values);
    return plan.map((r) => r['QUERY PLAN']);
  }

  /** Check the bounds, learn the term ids the query names, compile. */
  private async compile(tenant: string, q: Selection): Promise<CompiledQuery> {
    checkComplexity(q);
    await this.deps.terms.lookup(namedIris(q));
    const c = compileQuery(tenant, q, (iri) => this.deps.terms.idOf(iri));
    checkParams(c.params.values.length, MAX_PARAMS);
    return c;
  }

  /** A page with a residual: stream the candidates, filter, then offset / limit / count. */
  private async residualPage(
    c: CompiledQuery,
    limit: number,
    offset: number,
    count: boolean,
  ): Promise<{ entities: Entity[]; count?: number }> {
    return transaction(this.deps.pool, async (db) => {
      await db.query('SET TRANSACTION READ ONLY');
      let matched = 0;
      let page: Candidate[] = [];
      const eids = new Map<string, string>();
      if (c.order.kind === 'js') {
        const order = c.order.order;
        const keyed: Array<Keyed & { eid: string; entity?: Entity }> = [];
        await this.stream(
          c,
          (cand, eid) => {
            matched++;
            keyed.push({ ...order.key(cand.entity!), eid });
            return true;
          },
          db,
          true,
        );
        keyed.sort(order.compare);
        page = keyed.slice(offset, offset + limit).map((k) => {
          eids.set(k.id, k.eid);
          return { id: k.id, row: {} };
        });
      } else {
        await this.stream(
          c,
          (cand, eid) => {
            if (matched >= offset && matched < offset + limit) {
              page.push(cand);
              eids.set(cand.id, eid);
            }
            matched++;
            return count || matched < offset + limit;
          },
          db,
        );
      }
      const entities = await this.documents(db, page, eids);
      return count ? { entities, count: matched } : { entities };
    });
  }

  /** The entities of a page, reading the documents the filter did not need. */
  private async documents(db: Sql, page: Candidate[], eids: Map<string, string>): Promise<Entity[]> {
    const missing = page.filter((p) => p.entity === undefined).map((p) => eids.get(p.id)!);
    const docs = new Map<string, string>();
    if (missing.length > 0) {
      const found = await rows<{ id: string; doc: string }>(
        db,
        'SELECT id, doc::text AS doc FROM entities WHERE eid = ANY($1::bigint[])',
        [missing],
      );
      for (const r of found) docs.set(r.id, r.doc);
    }
    return page.flatMap((p) => {
      if (p.entity) return [p.entity];
      const doc = docs.get(p.id);
      return doc === undefined ? [] : [decodeDoc(p.id, doc)];
    });
  }

  /**
   * Feed the candidates that pass the residual filter to `take`, in the statement's order, until
   * `take` returns false. Runs in `db`'s transaction, or in one of its own.
   */
  private async stream(
    c: CompiledQuery,
    take: (cand: Candidate, eid: string) => boolean,
    db?: Sql,
    withDoc = false,
  ): Promise<void> {
    if (!db) {
      await transaction(this.deps.pool, async (t) => {
        await t.query('SET TRANSACTION READ ONLY');
        await this.stream(c, take, t, withDoc);
      });
      return;
    }
    const needsDoc = withDoc || (c.residual?.needsDoc ?? false);
    const s = candidatesStatement(c, needsDoc);
    await rows(db, `DECLARE candidates NO SCROLL CURSOR FOR ${s.text}`, s.values);
    for (let batch = FIRST_BATCH; ; batch = Math.min(MAX_BATCH, batch * 2)) {
      const found = await rows<Row>(db, `FETCH ${batch} FROM candidates`);
      for (const r of found) {
        const cand: Candidate = { id: r.id, row: r };
        if (r.doc !== undefined) cand.entity = decodeDoc(r.id, r.doc);
        if (c.residual && !c.residual.test(cand)) continue;
        if (!take(cand, r.eid)) return;
      }
      if (found.length < batch) return;
    }
  }
}

/** `rows`' arguments for a statement. */
const args = (s: Statement): [string, unknown[]] => [s.text, s.values];

function pageStatement(c: CompiledQuery, limit: number, offset: number): Statement {
  if (c.order.kind !== 'sql')
    throw new NgsiError('InternalError', 'a JavaScript order has no page statement');
  const n = c.params.add(limit, 'bigint');
  const o = c.params.add(offset, 'bigint');
  return statement(
    `SELECT e.id AS id, e.doc::text AS doc FROM ${c.from} ${c.order.joins} WHERE ${c.where} ` +
      `ORDER BY ${c.order.by} LIMIT ${n} OFFSET ${o}`,
    c.params,
  );
}

function countStatement(c: CompiledQuery): Statement {
  return statement(`SELECT count(*) AS n FROM ${c.countFrom} WHERE ${c.where}`, c.params);
}

/**
 * The candidates for the residual filter: in the requested order, or in id order for a JavaScript
 * sort. Without documents, and with no condition or key reading the entity row, they come from the
 * driving type's rows alone.
 */
function candidatesStatement(c: CompiledQuery, withDoc: boolean): Statement {
  const sqlOrder = c.order.kind === 'sql' ? c.order : undefined;
  const typeRowsOnly = !withDoc && c.countFrom !== c.from && !(sqlOrder?.readsEntity ?? false);
  const [from, eid, id] = typeRowsOnly ? [c.countFrom, c.eid, c.idColumn] : [c.from, 'e.eid', 'e.id'];
  const cols = [
    `${eid} AS eid`,
    `${id} AS id`,
    ...(withDoc ? ['e.doc::text AS doc'] : []),
    ...(c.residual?.columns ?? []),
  ];
  const tail = sqlOrder ? `${sqlOrder.joins} WHERE ${c.where} ORDER BY ${sqlOrder.by}` : `WHERE ${c.where}`;
  return statement(`SELECT ${cols.join(', ')} FROM ${from} ${tail}`, c.params);
}

/** The attribute IRIs a query names (q paths, attrs, geoproperty, order keys): the terms to look up. */
function namedIris(q: Selection): string[] {
  const out = new Set<string>();
  const add = (iri: unknown): void => {
    // PostgreSQL text cannot hold U+0000: such a name is no term, and looking it up would fail.
    if (typeof iri === 'string' && !hasNul(iri)) out.add(iri);
  };
  const walk = (e: QExpr): void => {
    if (e.kind === 'and' || e.kind === 'or') e.items.forEach(walk);
    else add(e.path.attr);
  };
  if (q.q) walk(q.q);
  for (const a of q.attrs ?? []) add(a);
  if (q.geoQ) add(q.geoQ.geoproperty);
  for (const o of q.orderBy ?? []) if (typeof o.key === 'object') add((o.key as AttrPath).attr);
  return [...out];
}

/**
 * PostGIS reports a geometry it cannot evaluate (a GEOS topology error on an invalid polygon) as an
 * internal error (XX000); with a geoQ that is the caller's geometry, so a BadRequestData.
 */
async function geoErrors<T>(q: Selection, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (q.geoQ && sqlState(e) === 'XX000') {
      const why = e instanceof Error ? e.message : 'invalid geometry';
      throw badRequest(`geoQ cannot be evaluated: ${why}`);
    }
    throw e;
  }
}
