/**
 * Work queues on JetStream: the one WorkQueue-retention stream of the namespace (created on first use,
 * by whichever replica comes first), `enqueue` as a JetStream publish with a per-queue `Nats-Msg-Id`,
 * and `consume` as a durable pull consumer per queue whose configuration the latest `consume` sets.
 */
import {
  AckPolicy,
  DeliverPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { headers, nanos } from '@nats-io/transport-node';
import type { EnqueueResult, ResolvedConsumeOptions, Stop, WorkHandler } from '../port.js';
import { toBusError } from './errors.js';
import { enqueueMsgId, ID_HEADER } from './headers.js';
import type { NatsNames } from './names.js';
import { PullWorker, type PullWorkerContext } from './pull-worker.js';

/** The work-queue half of a NATS bus. */
export class NatsWorkQueues {
  private stream: Promise<void> | undefined;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly names: NatsNames,
    private readonly dedupWindowMs: number,
    private readonly context: PullWorkerContext,
    /** Copies JetStream keeps of the stream (set at creation). */
    private readonly replicas = 1,
  ) {}

  async enqueue(queue: string, payload: Uint8Array, id: string | undefined): Promise<EnqueueResult> {
    await this.ensureStream();
    const h = headers();
    if (id !== undefined) h.set(ID_HEADER, id);
    try {
      const ack = await this.js.publish(this.names.queueSubject(queue), payload, {
        headers: h,
        ...(id === undefined ? {} : { msgID: enqueueMsgId(queue, id) }),
      });
      return { duplicate: ack.duplicate };
    } catch (cause) {
      throw toBusError(cause, `enqueue on '${queue}'`);
    }
  }

  async consume(queue: string, handler: WorkHandler, options: ResolvedConsumeOptions): Promise<Stop> {
    await this.ensureStream();
    const durable = this.names.durable(queue);
    try {
      // On an existing durable (another replica's) this updates ack_wait; the rest is the same.
      await this.jsm.consumers.add(this.names.stream, {
        durable_name: durable,
        filter_subject: this.names.queueSubject(queue),
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(options.ackWaitMs),
        max_deliver: -1,
      });
      const consumer = await this.js.consumers.get(this.names.stream, durable);
      const worker = new PullWorker(consumer, queue, handler, options, this.context);
      return () => worker.stop();
    } catch (cause) {
      throw toBusError(cause, `consume of '${queue}'`);
    }
  }

  private ensureStream(): Promise<void> {
    this.stream ??= this.createStream().catch((cause: unknown) => {
      this.stream = undefined;
      throw toBusError(cause, `creating stream '${this.names.stream}'`);
    });
    return this.stream;
  }

  private async createStream(): Promise<void> {
    const name = this.names.stream;
    try {
      await this.jsm.streams.add({
        name,
        subjects: [this.names.queueSubject('>')],
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
        duplicate_window: nanos(this.dedupWindowMs),
        num_replicas: this.replicas,
      });
    } catch (cause) {
      // Another replica created it first with another configuration (say, another dedup window):
      // the stream is shared, so use it as it is; fail only if it really is not there.
      const exists = await this.jsm.streams.info(name).then(
        () => true,
        () => false,
      );
      if (!exists) throw cause;
    }
  }
}
