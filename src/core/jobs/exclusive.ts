/**
 * What a periodic job (retention, the offline sweep, command expiry) asks before each scheduled round
 * when several replicas run it: whether this replica is the one to run it now (src/bus/leader-gate.ts
 * answers from a lease on the bus). `run` runs `fn` and gives its result, or gives undefined without
 * running it when another replica has the job.
 */
export interface ExclusiveRunner {
  run<T>(fn: () => Promise<T>): Promise<T | undefined>;
  /** Give the job up (on shutdown), so another replica takes it over at once. */
  release(): Promise<void>;
}
