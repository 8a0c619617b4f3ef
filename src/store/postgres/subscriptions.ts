/**
 * Subscriptions in PostgreSQL (table `subscriptions`, migration 0005): the subscription as one
 * `json` document (verbatim) beside its delivery statistics, which the outbox's outcomes update.
 * Replacing a subscription keeps its statistics: they belong to its id, not to its definition.
 *
 * Deleting a subscription deletes its outbox entries (pending and dead) in the same transaction,
 * after taking the subscription's order lock (outbox/order-lock.ts): a writer that is inserting
 * entries for it commits first, and those entries go too, instead of outliving it.
 */
import type pg from 'pg';
import { NgsiError } from '../../core/errors.js';
import type { Subscription } from '../../core/subscription/model.js';
import type { SubscriptionRepository } from '../port.js';
import { subscriptionRecord, type SubscriptionColumns } from '../shared/subscription-record.js';
import { lockSubscriptions } from './outbox/order-lock.js';
import { rows, run, transaction } from './sql.js';
import { bound, json } from './values.js';

/** bigint counters: pg hands them over as strings. */
type Row = SubscriptionColumns;

const COLUMNS =
  'doc::text AS doc, times_sent, times_failed, last_notification, last_success, last_failure, dead_letters, last_error';

/**
 * Create or replace, and make the tenant exist (as SQLite does: a tenant written to exists). One
 * statement: the tenant row and the subscription commit together.
 */
const PUT_SQL = `WITH t AS (INSERT INTO tenants (name) VALUES ($1) ON CONFLICT DO NOTHING)
INSERT INTO subscriptions (tenant, id, doc) VALUES ($1, $2, $3::json)
ON CONFLICT (tenant, id) DO UPDATE SET doc = excluded.doc`;

/** A page and the total in one statement (one snapshot); the page is empty past the end. */
const PAGE_SQL = `SELECT c.n, s.* FROM (SELECT count(*) AS n FROM subscriptions WHERE tenant = $1) AS c
LEFT JOIN LATERAL (
  SELECT id, ${COLUMNS} FROM subscriptions WHERE tenant = $1 ORDER BY id LIMIT $2 OFFSET $3
) AS s ON true
ORDER BY s.id`;

/** The subscription repository over one pool. */
export class PgSubscriptions {
  readonly repository: SubscriptionRepository;

  constructor(pool: pg.Pool) {
    this.repository = {
      put: async (tenant, sub) => {
        if (typeof sub?.id !== 'string') throw new NgsiError('BadRequestData', 'a subscription needs an id');
        await run(pool, PUT_SQL, [tenant, sub.id, json('subscription', sub)]);
      },
      get: async (tenant, id) => {
        const [row] = await rows<Row>(
          pool,
          `SELECT ${COLUMNS} FROM subscriptions WHERE tenant = $1 AND id = $2`,
          [tenant, id],
        );
        return row && subscriptionRecord(row);
      },
      list: async (tenant, limit, offset) => {
        const found = await rows<Row & { n: string; id: string | null }>(pool, PAGE_SQL, [
          tenant,
          bound('limit', limit),
          bound('offset', offset),
        ]);
        return {
          items: found.filter((r) => r.id !== null).map(subscriptionRecord),
          count: Number(found[0]?.n ?? 0),
        };
      },
      all: async () =>
        (
          await rows<{ tenant: string; doc: string }>(
            pool,
            'SELECT tenant, doc::text AS doc FROM subscriptions ORDER BY tenant, id',
          )
        ).map((r) => ({ tenant: r.tenant, subscription: JSON.parse(r.doc) as Subscription })),
      delete: async (tenant, id) =>
        transaction(pool, async (db) => {
          await lockSubscriptions(db, [{ tenant, subscriptionId: id }]);
          await run(db, 'DELETE FROM outbox WHERE tenant = $1 AND sub = $2', [tenant, id]);
          const gone = await run(db, 'DELETE FROM subscriptions WHERE tenant = $1 AND id = $2', [tenant, id]);
          return (gone.rowCount ?? 0) > 0;
        }),
    };
  }
}
