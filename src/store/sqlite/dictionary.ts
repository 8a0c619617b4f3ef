/**
 * Interning of strings into integer ids (IRIs of types, attributes and value paths in `terms`;
 * tenant names in `tenants`), cached in memory. A failed write transaction rolls back the rows it
 * added, so the owner calls `forget()` then to drop ids the database no longer has.
 */
import type Database from 'better-sqlite3';
import { NgsiError } from '../../core/errors.js';

/** A string <-> integer table with a memory cache; one per store, never shared. */
export class Dictionary {
  private readonly byName = new Map<string, number>();
  private readonly byId = new Map<number, string>();
  private readonly find: Database.Statement<[string], { id: number }>;
  private readonly name: Database.Statement<[number], { name: string }>;
  private readonly insert: Database.Statement<[string]>;
  private readonly list: Database.Statement<[], { name: string }>;

  constructor(db: Database.Database, table: 'terms' | 'tenants') {
    const [id, name] = table === 'terms' ? ['id', 'iri'] : ['tid', 'name'];
    this.find = db.prepare(`SELECT ${id} AS id FROM ${table} WHERE ${name} = ?`);
    this.name = db.prepare(`SELECT ${name} AS name FROM ${table} WHERE ${id} = ?`);
    this.insert = db.prepare(`INSERT INTO ${table} (${name}) VALUES (?)`);
    this.list = db.prepare(`SELECT ${name} AS name FROM ${table} ORDER BY ${name}`);
  }

  /** The id of `s`, or undefined when it was never interned. */
  idOf(s: string): number | undefined {
    const cached = this.byName.get(s);
    if (cached !== undefined) return cached;
    const row = this.find.get(s);
    if (row) this.remember(s, row.id);
    return row?.id;
  }

  /** The id of `s`, interning it (inside the caller's transaction) when new. */
  ensure(s: string): number {
    const known = this.idOf(s);
    if (known !== undefined) return known;
    const id = Number(this.insert.run(s).lastInsertRowid);
    this.remember(s, id);
    return id;
  }

  /** The string of an id that the database holds. */
  nameOf(id: number): string {
    const cached = this.byId.get(id);
    if (cached !== undefined) return cached;
    const row = this.name.get(id);
    if (!row) throw new NgsiError('InternalError', `dictionary has no entry ${id}`);
    this.remember(row.name, id);
    return row.name;
  }

  /** Every string interned, sorted. */
  all(): string[] {
    return this.list.all().map((r) => r.name);
  }

  /** Drop the cache (after a rolled-back transaction). */
  forget(): void {
    this.byName.clear();
    this.byId.clear();
  }

  private remember(s: string, id: number): void {
    this.byName.set(s, id);
    this.byId.set(id, s);
  }
}
