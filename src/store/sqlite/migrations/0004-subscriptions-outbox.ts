/**
 * Migration 0004: subscriptions with their delivery statistics, and the outbox of notifications
 * waiting for delivery. Outbox rows are written in the transaction of the change they report;
 * `oid` is AUTOINCREMENT so that it never goes back, even when the outbox empties: it orders
 * deliveries and names notifications, across restarts.
 */
export const sql = `
CREATE TABLE subscriptions (
  tid INTEGER NOT NULL,
  id TEXT NOT NULL,
  doc TEXT NOT NULL,
  times_sent INTEGER NOT NULL DEFAULT 0,
  times_failed INTEGER NOT NULL DEFAULT 0,
  last_notification TEXT,
  last_success TEXT,
  last_failure TEXT,
  dead_letters INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  PRIMARY KEY (tid, id)
) WITHOUT ROWID;

CREATE TABLE outbox (
  oid INTEGER PRIMARY KEY AUTOINCREMENT,
  tid INTEGER NOT NULL,
  sub TEXT NOT NULL,
  entity TEXT NOT NULL,
  payload TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  nid TEXT,
  dead INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX outbox_sub ON outbox (tid, sub, dead, oid);
`;
