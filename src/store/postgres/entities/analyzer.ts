/**
 * Fresh planner statistics after a large load. PostgreSQL plans from statistics that autovacuum's
 * ANALYZE refreshes about a minute after enough rows changed; a city that bulk-loads 100,000 entities
 * (or a year of history) and queries at once gets plans made for an empty table (measured: a `near`
 * page 1.2 s instead of 40 ms, a type+q page 140 ms instead of 11 ms). So the store counts the rows
 * it adds to a group of tables and, once they reach a tenth of what the statistics last saw of its
 * first table (at least MIN_ROWS), analyzes the group itself, out of band and one run at a time.
 * Every replica counts its own writes; two running ANALYZE at once is harmless.
 */
import type pg from 'pg';
import { rows } from '../sql.js';

/** The entity tables (counted in entities created). */
export const ENTITY_TABLES = ['entities', 'entity_types', 'entity_scopes', 'attr_values', 'entity_geo'];
/** The history tables (counted in instances added). */
export const HISTORY_TABLES = [
  'temporal_instances',
  'temporal_series',
  'temporal_entities',
  'temporal_types',
];
/** Rows added before the first automatic ANALYZE. */
export const MIN_ROWS = 1000;

export class Analyzer {
  private created = 0;
  /** Entities the statistics knew at the last ANALYZE (pg_class.reltuples). */
  private known = 0;
  private running: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    /** The tables analyzed together; the first one's row count is what growth is measured against. */
    private readonly tables: readonly string[],
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Rows were added; analyze when they outgrew the statistics. */
  note(created: number): void {
    this.created += created;
    if (this.running || this.created < Math.max(MIN_ROWS, this.known / 10)) return;
    this.created = 0;
    this.running = this.analyze()
      .catch(this.onError)
      .finally(() => (this.running = undefined));
  }

  /** Wait for an ANALYZE in progress (before closing the pool). */
  async settled(): Promise<void> {
    await this.running;
  }

  private async analyze(): Promise<void> {
    // Table names are constants of this module, never input.
    await rows(this.pool, `ANALYZE ${this.tables.join(', ')}`);
    const [r] = await rows<{ n: number }>(
      this.pool,
      'SELECT greatest(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = $1::regclass',
      [this.tables[0]],
    );
    this.known = r?.n ?? 0;
  }
}
