/**
 * Writing and reading outbox entries (table `outbox`, migration 0005). Writing is shared by the
 * change sink (inside the entity writer's transaction) and `enqueue` (its own transaction): both
 * first take the subscriptions' order lock (order-lock.ts), then insert every entry in one
 * statement, in the order given, so the oids of one call follow the order of its notices.
 */
import type { NoticePayload } from '../../../core/subscription/model.js';
import type { Notice, OutboxEntry } from '../../port.js';
import { run, type Sql } from '../sql.js';
import { json } from '../values.js';
import { lockSubscriptions } from './order-lock.js';

/** Which (tenant, subscription) got work: what the outbox listener is told after the commit. */
export type OutboxWork = Array<{ tenant: string; subscriptionId: string }>;

/**
 * Insert entries, oids in array order: the ordered subquery is not flattened, so the identity
 * default is drawn row by row after the sort. Run it only under the order lock of every
 * subscription named (lockSubscriptions), or a later oid may commit before an earlier one.
 */
export const INSERT_ENTRIES_SQL = `INSERT INTO outbox (tenant, sub, entity, payload)
SELECT u.tenant, u.sub, u.entity, u.payload::json
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(tenant, sub, entity, payload, n)
ORDER BY u.n`;

/** Inside a transaction: lock the subscriptions named, insert the entries; which subscriptions got work. */
export async function writeEntries(
  db: Sql,
  entries: Array<{ tenant: string; notice: Notice }>,
): Promise<OutboxWork> {
  const work = new Map<string, { tenant: string; subscriptionId: string }>();
  const cols = {
    tenant: [] as string[],
    sub: [] as string[],
    entity: [] as string[],
    payload: [] as string[],
  };
  for (const { tenant, notice } of entries) {
    cols.tenant.push(tenant);
    cols.sub.push(notice.subscriptionId);
    cols.entity.push(notice.entityId);
    cols.payload.push(json('payload', notice.payload));
    // JSON of the pair: a key no tenant or subscription id can forge with a separator.
    work.set(JSON.stringify([tenant, notice.subscriptionId]), {
      tenant,
      subscriptionId: notice.subscriptionId,
    });
  }
  if (entries.length === 0) return [];
  await lockSubscriptions(db, work.values());
  await run(db, INSERT_ENTRIES_SQL, [cols.tenant, cols.sub, cols.entity, cols.payload]);
  return [...work.values()];
}

/** The columns of an entry as `EntryRow` reads them. */
export const ENTRY_COLUMNS = 'oid, entity, payload::text AS payload, attempts, nid, created_at';

export interface EntryRow {
  /** bigint: pg hands it over as a string. */
  oid: string;
  entity: string;
  payload: string;
  attempts: number;
  nid: string | null;
  created_at: Date;
}

/** An entry of the tenant and subscription its query named. */
export function toEntry(tenant: string, subscriptionId: string, r: EntryRow): OutboxEntry {
  const e: OutboxEntry = {
    oid: Number(r.oid),
    tenant,
    subscriptionId,
    entityId: r.entity,
    payload: JSON.parse(r.payload) as NoticePayload,
    attempts: r.attempts,
    createdAt: r.created_at.toISOString(),
  };
  if (r.nid !== null) e.notificationId = r.nid;
  return e;
}
