/**
 * Pseudonymisation keys in PostgreSQL (table `pseudonym_keys`, migration 0002). `current` runs in
 * one transaction that first takes a transaction-scoped advisory lock for the tenant
 * (`pg_advisory_xact_lock(<"upsk">, hashtext(tenant))`): a tenant with no key has no row to lock,
 * so a row lock could not stop two replicas from both creating one. Replicas asking for the same
 * tenant queue; the second finds the first one's key. A hash collision between two tenants only
 * makes them wait for each other.
 *
 * Instants are compared as instants (Date.parse), not as text, as in SQLite; a tenant has one key
 * per rotation period, so reading its keys and deciding in JavaScript costs nothing. Destroying is
 * a DELETE, counted by what it deleted, so two replicas destroying at once count each key once.
 *
 * Known limit (docs/decisions/0009-postgres-store.md): PostgreSQL's MVCC cannot overwrite a value
 * in place. A deleted row's bytes stay in its heap page until VACUUM prunes it and the space is
 * reused, and in the WAL (and any archive or replica) until those are recycled; an UPDATE to zeros
 * first would only add another version. The secret is gone from every query at once, but not from
 * the disk; that needs encryption at rest, or secrets kept encrypted under a key outside the
 * database.
 */
import type pg from 'pg';
import { badRequest, NgsiError } from '../../../core/errors.js';
import type { PseudonymKey, PseudonymKeyRepository } from '../../governance-port.js';
import { rows, run, transaction, type Sql } from '../sql.js';

interface Row {
  id: string;
  tenant: string;
  secret: string;
  created_at: string;
  not_after: string;
}

const COLUMNS = 'id, tenant, secret, created_at, not_after';

/** The first half of the advisory lock key of pseudonym keys (ASCII "upsk"); the tenant's hash is the second. */
export const PSEUDONYM_LOCK_CLASS = 1970303851;

const toKey = (r: Row): PseudonymKey => ({
  id: r.id,
  tenant: r.tenant,
  secret: r.secret,
  createdAt: r.created_at,
  notAfter: r.not_after,
});

/** Epoch ms of an instant given by a caller; a clear 400 when it is not one. */
function instant(at: string): number {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) throw badRequest(`expected an ISO instant, got ${JSON.stringify(at)}`);
  return ms;
}

/** Expired at `now` (a notAfter that does not parse is treated as expired: it is destroyed). */
const expired = (r: Pick<Row, 'not_after'>, now: number): boolean => !(Date.parse(r.not_after) > now);

/** Delete these keys; how many this call deleted (another replica may have been first). */
async function destroy(db: Sql, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  return (await run(db, 'DELETE FROM pseudonym_keys WHERE id = ANY($1::text[])', [ids])).rowCount ?? 0;
}

/** Under the tenant's lock: destroy its expired keys, return the live one or store a new one. */
async function currentLocked(
  db: Sql,
  tenant: string,
  now: number,
  create: () => PseudonymKey,
): Promise<PseudonymKey> {
  await db.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2::text))', [PSEUDONYM_LOCK_CLASS, tenant]);
  const all = await rows<Row>(db, `SELECT ${COLUMNS} FROM pseudonym_keys WHERE tenant = $1`, [tenant]);
  await destroy(
    db,
    all.filter((r) => expired(r, now)).map((r) => r.id),
  );
  const live = all.filter((r) => !expired(r, now));
  // Several live keys only when one was made ahead of time: the latest made is the current one.
  live.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || (a.id < b.id ? 1 : -1));
  if (live[0]) return toKey(live[0]);
  const key = create();
  if (key.tenant !== tenant) {
    throw new NgsiError('InternalError', `pseudonym key made for tenant ${key.tenant}, not ${tenant}`);
  }
  if (!(Date.parse(key.notAfter) > now) || Number.isNaN(Date.parse(key.createdAt)) || key.secret === '') {
    throw new NgsiError('InternalError', `pseudonym key ${key.id} is not valid at the instant asked`);
  }
  await run(db, `INSERT INTO pseudonym_keys (${COLUMNS}) VALUES ($1, $2, $3, $4, $5)`, [
    key.id,
    key.tenant,
    key.secret,
    key.createdAt,
    key.notAfter,
  ]);
  return { ...key };
}

/** The pseudonym key repository over `pool`. */
export function postgresPseudonymKeys(pool: pg.Pool): PseudonymKeyRepository {
  return {
    current: async (tenant, at, create) => {
      const now = instant(at);
      return transaction(pool, (db) => currentLocked(db, tenant, now, create));
    },
    destroyExpired: async (at) => {
      const now = instant(at);
      const all = await rows<Pick<Row, 'id' | 'not_after'>>(pool, 'SELECT id, not_after FROM pseudonym_keys');
      return destroy(
        pool,
        all.filter((r) => expired(r, now)).map((r) => r.id),
      );
    },
  };
}
