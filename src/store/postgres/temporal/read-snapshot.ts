/**
 * Reads of the history run in one REPEATABLE READ, READ ONLY transaction: a temporal query is
 * several statements (entities, series, instances or aggregates) and they must see one state of
 * the history, not a write that committed between two of them. The transaction also turns JIT off
 * (`SET LOCAL`, for these statements only): the aggregation plans join a list of periods to one
 * index seek each, which PostgreSQL estimates expensive enough to JIT-compile — measured at ~600 ms
 * of compilation for a 15 ms hourly aggregate over a month of minutes.
 */
import type pg from 'pg';
import { transaction, type Sql } from '../sql.js';

/** Run `f` on one snapshot of the database, without JIT. */
export function readSnapshot<T>(pool: pg.Pool, f: (db: Sql) => Promise<T>): Promise<T> {
  return transaction(pool, async (db) => {
    // One round trip for both settings (simple query protocol: no parameters).
    await db.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL jit = off');
    return f(db);
  });
}
