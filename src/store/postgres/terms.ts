/**
 * Interned IRIs (`terms`): attribute names become small integers in the side tables. A term, once
 * created, never changes or goes away, so every replica may cache the mapping for ever. Terms are
 * created outside the write transaction that needs them (a rolled-back write must not leave a
 * cached id that was never committed); a term nobody uses afterwards costs one small row.
 */
import type pg from 'pg';
import { rows } from './sql.js';

export class Terms {
  private readonly ids = new Map<string, number>();

  constructor(private readonly pool: pg.Pool) {}

  /** The id of an IRI already known to this process (or -1): what a query needs, without I/O. */
  cached(iri: string): number {
    return this.ids.get(iri) ?? -1;
  }

  /** Ids of IRIs that exist (unknown ones stay absent), loading those this process has not seen. */
  async lookup(iris: Iterable<string>): Promise<Map<string, number>> {
    const missing = [...new Set(iris)].filter((i) => !this.ids.has(i));
    if (missing.length > 0) {
      const found = await rows<{ id: number; iri: string }>(
        this.pool,
        'SELECT id, iri FROM terms WHERE iri = ANY($1::text[])',
        [missing],
      );
      for (const r of found) this.ids.set(r.iri, r.id);
    }
    return this.ids;
  }

  /** Ids of IRIs, creating those that do not exist yet (concurrent creators agree on one id). */
  async intern(iris: Iterable<string>): Promise<Map<string, number>> {
    await this.lookup(iris);
    const missing = [...new Set(iris)].filter((i) => !this.ids.has(i));
    if (missing.length > 0) {
      // ON CONFLICT DO NOTHING returns only the rows it inserted: the others were made meanwhile
      // by another session, and are read back below.
      await rows(
        this.pool,
        'INSERT INTO terms (iri) SELECT unnest($1::text[]) ON CONFLICT (iri) DO NOTHING',
        [missing],
      );
      await this.lookup(missing);
    }
    return this.ids;
  }

  /** The id of an interned IRI (call `intern` or `lookup` first); -1 when it has none. */
  idOf(iri: string): number {
    return this.ids.get(iri) ?? -1;
  }
}
