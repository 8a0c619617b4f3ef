/**
 * The simulator's counters and its throttled error log: a failed send is counted and logged, but
 * never more than one line per kind of failure every LOG_EVERY_MS (a stopped Urbis would otherwise
 * print four hundred lines a second), with how many were not printed since.
 */
import type { DemoLogger, DemoStats } from './options.js';

const LOG_EVERY_MS = 10_000;

export function emptyStats(): DemoStats {
  return {
    sent: { mqtt: 0, http: 0, lorawan: 0 },
    backfilled: 0,
    errors: 0,
    skipped: 0,
    commands: { received: 0, succeeded: 0, failed: 0 },
  };
}

/** A copy the caller may keep (the live counters go on changing). */
export function snapshot(stats: DemoStats): DemoStats {
  return {
    ...stats,
    sent: { ...stats.sent },
    commands: { ...stats.commands },
  };
}

export class ThrottledLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: DemoLogger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Log `detail` under `kind` unless one of that kind was logged within the last LOG_EVERY_MS. */
  warn(kind: string, detail: Record<string, unknown>, msg: string): void {
    const t = this.now();
    const seen = this.last.get(kind);
    if (seen !== undefined && t - seen.at < LOG_EVERY_MS) {
      seen.suppressed++;
      return;
    }
    this.logger.warn(
      { ...detail, ...(seen !== undefined && seen.suppressed > 0 ? { suppressed: seen.suppressed } : {}) },
      msg,
    );
    this.last.set(kind, { at: t, suppressed: 0 });
  }
}
