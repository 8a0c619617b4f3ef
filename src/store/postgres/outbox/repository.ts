/**
 * The OutboxRepository over PostgreSQL: what the notification dispatcher reads and the outcomes it
 * reports. Reads go through the two partial indexes of migration 0005 (pending, dead). Each outcome
 * is one statement whose data-modifying CTE changes the entries and whose main UPDATE changes the
 * subscription's statistics: atomic without a BEGIN/COMMIT round trip, so the counters never
 * disagree with the outbox. Outcomes follow SQLite's: a success or failure is counted even when
 * its entries are gone (the notification was sent), dead letters only for entries this call buried
 * (two replicas burying the same entries count them once: the second's UPDATE re-reads `dead`
 * after waiting for the first's row locks, and skips them).
 */
import type pg from 'pg';
import { NgsiError } from '../../../core/errors.js';
import type { Notice, OutboxRepository } from '../../port.js';
import { rows, run, transaction } from '../sql.js';
import { bound } from '../values.js';
import { ENTRY_COLUMNS, toEntry, writeEntries, type EntryRow, type OutboxWork } from './entries.js';

/** One subscription's entries named by the caller, pending only (a dead letter takes no outcome). */
const NAMED = 'tenant = $1 AND sub = $2 AND oid = ANY($3::bigint[]) AND NOT dead';

export const DELIVERED_SQL = `WITH gone AS (DELETE FROM outbox WHERE ${NAMED})
UPDATE subscriptions SET times_sent = times_sent + 1, last_notification = $4, last_success = $4
WHERE tenant = $1 AND id = $2`;

export const FAILED_SQL = `WITH retried AS (
  UPDATE outbox SET attempts = attempts + 1, nid = $4, error = $5 WHERE ${NAMED}
)
UPDATE subscriptions SET times_failed = times_failed + 1, last_notification = $6, last_failure = $6,
  last_error = $5
WHERE tenant = $1 AND id = $2`;

export const DEAD_SQL = `WITH buried AS (
  UPDATE outbox SET dead = true, error = $4 WHERE ${NAMED} RETURNING 1
)
UPDATE subscriptions SET dead_letters = dead_letters + (SELECT count(*) FROM buried), last_error = $4
WHERE tenant = $1 AND id = $2 AND EXISTS (SELECT 1 FROM buried)`;

/**
 * The distinct (tenant, subscription) pairs with pending entries, by a loose index scan of
 * `outbox_pending`: one index probe per pair, however many entries each has (the dispatcher asks
 * at start and on every rescan, when the outbox may hold a backlog of millions).
 */
export const PENDING_SQL = `WITH RECURSIVE p AS (
  (SELECT tenant, sub FROM outbox WHERE NOT dead ORDER BY tenant, sub LIMIT 1)
  UNION ALL
  SELECT n.tenant, n.sub FROM p CROSS JOIN LATERAL (
    SELECT o.tenant, o.sub FROM outbox o
    WHERE NOT o.dead AND (o.tenant, o.sub) > (p.tenant, p.sub)
    ORDER BY o.tenant, o.sub LIMIT 1
  ) AS n
)
SELECT tenant, sub FROM p`;

/** A page of one subscription's pending entries after a cursor (served by `outbox_pending`). */
export const TAKE_SQL = `SELECT ${ENTRY_COLUMNS} FROM outbox
WHERE tenant = $1 AND sub = $2 AND NOT dead AND oid > $3 ORDER BY oid LIMIT $4`;

/** The first dead letters of one subscription (served by `outbox_dead`). */
export const DEAD_LETTERS_SQL = `SELECT ${ENTRY_COLUMNS} FROM outbox
WHERE tenant = $1 AND sub = $2 AND dead ORDER BY oid LIMIT $3`;

/** oids as the caller gave them, checked: integers, or BadRequestData. */
function oidList(oids: number[]): number[] {
  if (!Array.isArray(oids) || !oids.every((o) => Number.isSafeInteger(o))) {
    throw new NgsiError('BadRequestData', 'oids must be an array of integers');
  }
  return oids;
}

/**
 * A delivery error as stored: an error text is a diagnostic (a receiver's message), and PostgreSQL
 * text cannot hold NUL; refusing it would lose the outcome itself, so NUL becomes U+FFFD.
 */
const diagnostic = (error: string): string => String(error).replaceAll('\u0000', '\uFFFD');

/** The repository; `tell` hears of entries enqueued here, after their commit. */
export function outboxRepository(pool: pg.Pool, tell: (work: OutboxWork) => void): OutboxRepository {
  return {
    enqueue: async (tenant: string, notices: Notice[]) => {
      if (notices.length === 0) return;
      const work = await transaction(pool, async (db) => {
        // As SQLite: a tenant written to exists (tenants then the order lock, as the entity writer).
        await run(db, 'INSERT INTO tenants (name) VALUES ($1) ON CONFLICT DO NOTHING', [tenant]);
        return writeEntries(
          db,
          notices.map((notice) => ({ tenant, notice })),
        );
      });
      tell(work);
    },
    pending: async () =>
      (await rows<{ tenant: string; sub: string }>(pool, PENDING_SQL)).map((r) => ({
        tenant: r.tenant,
        subscriptionId: r.sub,
      })),
    take: async (tenant, subscriptionId, afterOid, limit) => {
      const found = await rows<EntryRow>(pool, TAKE_SQL, [
        tenant,
        subscriptionId,
        bound('afterOid', afterOid),
        bound('limit', limit),
      ]);
      return found.map((r) => toEntry(tenant, subscriptionId, r));
    },
    delivered: async (tenant, subscriptionId, oids, at) => {
      await run(pool, DELIVERED_SQL, [tenant, subscriptionId, oidList(oids), at]);
    },
    failed: async (tenant, subscriptionId, oids, notificationId, error, at) => {
      await run(pool, FAILED_SQL, [
        tenant,
        subscriptionId,
        oidList(oids),
        notificationId,
        diagnostic(error),
        at,
      ]);
    },
    dead: async (tenant, subscriptionId, oids, error) => {
      await run(pool, DEAD_SQL, [tenant, subscriptionId, oidList(oids), diagnostic(error)]);
    },
    deadLetters: async (tenant, subscriptionId, limit) => {
      const found = await rows<EntryRow>(pool, DEAD_LETTERS_SQL, [
        tenant,
        subscriptionId,
        bound('limit', limit),
      ]);
      return found.map((r) => toEntry(tenant, subscriptionId, r));
    },
    size: async () =>
      Number((await rows<{ n: string }>(pool, 'SELECT count(*) AS n FROM outbox WHERE NOT dead'))[0]?.n ?? 0),
  };
}
