/**
 * The Store conformance suite: behaviour written once against the port and run against every
 * adapter (`describeStoreConformance('sqlite', () => openSqliteStore(...))`), one file per feature.
 * A factory returns a fresh, empty, migrated store; the suite closes what it opens. Tests that need
 * two stores over one database (`describeGovernanceShared`) are registered by the adapter's own
 * test, which knows how to open such a pair.
 */
import { describe } from 'vitest';
import { describeCommands } from './commands.js';
import { describeContexts } from './contexts.js';
import { describeDevices } from './devices.js';
import { describeDiscovery } from './discovery.js';
import type { MakeStore } from './fixtures.js';
import { describeGovernance, describeGovernanceShared } from './governance.js';
import { describeIota } from './iota.js';
import { describeMutate } from './mutate.js';
import { describeOutbox } from './outbox.js';
import { describeQueryGeo } from './query-geo.js';
import { describeQueryQ } from './query-q.js';
import { describeQueryTypeScopeOrder } from './query-type-scope-order.js';
import { describeQueryVisibility } from './query-visibility.js';
import { describeRobustness } from './robustness.js';
import { describeTemporal } from './temporal.js';
import { describeTemporalRetention } from './temporal-retention.js';
import { describeTemporalAggregation } from './temporal-aggregation.js';
import { describeTenants } from './tenants.js';

export type { MakeStore } from './fixtures.js';
export {
  describeCommands,
  describeContexts,
  describeDevices,
  describeDiscovery,
  describeGovernance,
  describeGovernanceShared,
  describeIota,
  describeMutate,
  describeOutbox,
  describeQueryGeo,
  describeQueryQ,
  describeQueryTypeScopeOrder,
  describeQueryVisibility,
  describeRobustness,
  describeTemporal,
  describeTemporalRetention,
  describeTemporalAggregation,
  describeTenants,
};

/** Register every conformance feature for one adapter. */
export function describeStoreConformance(name: string, makeStore: MakeStore): void {
  describe(`store conformance: ${name}`, () => {
    describeMutate(makeStore);
    describeQueryQ(makeStore);
    describeQueryTypeScopeOrder(makeStore);
    describeQueryGeo(makeStore);
    describeQueryVisibility(makeStore);
    describeDiscovery(makeStore);
    describeContexts(makeStore);
    describeTenants(makeStore);
    describeRobustness(makeStore);
    describeTemporal(makeStore);
    describeTemporalRetention(makeStore);
    describeTemporalAggregation(makeStore);
    describeOutbox(makeStore);
    describeGovernance(makeStore);
    describeDevices(makeStore);
    describeCommands(makeStore);
    describeIota(makeStore);
  });
}
