/**
 * What the PostgreSQL entity writer tells the rest of the store about each applied change, inside
 * the write transaction: the temporal history and the outbox are sinks. A sink writes with the
 * transaction's client, so its rows commit or roll back with the change; a sink that throws fails
 * the whole call (the writer may then retry it from the start, so a sink keeps no state of its own
 * until the work it returns runs after the commit). The change is the shared one
 * (src/store/shared/applied-change.ts).
 */
import type { AppliedChange } from '../shared/applied-change.js';
import type { Sql } from './sql.js';

export type { AppliedChange };

/** Records changes in the current transaction; may return work to run once the transaction committed. */
export interface ChangeSink {
  record(db: Sql, changes: AppliedChange[]): Promise<(() => void) | void>;
}
