/**
 * The cluster pieces over the in-memory bus shared by two "replicas" in one process: one deliverer
 * per subscription (and a take-over when it goes), wake-ups relayed between replicas, and
 * subscription changes announced to every replica.
 */
import { describe, expect, it } from 'vitest';
import { MemoryBroker, createMemoryBus } from '../../bus/memory/index.js';
import type { Store } from '../../store/port.js';
import { LeaseDeliveryGate, deliveryLeaseName } from './delivery-gate.js';
import { OutboxRelay } from './outbox-relay.js';
import { SubscriptionSync } from './subscription-sync.js';

const until = async (f: () => boolean, ms = 2_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** A store stand-in that only has the outbox listener, and lets the test fire it as a commit would. */
function fakeStore(): Pick<Store, 'onOutbox'> & { commit(tenant: string, sub: string): void } {
  let listener: ((w: Array<{ tenant: string; subscriptionId: string }>) => void) | undefined;
  return {
    onOutbox: (l) => {
      listener = l;
    },
    commit: (tenant, subscriptionId) => listener?.([{ tenant, subscriptionId }]),
  };
}

describe('delivery gate', () => {
  it('lets one replica deliver a subscription, and the other once it released', async () => {
    const broker = new MemoryBroker();
    const a = new LeaseDeliveryGate(createMemoryBus({ broker }), 1_000);
    const b = new LeaseDeliveryGate(createMemoryBus({ broker }), 1_000);
    expect(await a.mayDeliver('', 'urn:s:1')).toBe(true);
    expect(await b.mayDeliver('', 'urn:s:1')).toBe(false);
    // Another subscription is free: the load spreads.
    expect(await b.mayDeliver('', 'urn:s:2')).toBe(true);
    expect(await a.mayDeliver('', 'urn:s:1')).toBe(true);
    await a.release();
    // b was told "elsewhere" a moment ago and waits a third of the ttl before asking again.
    await new Promise((r) => setTimeout(r, 350));
    expect(await b.mayDeliver('', 'urn:s:1')).toBe(true);
    expect(await a.mayDeliver('', 'urn:s:1')).toBe(false);
  });

  it('hands a dead replica’s subscription over once its lease ran out', async () => {
    const broker = new MemoryBroker();
    const a = new LeaseDeliveryGate(createMemoryBus({ broker }), 200);
    const b = new LeaseDeliveryGate(createMemoryBus({ broker }), 200);
    expect(await a.mayDeliver('t', 'urn:s')).toBe(true);
    expect(await b.mayDeliver('t', 'urn:s')).toBe(false);
    // a dies: it neither renews nor releases.
    await new Promise((r) => setTimeout(r, 260));
    expect(await b.mayDeliver('t', 'urn:s')).toBe(true);
  });

  it('names leases validly whatever the tenant and id hold', () => {
    const name = deliveryLeaseName('urn:tenant:ä b', 'urn:ngsi-ld:Subscription:x/y.z');
    expect(name).toMatch(/^notify\.[0-9a-f]{40}$/);
    expect(deliveryLeaseName('a', 'bc')).not.toBe(deliveryLeaseName('ab', 'c'));
  });
});

describe('outbox relay', () => {
  it('wakes the other replica’s dispatcher for entries this replica committed, and its own', async () => {
    const broker = new MemoryBroker();
    const storeA = fakeStore();
    const storeB = fakeStore();
    const relayA = new OutboxRelay(storeA, createMemoryBus({ broker }));
    const relayB = new OutboxRelay(storeB, createMemoryBus({ broker }));
    await relayA.start();
    await relayB.start();
    const heardA: string[] = [];
    const heardB: string[] = [];
    relayA.onOutbox((w) => heardA.push(...w.map((x) => x.subscriptionId)));
    relayB.onOutbox((w) => heardB.push(...w.map((x) => x.subscriptionId)));
    storeA.commit('', 'urn:s:1');
    await until(() => heardB.includes('urn:s:1'));
    expect(heardA).toContain('urn:s:1');
    await relayB.stop();
    storeA.commit('', 'urn:s:2');
    await until(() => heardA.includes('urn:s:2'));
    expect(heardB).not.toContain('urn:s:2');
    await relayA.stop();
  });

  it('ignores malformed events on its topic', async () => {
    const broker = new MemoryBroker();
    const bus = createMemoryBus({ broker });
    const relay = new OutboxRelay(fakeStore(), createMemoryBus({ broker }));
    await relay.start();
    const heard: unknown[] = [];
    relay.onOutbox((w) => heard.push(...w));
    for (const text of ['not json', '{"tenant":1}', '[{"tenant":"","subscriptionId":5}]', '[]'])
      await bus.publish('urbis.outbox', new TextEncoder().encode(text));
    await bus.publish('urbis.outbox', new TextEncoder().encode('[{"tenant":"","subscriptionId":"ok"}]'));
    await until(() => heard.length > 0);
    expect(heard).toEqual([{ tenant: '', subscriptionId: 'ok' }]);
    await relay.stop();
  });
});

describe('subscription sync', () => {
  it('makes every replica reload a subscription another one changed', async () => {
    const broker = new MemoryBroker();
    const reloadedB: string[] = [];
    const a = new SubscriptionSync(createMemoryBus({ broker }), async () => undefined);
    const b = new SubscriptionSync(createMemoryBus({ broker }), async (k) => {
      reloadedB.push(`${k.tenant}|${k.id}`);
    });
    await a.start();
    await b.start();
    a.announce({ tenant: 'urn:t', id: 'urn:s:9' });
    await until(() => reloadedB.length > 0);
    expect(reloadedB).toEqual(['urn:t|urn:s:9']);
    await a.stop();
    await b.stop();
  });

  it('reports a reload that fails instead of throwing into the bus', async () => {
    const broker = new MemoryBroker();
    const errors: unknown[] = [];
    const b = new SubscriptionSync(
      createMemoryBus({ broker }),
      async () => {
        throw new Error('store down');
      },
      (e) => errors.push(e),
    );
    await b.start();
    new SubscriptionSync(createMemoryBus({ broker }), async () => undefined).announce({
      tenant: '',
      id: 'x',
    });
    await until(() => errors.length > 0);
    expect((errors[0] as Error).message).toBe('store down');
    await b.stop();
  });
});
