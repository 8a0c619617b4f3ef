/**
 * Keeps every replica's in-memory subscription index in step. Each replica matches changes against
 * its own index (inside its write transactions, without I/O), so a subscription created, changed or
 * deleted through one replica must reach the others' indexes: the service announces the
 * subscription's key on the bus after storing it, and every replica reloads that one subscription
 * from the store (the store, not the event, is the truth; a lost event is healed by the next
 * announcement or a restart). Between the commit and the event's arrival (milliseconds) another
 * replica may write a change the subscription does not see yet.
 */
import type { Bus, Stop } from '../../bus/port.js';

export const SUBSCRIPTIONS_TOPIC = 'urbis.subscriptions';

export interface SubscriptionKey {
  tenant: string;
  id: string;
}

export class SubscriptionSync {
  private stopBus: Stop | undefined;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly bus: Pick<Bus, 'publish' | 'subscribe'>,
    /** Reload one subscription from the store into the local index (or drop it when gone). */
    private readonly refresh: (key: SubscriptionKey) => Promise<void>,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    this.stopBus = await this.bus.subscribe(SUBSCRIPTIONS_TOPIC, async (event) => {
      const key = parseKey(this.decoder.decode(event.payload));
      if (key) await this.refresh(key).catch(this.onError);
    });
  }

  /** Tell every replica (this one included: harmless) that a subscription changed. */
  readonly announce = (key: SubscriptionKey): void => {
    this.bus
      .publish(SUBSCRIPTIONS_TOPIC, this.encoder.encode(JSON.stringify({ tenant: key.tenant, id: key.id })))
      .catch(this.onError);
  };

  async stop(): Promise<void> {
    await this.stopBus?.();
  }
}

function parseKey(text: string): SubscriptionKey | undefined {
  try {
    const v = JSON.parse(text) as Partial<SubscriptionKey> | null;
    return v && typeof v.tenant === 'string' && typeof v.id === 'string'
      ? { tenant: v.tenant, id: v.id }
      : undefined;
  } catch {
    return undefined;
  }
}
