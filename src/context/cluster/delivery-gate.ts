/**
 * Which replica delivers a subscription's notifications. With several replicas over one outbox,
 * each subscription is delivered by one replica at a time — the holder of its lease on the bus — so
 * an entry is never sent by two replicas at once, and per-entity order (the dispatcher's promise)
 * holds across replicas. The lease is taken on the first delivery and renewed while deliveries go on;
 * when its holder dies, it runs out after `ttlMs` and the next replica that finds the subscription's
 * entries pending (its periodic outbox scan, or a wake-up) takes over, entries that were in flight
 * included (those are sent again: delivery is at least once, as the port says).
 */
import { createHash } from 'node:crypto';
import type { Bus, Lease } from '../../bus/port.js';

/** The dispatcher asks this before each delivery step of a subscription. */
export interface DeliveryGate {
  /** True when this replica is (now) the one to deliver the subscription. */
  mayDeliver(tenant: string, subscriptionId: string): Promise<boolean>;
  /** Give every lease up (on shutdown), so other replicas take over at once. */
  release(): Promise<void>;
}

/** Lease name of a subscription: hashed, because tenants and ids hold characters lease names may not. */
export function deliveryLeaseName(tenant: string, subscriptionId: string): string {
  const h = createHash('sha256').update(`${tenant}\u0000${subscriptionId}`).digest('hex').slice(0, 40);
  return `notify.${h}`;
}

export class LeaseDeliveryGate implements DeliveryGate {
  private readonly held = new Map<string, { lease: Lease; renewedAt: number }>();
  /** Subscriptions another replica delivers: not asked again before this time (ms). */
  private readonly elsewhere = new Map<string, number>();

  constructor(
    private readonly bus: Pick<Bus, 'acquire'>,
    /** Lease length; every replica must use the same (default 15 s). */
    readonly ttlMs = 15_000,
    private readonly now: () => number = Date.now,
  ) {}

  async mayDeliver(tenant: string, subscriptionId: string): Promise<boolean> {
    const name = deliveryLeaseName(tenant, subscriptionId);
    const t = this.now();
    const mine = this.held.get(name);
    if (mine) {
      // Renewed at most a third of the ttl ago: at least two thirds of it are left.
      if (t - mine.renewedAt < this.ttlMs / 3) return true;
      if (await mine.lease.renew()) {
        mine.renewedAt = t;
        return true;
      }
      this.held.delete(name);
    }
    if ((this.elsewhere.get(name) ?? 0) > t) return false;
    const lease = await this.bus.acquire(name, this.ttlMs);
    if (lease === undefined) {
      this.elsewhere.set(name, t + this.ttlMs / 3);
      return false;
    }
    this.elsewhere.delete(name);
    this.held.set(name, { lease, renewedAt: t });
    return true;
  }

  async release(): Promise<void> {
    const leases = [...this.held.values()].map((h) => h.lease);
    this.held.clear();
    await Promise.allSettled(leases.map((l) => l.release()));
  }
}
