/**
 * The NATS Bus: events on core NATS subjects, work queues on a JetStream WorkQueue stream with durable
 * pull consumers, leases on JetStream KV (see `names.ts` for what is called what, and decision record
 * 0008 for why). One connection per replica; `close()` drops it at once, like a replica that dies.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
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
import { toBusError } from './errors.js';
import { NatsLeases } from './leases.js';
import { natsNames, type NatsNames } from './names.js';
import { NatsWorkQueues } from './work-queues.js';

/** Options of the NATS bus. */
export interface NatsBusOptions extends BusOptions {
  /** Server URL(s), e.g. `nats://127.0.0.1:4222`. */
  servers: string | string[];
  /** Namespace of every subject, stream and bucket (letters, digits, '-'; default 'urbis'). */
  prefix?: string;
  /** Window of enqueue de-duplication, set when the stream is first created (ms, default 2 min). */
  dedupWindowMs?: number;
  /** Connection name the server shows (monitoring). */
  name?: string;
  /**
   * Copies JetStream keeps of the work-queue stream and the lease buckets, set when they are first
   * created (1–5, default 1). 3 on a three-server NATS cluster: one server down stops nothing.
   */
  replicas?: number;
}

/** Connects a replica to the bus on NATS; rejects with a BusError 'unavailable' if it cannot. */
export async function connectNatsBus(options: NatsBusOptions): Promise<Bus> {
  const names = natsNames(options.prefix ?? 'urbis');
  const dedupWindowMs = options.dedupWindowMs ?? 120_000;
  const replicas = options.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) {
    throw new BusError('invalid-option', 'replicas must be an integer from 1 to 5');
  }
  if (!Number.isInteger(dedupWindowMs) || dedupWindowMs < 100) {
    throw new BusError('invalid-option', 'dedupWindowMs must be an integer of at least 100');
  }
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: options.servers,
      maxReconnectAttempts: -1,
      ...(options.name === undefined ? {} : { name: options.name }),
    });
  } catch (cause) {
    throw toBusError(cause, 'connecting to NATS');
  }
  try {
    const jsm = await jetstreamManager(nc);
    return new NatsBus(
      nc,
      names,
      { dedupWindowMs, replicas },
      jsm,
      options.onError ?? ((e) => process.emitWarning(e)),
    );
  } catch (cause) {
    await nc.close();
    throw toBusError(cause, 'opening JetStream (is the server started with -js?)');
  }
}

class NatsBus implements Bus {
  private closed = false;
  private readonly queues: NatsWorkQueues;
  private readonly leases: NatsLeases;

  constructor(
    private readonly nc: NatsConnection,
    private readonly names: NatsNames,
    { dedupWindowMs, replicas }: { dedupWindowMs: number; replicas: number },
    jsm: Awaited<ReturnType<typeof jetstreamManager>>,
    private readonly report: (error: BusError) => void,
  ) {
    const js = jetstream(nc);
    const isClosed = (): boolean => this.closed;
    this.queues = new NatsWorkQueues(
      js,
      jsm,
      names,
      dedupWindowMs,
      { js, names, report, isClosed },
      replicas,
    );
    this.leases = new NatsLeases(new Kvm(js), names, () => this.open(), replicas);
  }

  async publish(topic: string, payload: Uint8Array): Promise<void> {
    this.open();
    checkTopic(topic);
    checkPayload(payload);
    try {
      this.nc.publish(this.names.eventSubject(topic), payload);
    } catch (cause) {
      throw toBusError(cause, `publish on '${topic}'`);
    }
  }

  async subscribe(pattern: string, handler: EventHandler): Promise<Stop> {
    this.open();
    checkPattern(pattern);
    try {
      const sub = this.nc.subscribe(this.names.eventSubject(pattern), {
        callback: (error, msg) => {
          if (error !== null) {
            this.report(toBusError(error, `subscription to '${pattern}'`));
            return;
          }
          this.deliver(handler, { topic: this.names.topicOf(msg.subject), payload: msg.data.slice() });
        },
      });
      // The subscription is in force once the server has seen it.
      await this.nc.flush();
      return async () => {
        if (!this.closed) sub.unsubscribe();
      };
    } catch (cause) {
      throw toBusError(cause, `subscribe to '${pattern}'`);
    }
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
    return this.queues.enqueue(queue, payload, options.id);
  }

  async consume(queue: string, handler: WorkHandler, options?: ConsumeOptions): Promise<Stop> {
    this.open();
    checkName('queue', queue);
    return this.queues.consume(queue, handler, resolveConsumeOptions(options));
  }

  async acquire(name: string, ttlMs: number): Promise<Lease | undefined> {
    this.open();
    checkName('lease', name);
    checkTtl(ttlMs);
    return this.leases.acquire(name, ttlMs);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.nc.close();
  }

  private open(): void {
    if (this.closed) throw new BusError('closed', 'the bus is closed');
  }
}
