/**
 * What the LoRaWAN integrations remember between an uplink and a downlink, in memory and bounded:
 * - which network server a device was last heard through (and, for The Things Stack, its own device
 *   and application ids, which its downlink API is addressed by);
 * - which command a ChirpStack downlink queue item carries, because ChirpStack's ack and txack events
 *   name only the queue item id. (The Things Stack echoes correlation ids instead, so it needs none.)
 * After a restart this is empty: a device is then reached through the only configured network server
 * (see LorawanCommandChannel), and an ack of a downlink queued before the restart is not matched —
 * the command then ends by its TTL instead of DELIVERED.
 */
import type { NetworkServer } from './uplink.js';

export interface LorawanRoute {
  via: NetworkServer;
  tts?: { deviceId: string; applicationId?: string };
}

export interface QueuedDownlink {
  tenant: string;
  deviceId: string;
  commandId: string;
}

export class LorawanLedger {
  private readonly routes = new Map<string, LorawanRoute>();
  private readonly queueItems = new Map<string, QueuedDownlink>();
  private readonly maxEntries: number;

  constructor(options: { maxEntries?: number } = {}) {
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  /** Record an uplink's route; true when the device was not known (or came through another server). */
  heard(tenant: string, deviceId: string, route: LorawanRoute): boolean {
    const key = `${tenant}\u0000${deviceId}`;
    const before = this.routes.get(key);
    remember(this.routes, key, route, this.maxEntries);
    return before === undefined || before.via !== route.via;
  }

  routeOf(tenant: string, deviceId: string): LorawanRoute | undefined {
    return this.routes.get(`${tenant}\u0000${deviceId}`);
  }

  queued(queueItemId: string, downlink: QueuedDownlink): void {
    remember(this.queueItems, queueItemId, downlink, this.maxEntries);
  }

  /** The downlink of a queue item, forgotten once its final event came. */
  queueItem(queueItemId: string, final: boolean): QueuedDownlink | undefined {
    const found = this.queueItems.get(queueItemId);
    if (final) this.queueItems.delete(queueItemId);
    return found;
  }
}

/** Set, most recent last; past `max` entries the oldest is dropped. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
}
