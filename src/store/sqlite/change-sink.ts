/**
 * What the entity writer tells the rest of the SQLite store about each applied change, inside the
 * write transaction: the temporal history and the outbox are sinks. A sink writes its rows with the
 * same connection, so they commit or roll back with the change; a sink that throws fails the call.
 * The change is the shared one (src/store/shared/applied-change.ts) plus the tenant's row id.
 */
import type { AppliedChange as SharedChange } from '../shared/applied-change.js';

/** One applied change (a put or a delete; skips are not changes), with the tenant's row id. */
export interface AppliedChange extends SharedChange {
  /** Tenant row id (the tenant's name is `tenant`). */
  tid: number;
}

/** Records changes in the current transaction; may return work to do once the transaction committed. */
export interface ChangeSink {
  record(changes: AppliedChange[]): (() => void) | void;
}
