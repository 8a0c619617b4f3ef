/**
 * External-broker mode (issue #5): devices connect to Mosquitto or EMQX, and each Urbis replica
 * consumes their messages through shared subscriptions (`$share/{group}/…`), so replicas split the
 * load and each message reaches one of them.
 *
 * Device authentication and per-device ACLs are the broker's job here (Mosquitto's
 * `dynamic-security` plugin or an `acl_file` with `pattern write devices/%u/telemetry`, EMQX's
 * authorization rules): Urbis trusts the topic to name the device, in the tenant of the `tenant`
 * setting. A broker without such ACLs lets any client speak for any device. ThingsBoard topics name no
 * device (`v1/devices/me/…`), so they cannot be consumed here; IoT Agent topics can (their apikey is
 * checked against the `IotaAuthority`).
 *
 * Lossless: QoS 1, `clean: false` with stable client ids, so that the broker keeps what arrives
 * while Urbis restarts; the PUBACK goes to the broker only after the commit (mqtt.js sends it when
 * `handleMessage` calls back). mqtt.js handles one incoming message at a time per connection, so a
 * replica opens `connections` of them (all in the group) and their messages meet in one group commit.
 * When storage cannot take a message now, the connection is dropped unacknowledged and reopened: the
 * broker delivers it again (DUP) and redelivery keys make sure it is stored once.
 */
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { DeviceRecord, Transport } from '../../../store/devices-port.js';
import type { CommandChannel, CommandFeedback, DeviceIngress, OutboundCommand } from '../contract.js';
import { encodeCommand } from './command-encoding.js';
import type { MqttLogger } from './embedded-broker.js';
import { ingestTelemetry, MQTT, reportResult, type Sender } from './inbound.js';
import type { IotaAuthority } from './iota.js';
import { RedeliveryKeys } from './redelivery-keys.js';
import { publishRoute, urbisCommandTopic, type PublishRoute } from './topics.js';

export interface ExternalBrokerOptions {
  ingress: DeviceIngress;
  commands?: CommandFeedback;
  /** Resolves IoT Agent apikeys; without it, IoT Agent topics are not subscribed. */
  iota?: IotaAuthority;
  /** `mqtt://host:1883` or `mqtts://host:8883`. */
  url: string;
  /** Shared-subscription group: replicas of one Urbis share one group; default `urbis`. */
  group?: string;
  /** Stable client id prefix (the broker keeps this replica's session under it); default `urbis-{group}`. */
  clientId?: string;
  /** The tenant of devices named in topics; default ''. */
  tenant?: string;
  /** Urbis's own credentials at the broker. */
  username?: string;
  password?: string;
  /** TLS material (PEM) for `mqtts://`. */
  tls?: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer };
  /** Connections of this replica in the group; default 4. */
  connections?: number;
  /** Start each session clean (tests, so that they leave no session on a shared broker); default false. */
  cleanSession?: boolean;
  log?: MqttLogger;
}

export interface ExternalBroker {
  /** Publishes commands for `mqtt` devices through the broker (`sent`: the broker has it). */
  channel: CommandChannel;
  close(): Promise<void>;
}

const SILENT: MqttLogger = { info: () => undefined, warn: () => undefined };

/** The shared subscriptions of a group. */
export function sharedFilters(group: string, iota: boolean): string[] {
  const filters = ['devices/+/telemetry', 'devices/+/commands/result'];
  if (iota) filters.push('/json/+/+/attrs', '/json/+/+/attrs/+', '/json/+/+/cmdexe');
  return filters.map((f) => `$share/${group}/${f}`);
}

export async function startExternalBroker(options: ExternalBrokerOptions): Promise<ExternalBroker> {
  const { ingress, commands, iota } = options;
  const group = options.group ?? 'urbis';
  if (!/^[^/+#]+$/.test(group))
    throw new RangeError(`group must be one topic level, not ${JSON.stringify(group)}`);
  const tenant = options.tenant ?? '';
  const log = options.log ?? SILENT;
  const count = Math.max(1, options.connections ?? 4);
  const prefix = options.clientId ?? `urbis-${group}`;
  const redelivery = new RedeliveryKeys();
  const filters = sharedFilters(group, iota !== undefined);

  /** The device a topic speaks for (undefined: refused, and counted). */
  async function senderOf(route: PublishRoute): Promise<Sender | undefined> {
    if (route.dialect === 'iota-json' && 'apikey' in route) {
      const found = await iota?.authenticate(route.apikey, route.deviceId);
      if (found === undefined)
        ingress.refuse(MQTT, 'credential', `apikey does not speak for device ${route.deviceId}`);
      return found;
    }
    if ('deviceId' in route) return { tenant, deviceId: route.deviceId };
    ingress.refuse(MQTT, 'forbidden-topic', 'ThingsBoard topics name no device on an external broker');
    return undefined;
  }

  /** Resolves when the message may be acknowledged; rejects when it must come again. */
  async function handle(client: MqttClient, packet: IPublishPacket): Promise<void> {
    const route = publishRoute(packet.topic);
    if (route === undefined) {
      ingress.refuse(MQTT, 'forbidden-topic', `a message on ${packet.topic}`);
      return;
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    if (payload.length > ingress.maxPayloadBytes) {
      ingress.refuse(MQTT, 'oversized', `${payload.length} bytes on ${packet.topic}`);
      return;
    }
    const sender = await senderOf(route);
    if (sender === undefined) return;
    if (route.kind === 'command-result') {
      try {
        await reportResult(ingress, commands, sender, route, payload);
      } catch (e) {
        log.warn({ err: e, tenant: sender.tenant, deviceId: sender.deviceId }, 'command result not recorded');
      }
      return;
    }
    // Packet ids are per connection to the broker: the session is this connection's client id.
    const session = `${sender.tenant}\u0000${sender.deviceId}\u0000${client.options.clientId ?? ''}`;
    const messageId = redelivery.key(session, packet.qos > 0 ? packet.messageId : undefined, packet.dup);
    if ((await ingestTelemetry(ingress, sender, route, payload, messageId)) === 'retry')
      throw new Error('storage cannot take the message now');
  }

  const connectOptions = (i: number): IClientOptions => ({
    clientId: `${prefix}-${i}`,
    clean: options.cleanSession ?? false,
    protocolVersion: 4,
    reconnectPeriod: 1_000,
    connectTimeout: 10_000,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.tls ?? {}),
  });

  const clients: MqttClient[] = [];
  try {
    for (let i = 0; i < count; i++) {
      // The handler is in place before the connection opens: a resumed session's broker sends what
      // it kept (queued while this replica was down, or unacknowledged when it died) right after
      // CONNACK, before `connectAsync` would resolve — mqtt.js's default handler would acknowledge
      // and drop those messages.
      const client = mqtt.connect(options.url, connectOptions(i));
      clients.push(client);
      // mqtt.js acknowledges a QoS 1 message when this calls back, and reads the next one after it.
      client.handleMessage = (packet, callback) => {
        handle(client, packet).then(
          () => callback(),
          (e: unknown) => {
            log.warn(
              { err: e, topic: packet.topic },
              'MQTT message not acknowledged; the broker will send it again',
            );
            callback(e instanceof Error ? e : new Error(String(e)));
            // Only a new connection makes an MQTT 3.1.1 broker send an unacknowledged message again.
            client.stream.destroy();
          },
        );
      };
      await firstConnect(client);
      client.on('error', (e) =>
        log.warn({ err: e, clientId: client.options.clientId }, 'MQTT consumer error'),
      );
      await client.subscribeAsync(filters, { qos: 1 });
    }
  } catch (e) {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    throw e;
  }
  log.info({ url: options.url, group, connections: count }, 'consuming devices from an external MQTT broker');

  let next = 0;
  const channel: CommandChannel = {
    transports: ['mqtt'] as readonly Transport[],
    async deliver(device: DeviceRecord, command: OutboundCommand) {
      const client = clients[next++ % clients.length] as MqttClient;
      if (!client.connected) return 'unreachable';
      try {
        // QoS 1: resolves on the broker's PUBACK. Whether the device got it, this broker does not say.
        await client.publishAsync(urbisCommandTopic(device.id), encodeCommand('urbis', command), { qos: 1 });
        return 'sent';
      } catch {
        return 'unreachable';
      }
    },
  };

  return {
    channel,
    close: async () => {
      await Promise.all(clients.map((c) => c.endAsync()));
    },
  };
}

/** Resolves at the client's first CONNACK; rejects on the first error or close before it (no retry). */
function firstConnect(client: MqttClient): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      client.off('connect', ok);
      client.off('error', fail);
      client.off('close', closed);
    };
    const ok = (): void => {
      done();
      resolve();
    };
    const fail = (e: Error): void => {
      done();
      reject(e);
    };
    const closed = (): void => fail(new Error('the broker closed the connection'));
    client.once('connect', ok);
    client.once('error', fail);
    client.once('close', closed);
  });
}
