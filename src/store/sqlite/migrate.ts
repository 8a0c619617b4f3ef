/**
 * Applies the numbered migrations in order, each in its own transaction together with its row in
 * `schema_version`. A checksum of each applied migration is kept so that an edit to a released
 * migration is caught at start-up instead of leaving databases that differ silently.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { NgsiError } from '../../core/errors.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

const checksum = (m: Migration): string => createHash('sha256').update(m.sql).digest('hex');

/** Bring the database up to the latest migration; returns the versions applied now. */
export function runMigrations(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    checksum   TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const applied = db
    .prepare('SELECT version, name, checksum FROM schema_version ORDER BY version')
    .all() as Array<{
    version: number;
    name: string;
    checksum: string;
  }>;
  const known = new Map(migrations.map((m) => [m.version, m]));
  for (const row of applied) {
    const m = known.get(row.version);
    if (!m) {
      throw new NgsiError(
        'InternalError',
        `database has migration ${row.version} (${row.name}) that this version does not know`,
      );
    }
    if (checksum(m) !== row.checksum) {
      throw new NgsiError(
        'InternalError',
        `migration ${row.version} (${row.name}) was edited after it was applied`,
      );
    }
  }
  const done = new Set(applied.map((r) => r.version));
  const record = db.prepare(
    'INSERT INTO schema_version (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)',
  );
  const now: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, checksum(m), new Date().toISOString());
    }).immediate();
    now.push(m.version);
  }
  return now;
}
