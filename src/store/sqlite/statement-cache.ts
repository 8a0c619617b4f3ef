/**
 * Prepared statements for SQL text built per query shape. Fixed statements are prepared once by
 * their owners; compiled queries of the same shape share one statement through this cache.
 */
import type Database from 'better-sqlite3';

/** A bounded cache of prepared statements keyed by their SQL text. */
export class StatementCache {
  private readonly cache = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly size = 256,
  ) {}

  /** The prepared statement for `sql`, prepared on first use. */
  get(sql: string): Database.Statement {
    const hit = this.cache.get(sql);
    if (hit) {
      // Re-insert to keep recently used statements at the young end.
      this.cache.delete(sql);
      this.cache.set(sql, hit);
      return hit;
    }
    const stmt = this.db.prepare(sql);
    if (this.cache.size >= this.size) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(sql, stmt);
    return stmt;
  }
}
