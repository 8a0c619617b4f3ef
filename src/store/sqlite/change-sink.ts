/**
 * What the entity writer tells the rest of the SQLite store about each applied change, inside the
 * write transaction: the temporal history and the outbox are sinks. A sink writes its rows with the
 * same connection, so they commit or roll back with the change; a sink that throws fails the call.
 */
import type { Entity } from '../../core/model/entity.js';

/** One applied change (a put or a delete; skips are not changes). */
export interface AppliedChange {
  /** Tenant row id and name. */
  tid: number;
  tenant: string;
  id: string;
  before?: Entity;
  after?: Entity;
  /** ISO instant: the entity's new modifiedAt, or the time of the delete. */
  at: string;
}

/** Records changes in the current transaction; may return work to do once the transaction committed. */
export interface ChangeSink {
  record(changes: AppliedChange[]): (() => void) | void;
}
