/** The embedded SQLite store: open it with `openSqliteStore`. */
import { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';

export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
export { DEFAULT_TENANT } from '../port.js';

/** Open (and by default migrate) a SQLite store at `options.path` (a file, or ':memory:'). */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options);
}
