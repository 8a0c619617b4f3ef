/**
 * The in-memory broker: what the NATS server is to the NATS bus — the subscriptions, work queues and
 * leases that several in-process replicas (`createMemoryBus({ broker })`) share. The embedded default
 * is one bus with its own broker; tests give several buses one broker to play several replicas.
 */
import { deadLetterQueue, type BusEvent } from '../port.js';
import { MemoryLeases } from './leases.js';
import { matchesPattern } from './topics.js';
import { MemoryWorkQueue } from './work-queue.js';

/** Options of a broker. */
export interface MemoryBrokerOptions {
  /** How long an enqueue id is remembered for de-duplication (ms, default 2 min as in JetStream). */
  dedupWindowMs?: number;
}

interface Subscription {
  readonly pattern: string;
  readonly deliver: (event: BusEvent) => void;
}

/** Shared state of the replicas of one in-memory bus. */
export class MemoryBroker {
  readonly leases = new MemoryLeases();
  private readonly subscriptions = new Set<Subscription>();
  private readonly queues = new Map<string, MemoryWorkQueue>();
  private readonly dedupWindowMs: number;

  constructor(options: MemoryBrokerOptions = {}) {
    this.dedupWindowMs = options.dedupWindowMs ?? 120_000;
  }

  /** Adds a subscription; returns its removal. */
  subscribe(pattern: string, deliver: (event: BusEvent) => void): () => void {
    const subscription: Subscription = { pattern, deliver };
    this.subscriptions.add(subscription);
    return () => this.subscriptions.delete(subscription);
  }

  /**
   * Delivers an event to every matching subscription, each with its own copy, in a later microtask
   * (as from a network: never inside the publisher's call, and in publish order).
   */
  publish(topic: string, payload: Uint8Array): void {
    for (const s of this.subscriptions) {
      if (!matchesPattern(s.pattern, topic)) continue;
      const event: BusEvent = { topic, payload: payload.slice() };
      queueMicrotask(() => s.deliver(event));
    }
  }

  /** The queue called `name`, created on first use. */
  queue(name: string): MemoryWorkQueue {
    let q = this.queues.get(name);
    if (q === undefined) {
      q = new MemoryWorkQueue(name, this.dedupWindowMs, (letter) =>
        this.queue(deadLetterQueue(name)).add(letter.payload, letter.id, letter.reason, false),
      );
      this.queues.set(name, q);
    }
    return q;
  }
}
