/**
 * Wake-ups of the notifier across replicas. The store tells only the replica that committed that
 * its outbox got entries; the replica that delivers that subscription (delivery-gate.ts) may be
 * another one. The relay publishes each local wake-up on the bus and hands every wake-up heard on
 * the bus to the local dispatcher, so the deliverer starts at once instead of at its next outbox
 * scan. Events may be lost (a replica that is down misses them): the scan is the safety net.
 */
import type { Bus, Stop } from '../../bus/port.js';
import type { Store } from '../../store/port.js';

type Work = Array<{ tenant: string; subscriptionId: string }>;
type Listener = (work: Work) => void;

export const OUTBOX_TOPIC = 'urbis.outbox';

/** A store whose `onOutbox` also hears the other replicas' commits, and tells them of its own. */
export class OutboxRelay {
  private listener: Listener | undefined;
  private stopBus: Stop | undefined;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly store: Pick<Store, 'onOutbox'>,
    private readonly bus: Pick<Bus, 'publish' | 'subscribe'>,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Start relaying (before the dispatcher starts). */
  async start(): Promise<void> {
    this.store.onOutbox((work) => {
      this.listener?.(work);
      this.bus.publish(OUTBOX_TOPIC, this.encoder.encode(JSON.stringify(work))).catch(this.onError);
    });
    this.stopBus = await this.bus.subscribe(OUTBOX_TOPIC, (event) => {
      const work = parseWork(this.decoder.decode(event.payload));
      if (work.length > 0) this.listener?.(work);
    });
  }

  async stop(): Promise<void> {
    this.store.onOutbox(undefined);
    await this.stopBus?.();
  }

  /** What the dispatcher gets as its store's `onOutbox`. */
  readonly onOutbox = (listener: Listener | undefined): void => {
    this.listener = listener;
  };
}

/** The work named by an event; anything malformed (another version, a stray publisher) is ignored. */
function parseWork(text: string): Work {
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return [];
    return value.filter(
      (w): w is Work[number] =>
        typeof w === 'object' &&
        w !== null &&
        typeof (w as Work[number]).tenant === 'string' &&
        typeof (w as Work[number]).subscriptionId === 'string',
    );
  } catch {
    return [];
  }
}
