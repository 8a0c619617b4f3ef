/**
 * A replica's part in a cluster of Urbis replicas sharing one store and one bus (issue #6): the
 * subscription index kept in step (subscription-sync.ts), outbox wake-ups shared (outbox-relay.ts),
 * and one deliverer per subscription (delivery-gate.ts). `buildApp` joins when given a bus.
 */
import type { Bus } from '../../bus/port.js';
import type { Store } from '../../store/port.js';
import { LeaseDeliveryGate } from './delivery-gate.js';
import { OutboxRelay } from './outbox-relay.js';
import { SubscriptionSync, type SubscriptionKey } from './subscription-sync.js';

/**
 * How often a replica looks at the whole outbox for subscriptions with pending entries (default of
 * a lone process: 60 s). In a cluster this is how a dead replica's subscriptions are taken over,
 * once their leases ran out, so it is shorter.
 */
export const CLUSTER_RESCAN_MS = 5_000;

export interface Cluster {
  readonly gate: LeaseDeliveryGate;
  readonly relay: OutboxRelay;
  /** Tell the other replicas that a subscription changed. */
  announce(key: SubscriptionKey): void;
  /** Start listening; `refresh` reloads one subscription into the local index. */
  start(refresh: (key: SubscriptionKey) => Promise<void>): Promise<void>;
  /** Stop listening and give up this replica's delivery leases. */
  stop(): Promise<void>;
}

export function joinCluster(
  bus: Pick<Bus, 'acquire' | 'publish' | 'subscribe'>,
  store: Pick<Store, 'onOutbox'>,
  onError: (error: unknown) => void,
): Cluster {
  const gate = new LeaseDeliveryGate(bus);
  const relay = new OutboxRelay(store, bus, onError);
  let sync: SubscriptionSync | undefined;
  return {
    gate,
    relay,
    announce: (key) => sync?.announce(key),
    async start(refresh) {
      sync = new SubscriptionSync(bus, refresh, onError);
      await sync.start();
      await relay.start();
    },
    async stop() {
      await relay.stop();
      await sync?.stop();
      await gate.release();
    },
  };
}
