/**
 * How the NATS bus names things in the engine, all under one prefix so that several Urbis installations
 * (or test runs) share a NATS server without meeting:
 * - events: core NATS subjects `<prefix>.ev.<topic>` (no JetStream: fan-out, at most once);
 * - work queues: one WorkQueue-retention stream `<prefix>_queues` over `<prefix>.q.>`, the subject
 *   `<prefix>.q.<queue>` per queue and one durable pull consumer `q_<queue, dots as _>` per queue,
 *   shared by every replica; queue tokens have no '_', so that mapping cannot collide;
 * - leases: a KV bucket `<prefix>_lease_<ttlMs>` per ttl, the key being the lease name.
 */
import { BusError } from '../port.js';

const PREFIX = /^[A-Za-z0-9-]{1,32}$/;

/** The engine names of one bus namespace. */
export interface NatsNames {
  readonly prefix: string;
  readonly stream: string;
  eventSubject(topicOrPattern: string): string;
  topicOf(subject: string): string;
  queueSubject(queue: string): string;
  durable(queue: string): string;
  leaseBucket(ttlMs: number): string;
}

/** Names under `prefix` (letters, digits and '-'). */
export function natsNames(prefix: string): NatsNames {
  if (!PREFIX.test(prefix)) {
    throw new BusError('invalid-option', `prefix must be 1 to 32 letters, digits or '-', not '${prefix}'`);
  }
  const events = `${prefix}.ev.`;
  return {
    prefix,
    stream: `${prefix}_queues`,
    eventSubject: (topic) => events + topic,
    topicOf: (subject) => subject.slice(events.length),
    queueSubject: (queue) => `${prefix}.q.${queue}`,
    durable: (queue) => `q_${queue.replaceAll('.', '_')}`,
    leaseBucket: (ttlMs) => `${prefix}_lease_${ttlMs}`,
  };
}
