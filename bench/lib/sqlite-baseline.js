/**
 * The storage baseline: raw better-sqlite3 inserts of the very JSON documents the broker is sent,
 * in 1,000-row transactions, into a WAL-mode file. It is the floor under any SQLite-backed write
 * path — no HTTP, no JSON-LD expansion, no indexes beyond the primary key — so the ratio of the
 * batch-upsert figure to it says how much the broker adds on top of the storage engine.
 */
import Database from 'better-sqlite3';
import { timeBatches } from './stats.js';

/** A baseline database: one table of (id, type, doc) rows. */
export class SqliteBaseline {
  /**
   * Open (create) the database file.
   * @param {string} file path of a new database file in a temp dir
   * @param {{ synchronous?: 'OFF' | 'NORMAL' | 'FULL' }} [opts] durability; match the store's setting
   */
  constructor(file, { synchronous = 'NORMAL' } = {}) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${synchronous}`);
    this.synchronous = synchronous;
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS entity (id TEXT PRIMARY KEY, type TEXT NOT NULL, doc TEXT NOT NULL)',
    );
    this.insert = this.db.prepare('INSERT INTO entity (id, type, doc) VALUES (?, ?, ?)');
    this.insertBatch = this.db.transaction((rows) => {
      for (const r of rows) this.insert.run(r.id, r.type, r.doc);
    });
  }

  /**
   * Insert rows in transactions of `batch` rows and time it.
   * @param {Array<{ id: string, type: string, doc: string }>} rows
   * @param {number} [batch]
   * @returns {{ rows: number, seconds: number, rowsPerSec: number }}
   */
  insertRows(rows, batch = 1000) {
    const r = timeBatches(rows, batch, this.insertBatch);
    return { rows: r.count, seconds: r.seconds, rowsPerSec: r.perSec };
  }

  /** Close the database. */
  close() {
    this.db.close();
  }
}
