/**
 * What the PostgreSQL entity writer tells the rest of the store about each applied change, inside
 * the write transaction: the temporal history and the outbox are sinks. A sink writes with the
 * transaction's client, so its rows commit or roll back with the change; a sink that throws fails
 * the whole call (the writer may then retry it from the start, so a sink keeps no state of its own
 * until the work it returns runs after the commit).
 */
import type { Entity } from '../../core/model/entity.js';
import type { Sql } from './sql.js';

/** One applied change (a put or a delete; skips are not changes). */
export interface AppliedChange {
  tenant: string;
  id: string;
  before?: Entity;
  after?: Entity;
  /** ISO instant: the entity's new modifiedAt, or the time of the delete. */
  at: string;
}

/** Records changes in the current transaction; may return work to run once the transaction committed. */
export interface ChangeSink {
  record(db: Sql, changes: AppliedChange[]): Promise<(() => void) | void>;
}
