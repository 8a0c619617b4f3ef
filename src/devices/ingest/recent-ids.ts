/**
 * The message ids a pipeline accepted recently, per device: a bounded LRU so that a message delivered
 * again (its acknowledgement was lost, the transport retried) is acknowledged without being written
 * twice. It lives in memory, so it only covers redelivery within one process; surviving a restart
 * needs the store's help (issue #5's kill test, later).
 *
 * Memory is bounded twice: at most `perDevice` ids per device, and at most `devices` devices (the
 * least recently active are forgotten first, as TokenBucketLimiter forgets its buckets).
 */

export interface RecentIdsOptions {
  /** Ids kept per device; default 64 (a device's in-flight window: redeliveries repeat recent messages). */
  perDevice?: number;
  /** Devices kept; default 10,000. */
  devices?: number;
}

export class RecentIds {
  // Maps and Sets keep insertion order: the first entry is the least recently used one.
  private readonly byDevice = new Map<string, Set<string>>();
  private readonly perDevice: number;
  private readonly maxDevices: number;

  constructor({ perDevice = 64, devices = 10_000 }: RecentIdsOptions = {}) {
    if (!Number.isInteger(perDevice) || perDevice < 1)
      throw new RangeError(`perDevice must be an integer ≥ 1, not ${perDevice}`);
    if (!Number.isInteger(devices) || devices < 1)
      throw new RangeError(`devices must be an integer ≥ 1, not ${devices}`);
    this.perDevice = perDevice;
    this.maxDevices = devices;
  }

  has(device: string, id: string): boolean {
    return this.byDevice.get(device)?.has(id) === true;
  }

  add(device: string, id: string): void {
    let ids = this.byDevice.get(device);
    if (ids === undefined) ids = new Set();
    else this.byDevice.delete(device);
    this.byDevice.set(device, ids);
    ids.delete(id);
    ids.add(id);
    if (ids.size > this.perDevice) ids.delete(ids.values().next().value as string);
    if (this.byDevice.size > this.maxDevices)
      this.byDevice.delete(this.byDevice.keys().next().value as string);
  }
}
