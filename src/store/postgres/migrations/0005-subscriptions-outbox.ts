/**
 * PostgreSQL migration 0005: subscriptions with their delivery statistics, and the outbox of
 * notifications waiting for delivery — the PostgreSQL form of SQLite's 0004, on the conventions of
 * 0001 (tenant first in every key, `COLLATE "C"` on keys and ordered columns, documents as `json`
 * kept verbatim, instants handed back as given kept as text).
 *
 * - `subscriptions`: the subscription as one `json` document beside its statistics, which the
 *   outbox's delivery outcomes update in the statement that updates the entries. Counters are
 *   bigint: a busy subscription sends for years.
 * - `outbox.oid` is an identity: never reused, even when the outbox empties, so it orders
 *   deliveries and names notifications across restarts. A sequence hands numbers out in the order
 *   transactions ask for them, not the order they commit; the writers (outbox.ts) take an advisory
 *   lock per (tenant, subscription) before asking, so one subscription's oids commit in order and
 *   the dispatcher's cursor (`take(…, afterOid, …)`) never steps over an entry committed late.
 * - `created_at` is `timestamptz` set by the server (the port's createdAt is the store's own
 *   instant, not a caller's spelling), so an operator can find old dead letters by age.
 * - Two partial indexes on (tenant, sub, oid): the pending entries (`take`, `pending`, `size`) and
 *   the dead letters (`deadLetters`), so a subscription with many dead letters does not slow the
 *   reads of its pending ones. Deleting a subscription's entries reads both.
 * - No foreign key from the outbox to `subscriptions`: the periodic and initial notifications are
 *   enqueued by the subscription service, which may race with a delete; an entry of a deleted
 *   subscription is parked by the dispatcher, as in SQLite.
 */
export const sql = `
CREATE TABLE subscriptions (
  tenant            text COLLATE "C" NOT NULL,
  id                text COLLATE "C" NOT NULL,
  doc               json NOT NULL,
  times_sent        bigint NOT NULL DEFAULT 0,
  times_failed      bigint NOT NULL DEFAULT 0,
  last_notification text,
  last_success      text,
  last_failure      text,
  dead_letters      bigint NOT NULL DEFAULT 0,
  last_error        text,
  PRIMARY KEY (tenant, id)
);

CREATE TABLE outbox (
  oid        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant     text COLLATE "C" NOT NULL,
  sub        text COLLATE "C" NOT NULL,
  entity     text COLLATE "C" NOT NULL,
  payload    json NOT NULL,
  attempts   integer NOT NULL DEFAULT 0,
  nid        text,
  dead       boolean NOT NULL DEFAULT false,
  error      text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_pending ON outbox (tenant, sub, oid) WHERE NOT dead;
CREATE INDEX outbox_dead ON outbox (tenant, sub, oid) WHERE dead;
`;
