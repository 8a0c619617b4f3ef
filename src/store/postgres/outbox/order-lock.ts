/**
 * The lock that makes one subscription's outbox oids commit in increasing order across replicas.
 *
 * `oid` comes from a sequence, which hands numbers out when a transaction asks, not when it
 * commits: without more, replica A could take oid 10, replica B oid 11 and commit first, and a
 * dispatcher that read 11 would move its cursor past 10 before A committed it — an entry never
 * delivered. So every writer of a subscription's entries first takes a transaction-scoped advisory
 * lock on a key of (tenant, subscription): the writers of one subscription then take their oids
 * one transaction after the other, and each commits (becomes visible) before the next takes any.
 * Writers of different subscriptions do not wait for each other (barring a hash collision, which
 * only makes two subscriptions share a queue).
 *
 * The keys of one transaction are taken in ascending order in one statement, so two transactions
 * naming the same subscriptions cannot each hold one the other waits for (no deadlock). The locks
 * end with the transaction, so a replica that dies mid-write holds nothing once its session goes.
 * A wait is bounded by the session's statement_timeout.
 */
import { run, type Sql } from '../sql.js';

/** The first half of the advisory lock key of outbox writers (ASCII "uobx"); the hash of (tenant, subscription) is the second. */
export const OUTBOX_LOCK_CLASS = 0x756f6278;

/**
 * Take the locks of these (tenant, subscription) pairs, in key order. The subquery has DISTINCT and
 * ORDER BY, so PostgreSQL does not flatten it: the locks are taken in the sorted order.
 */
export const ORDER_LOCK_SQL = `SELECT pg_advisory_xact_lock($1::int, keys.k) FROM (
  SELECT DISTINCT hashtext(json_build_array(u.tenant, u.sub)::text) AS k
  FROM unnest($2::text[], $3::text[]) AS u(tenant, sub)
  ORDER BY k
) AS keys`;

/** Inside a transaction: wait until this transaction alone writes entries of these subscriptions. */
export async function lockSubscriptions(
  db: Sql,
  pairs: Iterable<{ tenant: string; subscriptionId: string }>,
): Promise<void> {
  const tenants: string[] = [];
  const subs: string[] = [];
  for (const p of pairs) {
    tenants.push(p.tenant);
    subs.push(p.subscriptionId);
  }
  if (tenants.length === 0) return;
  await run(db, ORDER_LOCK_SQL, [OUTBOX_LOCK_CLASS, tenants, subs]);
}
