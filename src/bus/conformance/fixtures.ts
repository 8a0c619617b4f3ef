/**
 * Fixtures of the Bus conformance suite: a cluster (one shared broker or NATS server namespace) through
 * which a test opens several replicas, and small helpers for waiting on asynchronous deliveries. A
 * cluster is fresh per test and removes what it created (NATS streams and buckets) at the end.
 */
import { afterEach, beforeEach } from 'vitest';
import type { Bus, BusError, BusOptions } from '../port.js';

/** A namespace of the bus that replicas connect to. */
export interface BusCluster {
  /** Opens one replica's bus. */
  connect(options: BusOptions): Promise<Bus>;
  /** Deletes what the cluster created in the engine (after every replica was closed). */
  cleanup(): Promise<void>;
}

/** Makes a fresh cluster. */
export type MakeBusCluster = () => Promise<BusCluster>;

/** One replica: its bus and what it reported to `onError`. */
export interface Replica {
  readonly bus: Bus;
  readonly errors: BusError[];
}

/** Registers before/after hooks; `replica()` opens a replica in the current test's cluster. */
export function useCluster(make: MakeBusCluster): { replica(): Promise<Replica> } {
  let cluster: BusCluster | undefined;
  let opened: Bus[] = [];
  beforeEach(async () => {
    cluster = await make();
    opened = [];
  });
  afterEach(async () => {
    await Promise.all(opened.map((b) => b.close()));
    await cluster?.cleanup();
    cluster = undefined;
  });
  return {
    async replica() {
      if (cluster === undefined) throw new Error('replica() outside a test');
      const errors: BusError[] = [];
      const bus = await cluster.connect({ onError: (e) => errors.push(e) });
      opened.push(bus);
      return { bus, errors };
    },
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of a string. */
export function bytes(s: string): Uint8Array {
  return encoder.encode(s);
}

/** The string of UTF-8 bytes. */
export function text(b: Uint8Array): string {
  return decoder.decode(b);
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 10 ms; rejects naming `what` if it is not true within `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A promise with its resolve exposed. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
