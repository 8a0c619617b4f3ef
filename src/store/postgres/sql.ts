/**
 * Running SQL for the PostgreSQL repositories: parameterised queries only, a transaction helper that
 * always ends what it begins, and the translation of PostgreSQL's errors that are the caller's fault
 * (a value the column cannot hold, a key given twice, a row that must exist) into NgsiErrors, so a
 * bad input becomes a 4xx and never a 5xx. Other errors pass through with their cause.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { NgsiError } from '../../core/errors.js';

/** What runs a query: the pool (one statement, autocommit) or a client inside a transaction. */
export interface Sql {
  query<R extends pg.QueryResultRow>(
    text: string | pg.QueryConfig,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

/**
 * A statement prepared once per connection (a named statement: parsed and planned on its first use
 * on each pooled connection, then only bound and executed). For the fixed statements of hot paths —
 * the entity writer's, a credential lookup — not for the query compiler's generated SQL, whose texts
 * are many (each name is kept by every connection for its lifetime).
 */
export interface Prepared {
  readonly name: string;
  readonly text: string;
}

const named = new Map<string, Prepared>();

/** Name a fixed statement for preparation (the name is derived from the text: one text, one name). */
export function prepared(text: string): Prepared {
  let p = named.get(text);
  if (p === undefined)
    named.set(text, (p = { name: `u${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text }));
  return p;
}

/** `run` of a fixed statement, prepared once per connection. */
export function runPrepared<R extends pg.QueryResultRow>(
  db: Sql,
  text: string,
  values: unknown[] = [],
): Promise<pg.QueryResult<R>> {
  return run<R>(db, prepared(text), values);
}

/** `rows` of a fixed statement, prepared once per connection. */
export function rowsPrepared<R extends pg.QueryResultRow>(
  db: Sql,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  return rows<R>(db, prepared(text), values);
}

/** SQLSTATE of a pg error, if it is one. */
export function sqlState(e: unknown): string | undefined {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** PostgreSQL's unique_violation and foreign_key_violation. */
export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';

/**
 * Run one parameterised statement. Class 22 (data exception: a NUL character, a malformed JSON
 * escape, a number out of range) is a value given by the caller that PostgreSQL cannot store.
 */
export async function run<R extends pg.QueryResultRow>(
  db: Sql,
  text: string | Prepared,
  values: unknown[] = [],
): Promise<pg.QueryResult<R>> {
  try {
    return typeof text === 'string'
      ? await db.query<R>(text, values)
      : await db.query<R>({ name: text.name, text: text.text, values });
  } catch (e) {
    if (sqlState(e)?.startsWith('22')) {
      const why = e instanceof Error ? e.message : 'invalid value';
      throw new NgsiError('BadRequestData', `a value cannot be stored: ${why}`, { cause: e });
    }
    throw e;
  }
}

/** The rows of one statement. */
export async function rows<R extends pg.QueryResultRow>(
  db: Sql,
  text: string | Prepared,
  values: unknown[] = [],
): Promise<R[]> {
  return (await run<R>(db, text, values)).rows;
}

/** `f`'s result; a uniqueness violation in it becomes AlreadyExists(`what` already exists). */
export async function unique<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (sqlState(e) === UNIQUE_VIOLATION) {
      throw new NgsiError('AlreadyExists', `${what} already exists`, { cause: e });
    }
    throw e;
  }
}

/**
 * Run `f` in one transaction on a client of the pool (READ COMMITTED, PostgreSQL's default): COMMIT
 * when it resolves, ROLLBACK when it throws. A client whose ROLLBACK fails is destroyed rather than
 * handed back to the pool in an unknown state.
 */
export async function transaction<T>(pool: pg.Pool, f: (client: Sql) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    try {
      const result = await f(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
      } catch (rollback) {
        broken = rollback instanceof Error ? rollback : new Error(String(rollback));
      }
      throw e;
    }
  } finally {
    client.release(broken);
  }
}
