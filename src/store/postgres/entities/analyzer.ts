/**
 * Fresh planner statistics after a large load. PostgreSQL plans from statistics that autovacuum's
 * ANALYZE refreshes about a minute after enough rows changed; a city that bulk-loads 100,000 entities
 * and queries at once gets plans made for an empty table (measured: a `near` page 1.2 s instead of
 * 40 ms, a type+q page 140 ms instead of 11 ms). So the store counts the entities it creates and,
 * once they reach a tenth of what the statistics last saw (at least MIN_ROWS), analyzes the entity
 * tables itself, out of band and one run at a time. Every replica counts its own writes; two running
 * ANALYZE at once is harmless.
 */
import type pg from 'pg';
import { rows } from '../sql.js';

const TABLES = 'entities, entity_types, entity_scopes, attr_values, entity_geo';
/** Entities created before the first automatic ANALYZE. */
export const MIN_ROWS = 1000;

export class Analyzer {
  private created = 0;
  /** Entities the statistics knew at the last ANALYZE (pg_class.reltuples). */
  private known = 0;
  private running: Promise<void> | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Entities were created; analyze when they outgrew the statistics. */
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
    await rows(this.pool, `ANALYZE ${TABLES}`);
    const [r] = await rows<{ n: number }>(
      this.pool,
      "SELECT greatest(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = 'entities'::regclass",
    );
    this.known = r?.n ?? 0;
  }
}
