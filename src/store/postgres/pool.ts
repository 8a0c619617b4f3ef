/**
 * The PostgreSQL connection pool of the store: one `pg.Pool` per process, built from a
 * `postgres://` (or `postgresql://`) URL. Every connection it opens carries an application name (so
 * an operator sees which replica holds which session in `pg_stat_activity`), a statement timeout (a
 * runaway query is cancelled by the server instead of holding a connection and its locks for ever)
 * and an idle-in-transaction timeout (a replica that dies mid-transaction does not keep its row
 * locks until TCP notices).
 */
import pg from 'pg';

/** How to reach PostgreSQL, and the limits every session gets. */
export interface PostgresPoolOptions {
  /** `postgres://user:password@host:port/database?…` (libpq-style URL, as `--store` takes it). */
  url: string;
  /** Shown in pg_stat_activity; default `urbis`. */
  applicationName?: string;
  /** Server-side statement timeout in ms; default 30 s. */
  statementTimeoutMs?: number;
  /** Server-side idle-in-transaction timeout in ms; default 60 s. */
  idleInTransactionTimeoutMs?: number;
  /** Most connections this pool opens; default 10. */
  max?: number;
  /** How long a checkout may wait for a connection before failing, in ms; default 10 s. */
  connectTimeoutMs?: number;
  /**
   * Told when an idle connection fails (the server restarted, the network dropped). The pool has
   * already discarded that connection and opens a new one on the next query; without a listener,
   * node would treat the pool's 'error' event as an uncaught exception and end the process.
   */
  onIdleError?: (error: Error) => void;
}

/** A positive integer option, or the default; anything else is a configuration mistake. */
function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`postgres pool: ${name} must be a positive integer, not ${String(value)}`);
  }
  return value;
}

/** The URL checked: a PostgreSQL URL with a host, or an Error saying what is wrong with it. */
export function checkPostgresUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The URL may hold a password: the message does not repeat it.
    throw new Error('postgres store: the store URL is not a valid URL');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new Error(`postgres store: the store URL must start with postgres://, not ${parsed.protocol}//`);
  }
  if (parsed.hostname === '') throw new Error('postgres store: the store URL names no host');
  return parsed;
}

/** A pool over the database of `options.url`; nothing connects until the first query. */
export function createPostgresPool(options: PostgresPoolOptions): pg.Pool {
  checkPostgresUrl(options.url);
  const pool = new pg.Pool({
    connectionString: options.url,
    application_name: options.applicationName ?? 'urbis',
    statement_timeout: positive('statementTimeoutMs', options.statementTimeoutMs, 30_000),
    idle_in_transaction_session_timeout: positive(
      'idleInTransactionTimeoutMs',
      options.idleInTransactionTimeoutMs,
      60_000,
    ),
    max: positive('max', options.max, 10),
    // Urbis's statements are short and many: PostgreSQL's JIT compiled a 15 ms aggregate for ~600 ms,
    // and starting parallel workers cost ~8 ms on a page that runs in 0.3 ms (measured). Both off
    // for Urbis's sessions only; the server's defaults stay for everyone else. Storage is assumed to
    // be SSD (random_page_cost 1.1, as PostgreSQL's documentation advises for it): with the default
    // 4, a selective type+q page over 100,000 entities scanned a whole side table (47 ms) instead of
    // walking the value index (15 ms).
    options: '-c jit=off -c max_parallel_workers_per_gather=0 -c random_page_cost=1.1',
    connectionTimeoutMillis: positive('connectTimeoutMs', options.connectTimeoutMs, 10_000),
  });
  const onIdleError = options.onIdleError ?? ((): void => undefined);
  pool.on('error', onIdleError);
  return pool;
}
