/**
 * Compiles an EntityQuery (all names expanded) into the parts of one PostgreSQL statement over the
 * schema of migration 0003 — `FROM entities e WHERE e.tenant = $1 AND <conjuncts>`, each conjunct an
 * EXISTS over a side table, so the planner picks the index to drive from — plus what is left to
 * JavaScript (residual.ts) and the order (order.ts).
 *
 * One shape differs from plain EXISTS: when the type expression names one type to select (`A`, or
 * `A` in `A;B`, the common `?type=` query), the entities come FROM that type's rows of entity_types
 * joined to entities, and id order is that index's order (`td.id`): a page of a type in id order is
 * then a walk of the (tenant, type, id) index that stops after offset + limit rows, while a
 * selective q or geo conjunct can still drive (the planner chooses by cost). An entity has a type
 * once (primary key (eid, type)), so the join never repeats an entity. The conditions then name the
 * entity by the type row's `td.eid` / `td.id`, so a count reads the type's rows and side tables only,
 * never an entity row (unless a condition reads the document).
 */
import type { EntityQuery } from '../../../core/query/ast.js';
import { compilePattern } from '../../../core/query/pattern.js';
import { attrsSql, idsSql, scopeSql, typeDriver, typeSql, visibilitySql } from './compile-filters.js';
import { geoSql } from './compile-geo.js';
import { compileQ } from './compile-q.js';
import { jsOrder, needsJsOrder, orderSql } from './order.js';
import { ResidualBuilder, type Residual } from './residual.js';
import { and, FALSE, Params, TENANT } from './sql-builder.js';

/** The query without paging. */
export type Selection = Omit<EntityQuery, 'limit' | 'offset' | 'count'>;

/** How results are ordered: by PostgreSQL (ORDER BY over LATERAL joins) or by a JavaScript comparator. */
export type CompiledOrder =
  | { kind: 'sql'; joins: string; by: string; readsEntity: boolean }
  | { kind: 'js'; order: ReturnType<typeof jsOrder> };

export interface CompiledQuery {
  params: Params;
  /** FROM list (alias e for entities; td for the driving type's rows). */
  from: string;
  /** FROM list enough for the WHERE alone (a count): the type's rows when no condition reads the entity row. */
  countFrom: string;
  /** The WHERE condition (FALSE when nothing can match). */
  where: string;
  /** The columns of the entity's number and id for this FROM (e.eid, e.id or td.eid, td.id). */
  eid: string;
  idColumn: string;
  /** What JavaScript must still test on each candidate. */
  residual?: Residual;
  order: CompiledOrder;
}

/**
 * Compile; `termId` gives the interned id of an IRI (-1 when it has none). Throws BadRequestData for
 * a bad pattern or geometry before any SQL runs.
 */
export function compileQuery(tenant: string, q: Selection, termId: (iri: string) => number): CompiledQuery {
  const params = new Params(tenant);
  const placeholders = new Map<number, string>();
  const term = (iri: string): string | undefined => {
    const id = typeof iri === 'string' ? termId(iri) : -1;
    if (id < 0) return undefined;
    let p = placeholders.get(id);
    if (p === undefined) placeholders.set(id, (p = params.add(id, 'int')));
    return p;
  };
  const driver = q.type ? typeDriver(q.type) : undefined;
  // Conditions name the entity by number and id: the driving type row's columns when there is one,
  // so that a count needs no entity row at all.
  const [eid, idColumn] = driver ? ['td.eid', 'td.id'] : ['e.eid', 'e.id'];
  const where: string[] = [];
  const residual = new ResidualBuilder();
  const ctx = { params, term, eid, readsEntity: false, residual };

  if (driver) {
    where.push(`td.tenant = ${TENANT}`, `td.type = ${params.add(driver.name, 'text')}`);
    where.push(...driver.rest.map((t) => typeSql(t, eid, params)));
  } else {
    where.push(`e.tenant = ${TENANT}`);
    if (q.type) where.push(typeSql(q.type, eid, params));
  }
  if (q.ids) where.push(idsSql(q.ids, idColumn, params));
  if (q.idPattern !== undefined) {
    const re = compilePattern(q.idPattern); // refuses a bad pattern before any SQL runs
    residual.add((c) => re.test(c.id));
  }
  // attrs selects only when there is no q (otherwise it only projects).
  if (q.attrs && q.attrs.length > 0 && !q.q) {
    const ids = [...new Set(q.attrs.map((a) => (typeof a === 'string' ? termId(a) : -1)))].filter(
      (id) => id >= 0,
    );
    where.push(attrsSql(ids, eid, params));
  }
  if (q.q) where.push(...compileQ(q.q, ctx));
  if (q.scopeQ) where.push(scopeSql(q.scopeQ, eid, params));
  if (q.geoQ) where.push(geoSql(q.geoQ, term(q.geoQ.geoproperty), eid, params));
  if (q.visibility) where.push(visibilitySql(q.visibility, eid, params, residual));

  const order: CompiledOrder = needsJsOrder(q.orderBy)
    ? { kind: 'js', order: jsOrder(q.orderBy) }
    : { kind: 'sql', ...orderSql(q.orderBy, idColumn, eid, term) };
  const all = and(where);
  const from = driver ? 'entity_types td JOIN entities e ON e.eid = td.eid' : 'entities e';
  return {
    params,
    from,
    countFrom: driver && !ctx.readsEntity ? 'entity_types td' : from,
    where: all,
    eid,
    idColumn,
    residual: all === FALSE ? undefined : residual.build(),
    order,
  };
}
