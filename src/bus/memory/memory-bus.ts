/**
 * The in-memory Bus: the embedded default, one process, no engine. Each bus is one replica's connection
 * to a `MemoryBroker`; it checks arguments as the port says, turns handler failures into `onError`
 * reports, and on `close()` drops everything it holds the way a dead connection would.
 */
import {
  BusError,
  checkId,
  checkName,
  checkPattern,
  checkPayload,
  checkTopic,
  checkTtl,
  resolveConsumeOptions,
  type Bus,
  type BusEvent,
  type BusOptions,
  type ConsumeOptions,
  type EnqueueOptions,
  type EnqueueResult,
  type EventHandler,
  type Lease,
  type Stop,
  type WorkHandler,
} from '../port.js';
import { MemoryBroker } from './broker.js';
import { QueueConsumer } from './work-queue.js';

/** Options of the in-memory bus. */
export interface MemoryBusOptions extends BusOptions {
  /** The broker shared with other replicas; a private one by default. */
  broker?: MemoryBroker;
}

/** Opens an in-memory bus. */
export function createMemoryBus(options: MemoryBusOptions = {}): Bus {
  return new MemoryBus(options.broker ?? new MemoryBroker(), options.onError ?? defaultOnError);
}

/** Without a listener, failures become process warnings rather than vanish. */
function defaultOnError(error: BusError): void {
  process.emitWarning(error);
}

class MemoryBus implements Bus {
  private closed = false;
  /** What `close()` must undo: subscriptions and consumers (not leases: a dead replica keeps them). */
  private readonly hardStops = new Set<() => void>();

  constructor(
    private readonly broker: MemoryBroker,
    private readonly report: (error: BusError) => void,
  ) {}

  async publish(topic: string, payload: Uint8Array): Promise<void> {
    this.open();
    checkTopic(topic);
    checkPayload(payload);
    this.broker.publish(topic, payload);
  }

  async subscribe(pattern: string, handler: EventHandler): Promise<Stop> {
    this.open();
    checkPattern(pattern);
    const remove = this.broker.subscribe(pattern, (event) => this.deliver(handler, event));
    this.hardStops.add(remove);
    return async () => {
      remove();
      this.hardStops.delete(remove);
    };
  }

  private deliver(handler: EventHandler, event: BusEvent): void {
    (async () => handler(event))().catch((cause: unknown) =>
      this.report(new BusError('handler-failed', `subscriber of '${event.topic}' failed`, { cause })),
    );
  }

  async enqueue(queue: string, payload: Uint8Array, options: EnqueueOptions = {}): Promise<EnqueueResult> {
    this.open();
    checkName('queue', queue);
    checkPayload(payload);
    checkId(options.id);
    return this.broker.queue(queue).add(payload.slice(), options.id, undefined, true);
  }

  async consume(queue: string, handler: WorkHandler, options?: ConsumeOptions): Promise<Stop> {
    this.open();
    checkName('queue', queue);
    const resolved = resolveConsumeOptions(options);
    const q = this.broker.queue(queue);
    const consumer = new QueueConsumer(queue, handler, resolved, this.report);
    const kill = (): void => void q.unregister(consumer, false);
    this.hardStops.add(kill);
    q.register(consumer);
    return async () => {
      this.hardStops.delete(kill);
      await q.unregister(consumer, true);
    };
  }

  async acquire(name: string, ttlMs: number): Promise<Lease | undefined> {
    this.open();
    checkName('lease', name);
    checkTtl(ttlMs);
    const leases = this.broker.leases;
    const token = leases.acquire(name, ttlMs);
    if (token === undefined) return undefined;
    let released = false;
    return {
      name,
      ttlMs,
      renew: async () => {
        this.open();
        return !released && leases.renew(name, ttlMs, token);
      },
      release: async () => {
        this.open();
        released = true;
        leases.release(name, ttlMs, token);
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of this.hardStops) stop();
    this.hardStops.clear();
  }

  private open(): void {
    if (this.closed) throw new BusError('closed', 'the bus is closed');
  }
}
