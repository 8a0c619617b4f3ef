/**
 * The embedded broker's CommandChannel (issue #5) for `mqtt`, `thingsboard` and `iota-json` devices:
 * publishes a command at QoS 1 to the one connection that subscribed to the device's command topic
 * (never through the broker's routing: TB's request topic is the same string for every TB device)
 * and reports `delivered` once the device's PUBACK arrived.
 *
 * Matching PUBACKs: aedes 1.x emits `ack` per PUBACK but, for clean sessions, without the packet
 * (tested upstream: "ack packet is undefined"). Only Urbis publishes QoS 1 to a device (devices cannot
 * publish to command topics, and the broker forwards nothing between clients), so each `ack` of a
 * client answers Urbis's oldest unanswered publish to it — exact while one command per client is in
 * flight, which is why deliveries to one client go one at a time (commands are rare; other devices
 * are not held up). A PUBACK that does not come within `ackTimeoutMs` leaves the command `sent`; its
 * slot stays at the head so that a late PUBACK is not taken for the next command's (the worst case is
 * a later command reported `sent` instead of `delivered`, never the reverse).
 */
import type { Client } from 'aedes';
import type { Transport, DeviceRecord } from '../../../store/devices-port.js';
import type { CommandChannel, OutboundCommand } from '../contract.js';
import { encodeCommand } from './command-encoding.js';
import type { CommandRoute, DeviceConnections } from './device-connections.js';
import { commandTopic } from './topics.js';

type Delivery = 'delivered' | 'sent' | 'unreachable';

interface AckSlot {
  settle: (outcome: Delivery) => void;
  expired: boolean;
}

/** TB RPC request ids waiting for a response, bounded. */
const MAX_PENDING_REQUESTS = 10_000;
/** TB request ids stay below 10^9 (they travel as decimal text; firmware reads them with atoi). */
const REQUEST_ID_LIMIT = 1_000_000_000;

export class MqttCommandChannel implements CommandChannel {
  readonly transports: readonly Transport[] = ['mqtt', 'thingsboard', 'iota-json'];
  private readonly connections: DeviceConnections;
  private readonly ackTimeoutMs: number;
  private readonly slots = new Map<Client, AckSlot[]>();
  private readonly queues = new Map<Client, Promise<unknown>>();
  private readonly requests = new Map<string, string>();
  private nextRequest = 1;

  constructor(connections: DeviceConnections, options: { ackTimeoutMs?: number } = {}) {
    this.connections = connections;
    this.ackTimeoutMs = Math.max(1, options.ackTimeoutMs ?? 10_000);
  }

  async deliver(device: DeviceRecord, command: OutboundCommand): Promise<Delivery> {
    const route = this.connections.get(device.tenant, device.id);
    if (route === undefined || !route.client.connected || route.client.closed) return 'unreachable';
    // One at a time per client (see the header); a failed one does not stop the next.
    const previous = this.queues.get(route.client) ?? Promise.resolve();
    const mine = previous.then(() => this.publish(route, device, command));
    const tail = mine.catch(() => undefined);
    this.queues.set(route.client, tail);
    void tail.then(() => {
      if (this.queues.get(route.client) === tail) this.queues.delete(route.client);
    });
    return mine;
  }

  /** The command id of a TB RPC request id, once (the response consumes it). */
  commandOfRequest(tenant: string, deviceId: string, requestId: number): string | undefined {
    const k = `${tenant}\u0000${deviceId}\u0000${requestId}`;
    const id = this.requests.get(k);
    this.requests.delete(k);
    return id;
  }

  /** A PUBACK of `client` arrived (aedes `ack`). */
  acked(client: Client): void {
    const slots = this.slots.get(client);
    const head = slots?.shift();
    if (slots !== undefined && slots.length === 0) this.slots.delete(client);
    if (head !== undefined && !head.expired) head.settle('delivered');
  }

  /** The client disconnected: what it did not acknowledge may not have arrived — try again later. */
  disconnected(client: Client): void {
    for (const slot of this.slots.get(client) ?? []) if (!slot.expired) slot.settle('unreachable');
    this.slots.delete(client);
  }

  private publish(route: CommandRoute, device: DeviceRecord, command: OutboundCommand): Promise<Delivery> {
    const { client } = route;
    if (!client.connected || client.closed) return Promise.resolve('unreachable');
    let requestId = 0;
    if (route.dialect === 'thingsboard') {
      requestId = this.nextRequest;
      this.nextRequest = (this.nextRequest % (REQUEST_ID_LIMIT - 1)) + 1;
      this.requests.set(`${device.tenant}\u0000${device.id}\u0000${requestId}`, command.id);
      if (this.requests.size > MAX_PENDING_REQUESTS)
        this.requests.delete(this.requests.keys().next().value as string);
    }
    const packet = {
      cmd: 'publish' as const,
      topic: commandTopic(route.filter, requestId),
      payload: Buffer.from(encodeCommand(route.dialect, command)),
      qos: route.qos > 0 ? (1 as const) : (0 as const),
      retain: false,
      dup: false,
    };
    return new Promise<Delivery>((resolve) => {
      let settled = false;
      const slot: AckSlot = {
        expired: false,
        settle: (outcome) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve(outcome);
        },
      };
      const timer = setTimeout(() => {
        slot.expired = true;
        slot.settle('sent');
      }, this.ackTimeoutMs);
      if (packet.qos === 1) {
        let slots = this.slots.get(client);
        if (slots === undefined) this.slots.set(client, (slots = []));
        slots.push(slot);
      }
      client.publish(packet, (error) => {
        if (error) {
          // Never written: no PUBACK will come for it, so it must not hold a place in the queue.
          const slots = this.slots.get(client);
          const at = slots?.indexOf(slot) ?? -1;
          if (at >= 0) slots?.splice(at, 1);
          slot.settle('unreachable');
        }
        // QoS 0: written is all there will ever be.
        else if (packet.qos === 0) slot.settle('sent');
      });
    });
  }
}
