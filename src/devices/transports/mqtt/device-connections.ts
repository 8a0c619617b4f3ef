/**
 * Which broker connection reaches each device for commands, and on which topic filter: recorded when
 * a device subscribes to its command topic (the filter also tells its dialect — and for IoT Agent
 * devices the apikey, which Urbis does not otherwise know), forgotten when it unsubscribes or
 * disconnects. One client may serve several devices (an IoT Agent gateway subscribing to many
 * `/{apikey}/{id}/cmd`); a device's latest subscription wins.
 */
import type { Client } from 'aedes';
import type { Dialect } from './topics.js';

export interface CommandRoute {
  client: Client;
  filter: string;
  dialect: Dialect;
  /** Granted QoS: at 0 the device never acknowledges, so a command is only `sent`. */
  qos: number;
}

const key = (tenant: string, deviceId: string) => `${tenant}\u0000${deviceId}`;

export class DeviceConnections {
  private readonly routes = new Map<string, CommandRoute>();
  private readonly byClient = new Map<Client, Map<string, { tenant: string; deviceId: string }>>();

  set(tenant: string, deviceId: string, route: CommandRoute): void {
    const k = key(tenant, deviceId);
    const previous = this.routes.get(k);
    if (previous !== undefined && previous.client !== route.client)
      this.byClient.get(previous.client)?.delete(k);
    this.routes.set(k, route);
    let devices = this.byClient.get(route.client);
    if (devices === undefined) this.byClient.set(route.client, (devices = new Map()));
    devices.set(k, { tenant, deviceId });
  }

  get(tenant: string, deviceId: string): CommandRoute | undefined {
    return this.routes.get(key(tenant, deviceId));
  }

  /** The devices this client receives commands for. */
  devicesOf(client: Client): Array<{ tenant: string; deviceId: string }> {
    return [...(this.byClient.get(client)?.values() ?? [])];
  }

  /** The client unsubscribed from `filter`. */
  dropFilter(client: Client, filter: string): void {
    const devices = this.byClient.get(client);
    if (devices === undefined) return;
    for (const k of [...devices.keys()])
      if (this.routes.get(k)?.filter === filter) {
        this.routes.delete(k);
        devices.delete(k);
      }
  }

  /** The client is gone. */
  dropClient(client: Client): void {
    for (const k of this.byClient.get(client)?.keys() ?? [])
      if (this.routes.get(k)?.client === client) this.routes.delete(k);
    this.byClient.delete(client);
  }
}
