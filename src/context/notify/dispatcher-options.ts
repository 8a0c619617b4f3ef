/** The dispatcher's settings with their defaults, its logger and its counters. */

/** Delivery settings; every field has a default (`DISPATCHER_DEFAULTS`). */
export interface DispatcherOptions {
  /** Attempts of a notification before its entries go dead (default 15: ~20 min of outage on average). */
  maxAttempts?: number;
  /** Backoff ceiling after the first failure, doubling with each further one, in ms (default 1,000). */
  baseBackoffMs?: number;
  /** Largest backoff, in ms (default 300,000 = 5 min). */
  maxBackoffMs?: number;
  /** Timeout of one delivery when the endpoint sets none, in ms (default 10,000). */
  timeoutMs?: number;
  /** Notifications in flight per endpoint (scheme, host, port), all subscriptions together (default 16). */
  concurrencyPerEndpoint?: number;
  /** Entities per notification (default 100). */
  batchSize?: number;
  /** Outbox entries kept in memory per subscription (default 2,000; at least 2 × batchSize). */
  windowSize?: number;
  /** How often paused or not yet known subscriptions are looked at again, in ms (default 1,000). */
  recheckMs?: number;
  /** How often the whole outbox is scanned for work nobody announced, in ms (default 60,000). */
  rescanMs?: number;
  /** How long `stop()` waits for the sends in flight, in ms (default 5,000). */
  stopTimeoutMs?: number;
}

export const DISPATCHER_DEFAULTS: Readonly<Required<DispatcherOptions>> = Object.freeze({
  maxAttempts: 15,
  baseBackoffMs: 1_000,
  maxBackoffMs: 300_000,
  timeoutMs: 10_000,
  concurrencyPerEndpoint: 16,
  batchSize: 100,
  windowSize: 2_000,
  recheckMs: 1_000,
  rescanMs: 60_000,
  stopTimeoutMs: 5_000,
});

/** The logging the dispatcher does (pino's Logger fits). */
export interface NotifierLogger {
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Counters since start. */
export interface DispatcherStats {
  /** Notifications delivered. */
  notifications: number;
  /** Outbox entries delivered (an entry is one entity in one notification). */
  entries: number;
  /** Failed attempts. */
  failures: number;
  /** Entries moved to the dead letters. */
  deadEntries: number;
  /** Notifications in flight now. */
  inFlight: number;
}
