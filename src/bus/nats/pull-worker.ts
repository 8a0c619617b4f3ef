/**
 * One replica's `consume` of a queue on JetStream: `concurrency` slots, each pulling one message at a
 * time from the queue's durable pull consumer, so that no message waits in a local buffer while its
 * ack-wait clock runs. Resolve → ack (confirmed by the server); reject → nak with backoff, or on the
 * last delivery a dead letter then ack. The delivery count is checked on receipt too, with JetStream's
 * own `max_deliver` unlimited: an item whose deliveries all died with their replicas is dead-lettered
 * by the next consumer instead of staying in the stream forever.
 */
import { headers, type MsgHdrs } from '@nats-io/transport-node';
import type { Consumer, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import {
  backoffDelay,
  BusError,
  deadLetterQueue,
  deadReason,
  type ResolvedConsumeOptions,
  type WorkHandler,
  type WorkItem,
} from '../port.js';
import { toBusError } from './errors.js';
import { DEAD_REASON_HEADER, deadLetterMsgId, header, ID_HEADER } from './headers.js';
import type { NatsNames } from './names.js';

/** How long one pull waits for a message (the client's minimum); bounds how long `stop()` takes. */
const PULL_EXPIRES_MS = 1_000;
/** Pause after a failed pull (server restarting, consumer being recreated). */
const PULL_RETRY_MS = 500;

/** What a worker needs from its bus. */
export interface PullWorkerContext {
  readonly js: JetStreamClient;
  readonly names: NatsNames;
  readonly report: (error: BusError) => void;
  readonly isClosed: () => boolean;
}

/** The slots of one `consume`. */
export class PullWorker {
  private running = true;
  private readonly slots: Array<Promise<void>> = [];

  constructor(
    private readonly consumer: Consumer,
    private readonly queue: string,
    private readonly handler: WorkHandler,
    private readonly options: ResolvedConsumeOptions,
    private readonly context: PullWorkerContext,
  ) {
    for (let i = 0; i < options.concurrency; i++) this.slots.push(this.slot());
  }

  /** Stops pulling and waits for the handlers in flight to finish and be acknowledged. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.slots);
  }

  private async slot(): Promise<void> {
    while (this.running && !this.context.isClosed()) {
      let msg: JsMsg | null;
      try {
        msg = await this.consumer.next({ expires: PULL_EXPIRES_MS });
      } catch (cause) {
        if (!this.running || this.context.isClosed()) return;
        this.context.report(toBusError(cause, `pulling from '${this.queue}'`));
        await new Promise((resolve) => setTimeout(resolve, PULL_RETRY_MS));
        continue;
      }
      if (msg === null || this.context.isClosed()) continue;
      if (!this.running) {
        // Stopped while this pull was open: hand the item back for another consumer at once.
        msg.nak();
        return;
      }
      await this.handle(msg);
    }
  }

  private async handle(msg: JsMsg): Promise<void> {
    const deliveries = msg.info.deliveryCount;
    if (deliveries > this.options.maxDeliver) {
      await this.deadLetter(msg, `not acknowledged after ${deliveries - 1} deliveries`);
      return;
    }
    const item: WorkItem = {
      queue: this.queue,
      payload: msg.data.slice(),
      id: header(msg.headers, ID_HEADER),
      deliveries,
      deadReason: header(msg.headers, DEAD_REASON_HEADER),
    };
    let failure: { cause: unknown } | undefined;
    try {
      await this.handler(item);
    } catch (cause) {
      failure = { cause };
    }
    // A closed connection cannot settle anything: the item comes back after the ack wait.
    if (this.context.isClosed()) return;
    if (failure === undefined) {
      await this.settle(msg, () => msg.ackAck());
      return;
    }
    this.context.report(
      new BusError('handler-failed', `work on '${this.queue}' failed (delivery ${deliveries})`, {
        cause: failure.cause,
      }),
    );
    if (deliveries >= this.options.maxDeliver) {
      await this.deadLetter(msg, deadReason(failure.cause));
    } else {
      await this.settle(msg, async () => {
        msg.nak(backoffDelay(this.options, deliveries));
        return true;
      });
    }
  }

  /** Publishes the dead letter (de-duplicated by stream sequence), then acknowledges the original. */
  private async deadLetter(msg: JsMsg, reason: string): Promise<void> {
    const dead = deadLetterQueue(this.queue);
    const h: MsgHdrs = headers();
    const id = header(msg.headers, ID_HEADER);
    if (id !== undefined) h.set(ID_HEADER, id);
    h.set(DEAD_REASON_HEADER, reason);
    await this.settle(msg, async () => {
      await this.context.js.publish(this.context.names.queueSubject(dead), msg.data, {
        headers: h,
        msgID: deadLetterMsgId(dead, msg.seq),
      });
      return msg.ackAck();
    });
  }

  /** Runs an acknowledgement; a failure is reported, and the item comes back after the ack wait. */
  private async settle(msg: JsMsg, act: () => Promise<boolean>): Promise<void> {
    try {
      if (!(await act())) throw new Error('the server did not confirm');
    } catch (cause) {
      if (this.context.isClosed()) return;
      this.context.report(toBusError(cause, `settling message ${msg.seq} of '${this.queue}'`));
    }
  }
}
