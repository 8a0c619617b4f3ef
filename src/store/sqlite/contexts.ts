/** The @context documents hosted or cached by the broker (table `contexts`, shared by all tenants). */
import type Database from 'better-sqlite3';
import type { StoredContext } from '../port.js';

interface Row {
  id: string;
  url: string;
  kind: string;
  body: string;
  created_at: string;
  last_usage: string | null;
  hits: number;
}

const toContext = (r: Row): StoredContext => ({
  id: r.id,
  url: r.url,
  kind: r.kind === 'Cached' ? 'Cached' : 'Hosted',
  body: JSON.parse(r.body) as unknown,
  createdAt: r.created_at,
  ...(r.last_usage === null ? {} : { lastUsage: r.last_usage }),
  numberOfHits: r.hits,
});

/** CRUD over stored contexts with prepared statements. */
export class ContextRepository {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      put: db.prepare(
        `INSERT INTO contexts (id, url, kind, body, created_at, last_usage, hits) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET url = excluded.url, kind = excluded.kind, body = excluded.body,
           created_at = excluded.created_at, last_usage = excluded.last_usage, hits = excluded.hits`,
      ),
      get: db.prepare<[string], Row>('SELECT * FROM contexts WHERE id = ?'),
      list: db.prepare<[], Row>('SELECT * FROM contexts ORDER BY id'),
      delete: db.prepare('DELETE FROM contexts WHERE id = ?'),
      touch: db.prepare('UPDATE contexts SET last_usage = ?, hits = hits + 1 WHERE id = ?'),
    };
  }

  /** Insert or replace a context. */
  async put(c: StoredContext): Promise<void> {
    this.s.put.run(
      c.id,
      c.url,
      c.kind,
      JSON.stringify(c.body),
      c.createdAt,
      c.lastUsage ?? null,
      c.numberOfHits,
    );
  }

  /** One context, or undefined. */
  async get(id: string): Promise<StoredContext | undefined> {
    const r = this.s.get.get(id);
    return r && toContext(r);
  }

  /** Every context, by id. */
  async list(): Promise<StoredContext[]> {
    return this.s.list.all().map(toContext);
  }

  /** Remove a context; false when there was none. */
  async delete(id: string): Promise<boolean> {
    return this.s.delete.run(id).changes > 0;
  }

  /** Record a use: last usage time and one more hit. */
  async touch(id: string, at: string): Promise<void> {
    this.s.touch.run(at, id);
  }
}
