/**
 * Subscriptions in SQLite (table `subscriptions`): the subscription as one JSON document beside
 * its delivery statistics, which the outbox updates as notifications are sent. Deleting a
 * subscription deletes its outbox entries in the same transaction.
 */
import type Database from 'better-sqlite3';
import type { SubscriptionRepository } from '../port.js';
import { subscriptionRecord, type SubscriptionColumns } from '../shared/subscription-record.js';
import type { Dictionary } from './dictionary.js';

interface Row extends SubscriptionColumns {
  tid: number;
}

const COLUMNS =
  'tid, doc, times_sent, times_failed, last_notification, last_success, last_failure, dead_letters, last_error';

/** The subscription repository over one connection. */
export class SqliteSubscriptions {
  readonly repository: SubscriptionRepository;

  constructor(db: Database.Database, tenants: Dictionary) {
    const s = {
      // Replacing keeps the statistics: they belong to the subscription's id, not to its definition.
      put: db.prepare(
        'INSERT INTO subscriptions (tid, id, doc) VALUES (?, ?, ?) ON CONFLICT (tid, id) DO UPDATE SET doc = excluded.doc',
      ),
      get: db.prepare<[number, string], Row>(`SELECT ${COLUMNS} FROM subscriptions WHERE tid = ? AND id = ?`),
      page: db.prepare<[number, number, number], Row>(
        `SELECT ${COLUMNS} FROM subscriptions WHERE tid = ? ORDER BY id LIMIT ? OFFSET ?`,
      ),
      count: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM subscriptions WHERE tid = ?'),
      all: db.prepare<[], Row>(`SELECT ${COLUMNS} FROM subscriptions ORDER BY tid, id`),
      delete: db.prepare('DELETE FROM subscriptions WHERE tid = ? AND id = ?'),
      dropOutbox: db.prepare('DELETE FROM outbox WHERE tid = ? AND sub = ?'),
    };
    const remove = db.transaction((tid: number, id: string) => {
      s.dropOutbox.run(tid, id);
      return s.delete.run(tid, id).changes > 0;
    });
    this.repository = {
      put: async (tenant, sub) => {
        s.put.run(tenants.ensure(tenant), sub.id, JSON.stringify(sub));
      },
      get: async (tenant, id) => {
        const tid = tenants.idOf(tenant);
        const row = tid === undefined ? undefined : s.get.get(tid, id);
        return row && subscriptionRecord(row);
      },
      list: async (tenant, limit, offset) => {
        const tid = tenants.idOf(tenant);
        if (tid === undefined) return { items: [], count: 0 };
        return {
          items: s.page.all(tid, limit, offset).map(subscriptionRecord),
          count: s.count.get(tid)?.n ?? 0,
        };
      },
      all: async () =>
        s.all
          .all()
          .map((r) => ({ tenant: tenants.nameOf(r.tid), subscription: subscriptionRecord(r).subscription })),
      delete: async (tenant, id) => {
        const tid = tenants.idOf(tenant);
        return tid !== undefined && remove.immediate(tid, id);
      },
    };
  }
}
