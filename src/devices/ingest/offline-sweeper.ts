/**
 * Flips devices that have gone silent to offline (decision 0007: no timer per device). Every accepted
 * message stores the instant its device counts as offline; one periodic, indexed scan
 * (`markOffline(now)`) collects the due devices in pages, however many there are, and reports them —
 * e.g. to update their Device entities or raise alerts.
 */
import type { ExclusiveRunner } from '../../core/jobs/exclusive.js';
import type { DeviceRepository } from '../../store/devices-port.js';

/** Devices marked offline per store call: pages keep each write transaction short. */
export const SWEEP_PAGE = 1000;

export type OfflineDevice = { tenant: string; deviceId: string; lastSeen: string };

export interface OfflineSweeperOptions {
  devices: DeviceRepository;
  intervalMs: number;
  /** Called with each page of devices just marked offline; may be async (awaited before the next page). */
  onOffline: (devices: OfflineDevice[]) => void | Promise<void>;
  /** Clock in epoch milliseconds; default Date.now. */
  now?: () => number;
  /** A failed sweep (the next one runs on schedule); default: ignored, since a sweep is retried anyway. */
  onError?: (error: unknown) => void;
  /** With several replicas: asked before each scheduled sweep, so that one replica sweeps. */
  exclusive?: ExclusiveRunner;
}

export class OfflineSweeper {
  private readonly options: OfflineSweeperOptions;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(options: OfflineSweeperOptions) {
    if (!Number.isFinite(options.intervalMs) || options.intervalMs < 1)
      throw new RangeError(`intervalMs must be a positive number, not ${options.intervalMs}`);
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /**
   * Mark every due device offline, a page at a time, until a page comes back short. Returns how many
   * were marked. Concurrent calls share the sweep under way rather than racing it.
   */
  sweepOnce(): Promise<number> {
    this.running ??= this.sweep().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Sweep every intervalMs until stop(); the timer does not keep the process alive. */
  start(): void {
    if (this.timer !== undefined) return;
    const exclusive = this.options.exclusive;
    this.timer = setInterval(() => {
      (exclusive ? exclusive.run(() => this.sweepOnce()) : this.sweepOnce()).catch((error: unknown) =>
        this.options.onError?.(error),
      );
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** No more sweeps; resolves when the sweep under way (if any) is over. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
    await this.options.exclusive?.release().catch(() => undefined);
  }

  private async sweep(): Promise<number> {
    // One instant for the whole sweep: devices falling due meanwhile wait for the next one, so a
    // steady stream of them cannot keep this loop going forever.
    const now = new Date(this.now()).toISOString();
    let total = 0;
    for (;;) {
      const page = await this.options.devices.markOffline(now, SWEEP_PAGE);
      total += page.length;
      if (page.length > 0) await this.options.onOffline(page);
      if (page.length < SWEEP_PAGE) return total;
    }
  }
}
