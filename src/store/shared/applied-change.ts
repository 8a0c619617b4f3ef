/**
 * One applied change, as an entity writer tells its change sinks (temporal history, outbox) inside
 * the write transaction: a put or a delete (skips are not changes). The sink interface itself is the
 * adapter's (it carries the adapter's connection or transaction); the change is the same for every
 * store, and an adapter may add what it needs (SQLite adds the tenant's row id). Decision 0011.
 */
import type { Entity } from '../../core/model/entity.js';

/** One applied change (a put or a delete). */
export interface AppliedChange {
  tenant: string;
  id: string;
  /** The entity before the change (absent: it was created). */
  before?: Entity;
  /** The entity after the change (absent: it was deleted). */
  after?: Entity;
  /** ISO instant: the entity's new modifiedAt, or the time of the delete. */
  at: string;
}
