/**
 * One replica runs a periodic job at a time (issue #6: retention, the offline sweep, command expiry).
 * Each replica's timer calls `run(fn)`; the first to find the lease free takes it and keeps it,
 * renewing it every round, so the job stays on one replica while that replica lives; the others
 * skip their rounds. When the holder dies (or stops renewing), its lease runs out after `ttlMs` and
 * the next replica whose timer fires takes over. A ttl of a few intervals tolerates a late round
 * without handing the job over. With one process (the in-memory bus) the lease is always free.
 */
import type { ExclusiveRunner } from '../core/jobs/exclusive.js';
import type { Bus, Lease } from './port.js';

export class LeaderGate implements ExclusiveRunner {
  private lease: Lease | undefined;

  constructor(
    private readonly bus: Pick<Bus, 'acquire'>,
    readonly name: string,
    readonly ttlMs: number,
  ) {}

  /** Whether this replica held the lease at its last round. */
  get leading(): boolean {
    return this.lease !== undefined;
  }

  /** Run `fn` if this replica holds (or now takes) the lease; undefined when another replica does. */
  async run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    if (this.lease !== undefined && !(await this.lease.renew())) this.lease = undefined;
    this.lease ??= await this.bus.acquire(this.name, this.ttlMs);
    if (this.lease === undefined) return undefined;
    return fn();
  }

  /** Give the lease up (on shutdown), so another replica takes over at once. */
  async release(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    await lease?.release();
  }
}
