/**
 * The simulator's two times. Messages carry REAL time (a device never reports from the future, and
 * Urbis refuses device times far off its own clock); the city's patterns and incident script run on
 * a VIRTUAL clock = start + (now − start) × speed, so that at speed 60 a day passes in 24 minutes and
 * tests see incidents within seconds. Before the start (history sent on first provisioning) virtual
 * time is real time, so the backfilled day flows into the live one without a seam.
 */
export class VirtualClock {
  constructor(
    readonly speed: number,
    readonly startMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Real epoch milliseconds now. */
  realNow(): number {
    return this.now();
  }

  /** The virtual instant (epoch ms) of a real one. */
  virtualAt(realMs: number): number {
    return realMs <= this.startMs ? realMs : this.startMs + (realMs - this.startMs) * this.speed;
  }

  /** Virtual seconds since the start. */
  elapsedVirtualS(realMs: number = this.now()): number {
    return Math.max(0, (this.virtualAt(realMs) - this.startMs) / 1000);
  }

  /** Real milliseconds between two reports of a device reporting every `intervalS` virtual seconds. */
  realIntervalMs(intervalS: number): number {
    return Math.max(1000, (intervalS * 1000) / this.speed);
  }
}
