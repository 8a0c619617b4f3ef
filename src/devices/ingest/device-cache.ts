/**
 * The pipeline's device lookup, cached: ingest reads a device and its profile for every message, and
 * at 25,000 messages/s one store read each would be most of the work. Entries live `ttlMs` (default
 * 5 s) so that a change made by another replica is seen within that time; this process's own changes
 * (a device deleted, disabled or moved to another profile) call `forget` and are seen at once.
 * Unknown devices are cached too, for a shorter time, so a flood from an unprovisioned device costs
 * no store read per message.
 */
import type { DeviceRecord } from '../../store/devices-port.js';
import type { DeviceProfile } from '../registry/profile.js';
import type { DeviceResolver } from './pipeline.js';

type Found = { device: DeviceRecord; profile: DeviceProfile } | undefined;

export interface DeviceCacheOptions {
  /** Where the truth is: the registry (device + profile) or a test double. */
  source: DeviceResolver;
  ttlMs?: number;
  /** For unknown devices; default 1 s. */
  missTtlMs?: number;
  /** Most entries; the oldest go first. Default 200,000 (a large city's fleet). */
  maxEntries?: number;
  now?: () => number;
}

export class DeviceCache implements DeviceResolver {
  private readonly source: DeviceResolver;
  private readonly ttlMs: number;
  private readonly missTtlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** Insertion-ordered, so the first key is the oldest entry. */
  private readonly entries = new Map<string, { found: Promise<Found>; until: number }>();

  constructor(options: DeviceCacheOptions) {
    this.source = options.source;
    this.ttlMs = options.ttlMs ?? 5000;
    this.missTtlMs = options.missTtlMs ?? 1000;
    this.maxEntries = options.maxEntries ?? 200_000;
    this.now = options.now ?? Date.now;
  }

  device(tenant: string, id: string): Promise<Found> {
    const key = `${tenant}\u0000${id}`;
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.until > now) return hit.found;
    if (hit !== undefined) this.entries.delete(key);
    const found = this.source.device(tenant, id);
    const entry = { found, until: now + this.ttlMs };
    this.entries.set(key, entry);
    found.then(
      (f) => {
        if (f === undefined) entry.until = now + this.missTtlMs;
      },
      // A failed read is not remembered: the next message asks the store again.
      () => this.entries.delete(key),
    );
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return found;
  }

  /** Drop one device (changed here), or every device of a tenant's profile change when id is omitted. */
  forget(tenant: string, id?: string): void {
    if (id !== undefined) {
      this.entries.delete(`${tenant}\u0000${id}`);
      return;
    }
    const prefix = `${tenant}\u0000`;
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
  }
}
