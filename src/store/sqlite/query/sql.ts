/** SQL fragments with their bound parameters, and the shapes the query compiler passes around. */

/** A piece of SQL and the values of its `?` placeholders, in order. */
export interface Sql {
  sql: string;
  params: unknown[];
}

/** Build a fragment. */
export const sql = (text: string, ...params: unknown[]): Sql => ({ sql: text, params });

/** Join fragments with a separator (AND / OR / ','), keeping the parameters in order. */
export function join(parts: Sql[], sep: string): Sql {
  return { sql: parts.map((p) => p.sql).join(sep), params: parts.flatMap((p) => p.params) };
}

/** A fragment that never holds. */
export const FALSE = sql('0');

/** One ANDed condition of a query, over the entity row aliased `e`. */
export interface Conjunct {
  /** A boolean expression over `e` (uses e.eid, e.id, e.doc). */
  probe: Sql;
  /** `SELECT eid ...` listing (a superset of, when not exact) the entities satisfying it, via an index. */
  driver?: Sql;
  /** The driver lists exactly the entities satisfying the probe, so the probe can be left out. */
  exact?: boolean;
  /** Size of the driver's result when known without counting. */
  known?: number;
  /**
   * The probe calls into JavaScript per row (exact geometry, document paths): it runs after the
   * cheap tests, and on a page in id order only on the rows the page needs (see plan.ts).
   */
  costly?: boolean;
  /** The probe reads no column of `e` but e.eid, so a drive can test it before reading the entity row. */
  byEid?: boolean;
  /**
   * `SELECT eid, id ...` of exactly the entities satisfying it, walkable in id order through an index:
   * a scan can run over these rows instead of the whole tenant (one type among many).
   */
  scan?: Sql;
}

/** What compiling needs from the store: the tenant and the interned id of an IRI (-1 when unknown). */
export interface CompileContext {
  tid: number;
  term(iri: string): number;
}
