/**
 * Applies the PostgreSQL migrations in order — the same contract as the SQLite store's: each in its
 * own transaction together with its row in `schema_version`, with a SHA-256 checksum of its SQL, and
 * a refusal to start on a database that holds an edited or unknown migration.
 *
 * Several replicas may start at once against one database. Each migration's transaction first takes
 * a transaction-scoped advisory lock (`pg_advisory_xact_lock`), then reads `schema_version` again:
 * the replicas queue on the lock, the first applies the migration, the others find it recorded and
 * apply nothing. The lock is released by the COMMIT or ROLLBACK itself, so a replica that dies while
 * migrating cannot leave it held.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { NgsiError } from '../../core/errors.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import { rows, transaction, type Sql } from './sql.js';

/** The advisory lock key of Urbis migrations (ASCII "urbismig"), in the database's shared key space. */
export const MIGRATION_LOCK_KEY = '8462934854830221671';

const checksum = (m: Migration): string => createHash('sha256').update(m.sql).digest('hex');

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

/** Refuse a database whose applied migrations this code does not know, or knows differently. */
function verify(applied: AppliedRow[], known: Map<number, Migration>): void {
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
}

/**
 * Under the lock, in one transaction: check what is applied and apply the next pending migration.
 * Returns its version, or undefined when there was none left.
 */
async function applyNext(db: Sql, migrations: readonly Migration[]): Promise<number | undefined> {
  await db.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
  // Created under the lock: two replicas' concurrent CREATE TABLE IF NOT EXISTS may otherwise clash.
  await db.query(`CREATE TABLE IF NOT EXISTS schema_version (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const applied = await rows<AppliedRow>(
    db,
    'SELECT version, name, checksum FROM schema_version ORDER BY version',
  );
  verify(applied, new Map(migrations.map((m) => [m.version, m])));
  const done = new Set(applied.map((r) => r.version));
  const next = [...migrations].sort((a, b) => a.version - b.version).find((m) => !done.has(m.version));
  if (!next) return undefined;
  // Simple-query protocol (no parameters): a migration may hold several statements.
  await db.query(next.sql);
  await db.query('INSERT INTO schema_version (version, name, checksum) VALUES ($1, $2, $3)', [
    next.version,
    next.name,
    checksum(next),
  ]);
  return next.version;
}

/** Bring the database up to the latest migration; returns the versions this call applied. */
export async function runPostgresMigrations(
  pool: pg.Pool,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  const versions = new Set<number>();
  for (const m of migrations) {
    if (!Number.isSafeInteger(m.version) || m.version <= 0 || versions.has(m.version)) {
      throw new NgsiError('InternalError', `migration versions must be distinct positive integers`);
    }
    versions.add(m.version);
  }
  const now: number[] = [];
  for (;;) {
    const version = await transaction(pool, (db) => applyNext(db, migrations));
    if (version === undefined) return now;
    now.push(version);
  }
}
