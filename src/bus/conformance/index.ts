/**
 * The Bus conformance suite: behaviour written once against the port and run against every adapter
 * (`describeBusConformance('memory', makeCluster)`), one file per feature. A cluster factory returns a
 * fresh namespace that several replicas connect to; the suite closes the replicas and cleans up.
 */
import { describe } from 'vitest';
import { describeFanOut } from './fanout.js';
import type { MakeBusCluster } from './fixtures.js';
import { describeLeases } from './leases.js';
import { describeQueueConcurrency } from './queue-concurrency.js';
import { describeQueueDeadReplica } from './queue-dead-replica.js';
import { describeQueueDedup } from './queue-dedup.js';
import { describeQueueOnce } from './queue-once.js';
import { describeQueueRetry } from './queue-retry.js';
import { describeValidation } from './validation.js';
import { describeWildcards } from './wildcards.js';

export type { BusCluster, MakeBusCluster } from './fixtures.js';
export {
  describeFanOut,
  describeLeases,
  describeQueueConcurrency,
  describeQueueDeadReplica,
  describeQueueDedup,
  describeQueueOnce,
  describeQueueRetry,
  describeValidation,
  describeWildcards,
};

/** Register every conformance feature for one adapter. */
export function describeBusConformance(name: string, make: MakeBusCluster): void {
  describe(`bus conformance: ${name}`, () => {
    describeFanOut(make);
    describeWildcards(make);
    describeQueueOnce(make);
    describeQueueRetry(make);
    describeQueueDeadReplica(make);
    describeQueueDedup(make);
    describeQueueConcurrency(make);
    describeLeases(make);
    describeValidation(make);
  });
}
