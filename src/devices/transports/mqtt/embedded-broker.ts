/**
 * The embedded MQTT broker (issue #5, decision 0007): aedes 1.x over TCP or TLS, as the MQTT
 * transport adapter. It frames and authenticates; the pipeline behind `ingress` does the rest.
 *
 * - CONNECT: a device token or a username and password (see connect-credential.ts) → the device,
 *   remembered for the connection; anonymous only for IoT Agent devices (their apikey, in each topic,
 *   is checked by the `IotaAuthority`), and only when one is given. A refusal is a CONNACK with
 *   "bad username or password" (4) or "not authorized" (5), counted as a `credential` refusal.
 * - ACL (topics.ts): a device publishes and subscribes only its own topics. A forbidden PUBLISH
 *   closes the connection (MQTT 3.1.1 has no negative PUBACK); a forbidden SUBSCRIBE gets 0x80.
 * - Telemetry is ingested inside `authorizePublish`, whose callback — and so the QoS 1 PUBACK, which
 *   aedes writes after it — comes only after the commit. A rejected payload is acknowledged (counted by
 *   the pipeline); storage that cannot take it now closes the connection unacknowledged, so the
 *   device delivers it again later. Each client waits only for its own messages (aedes reads a client's
 *   next packets when the current ones are done), so one device's flood never stalls the others.
 * - Nothing is forwarded between clients: telemetry interests no other device, and a device's
 *   attributes must not reach its neighbours (`authorizeForward` passes only what Urbis publishes).
 * - Commands: `channel` (command-channel.ts). A device counts as reachable once it subscribed to its
 *   command topic — not at CONNECT, when a command would arrive before it listens — and then
 *   `commands.connected` is called (at CONNECT already for a persistent session that restores it).
 */
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { Aedes, type AuthErrorCode, type AuthenticateError, type Client, type PublishPacket } from 'aedes';
import type { CommandChannel, CommandFeedback, DeviceIngress, TransportRefusal } from '../contract.js';
import type { AuthenticatedDevice } from '../../registry/registry-service.js';
import { MqttCommandChannel } from './command-channel.js';
import { connectCredential } from './connect-credential.js';
import { DeviceConnections } from './device-connections.js';
import { ingestTelemetry, MQTT, reportResult, type Sender } from './inbound.js';
import type { IotaAuthority } from './iota.js';
import { guardPacketSize } from './packet-size-guard.js';
import { RedeliveryKeys } from './redelivery-keys.js';
import { publishRoute, subscribeRoute, type PublishRoute, type SubscribeRoute } from './topics.js';

/** What the broker logs through (pino's logger fits). */
export interface MqttLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface EmbeddedBrokerOptions {
  ingress: DeviceIngress;
  /** The command service's feedback (results, connections); without it results are dropped. */
  commands?: CommandFeedback;
  /** Resolves IoT Agent apikeys; without it, IoT Agent topics are refused. */
  iota?: IotaAuthority;
  /** 0: any free port (see `port` of the result). */
  port: number;
  host: string;
  /** MQTT over TLS (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  log?: MqttLogger;
  /** Longest wait for a device's PUBACK of a command before it counts as only `sent`; default 10 s. */
  commandAckTimeoutMs?: number;
}

export interface EmbeddedBroker {
  /** The port listened on. */
  port: number;
  /** Delivers commands to `mqtt`, `thingsboard` and `iota-json` devices connected here. */
  channel: CommandChannel;
  /** Disconnect every client and stop listening. */
  close(): Promise<void>;
}

/** Who a connection is: a device, or an anonymous IoT Agent client (its devices are per topic). */
type Identity = { kind: 'device'; device: AuthenticatedDevice } | { kind: 'iota' };

/** The topic inert subscriptions are moved to: nobody may publish there, so nothing ever arrives. */
const INERT_TOPIC = '$urbis/inert';

const SILENT: MqttLogger = { info: () => undefined, warn: () => undefined };

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const { ingress, commands, iota } = options;
  const log = options.log ?? SILENT;
  const identities = new WeakMap<Client, Identity>();
  /** Client id → the identity holding it, so that one device cannot take over another's session. */
  const owners = new Map<string, { client: Client; owner: string }>();
  const connections = new DeviceConnections();
  const channel = new MqttCommandChannel(connections, {
    ...(options.commandAckTimeoutMs !== undefined ? { ackTimeoutMs: options.commandAckTimeoutMs } : {}),
  });
  const redelivery = new RedeliveryKeys();

  const refuse = (reason: TransportRefusal, detail: string) => ingress.refuse(MQTT, reason, detail);
  const ownerOf = (identity: Identity) =>
    identity.kind === 'iota'
      ? 'iota'
      : `device\u0000${identity.device.tenant}\u0000${identity.device.device.id}`;
  const connected = (tenant: string, deviceId: string) => {
    try {
      commands?.connected(tenant, deviceId);
    } catch (e) {
      log.warn({ err: e, tenant, deviceId }, 'command service failed on a device connection');
    }
  };

  /** The device a topic of `route` speaks for, or why not. */
  async function senderOf(
    identity: Identity,
    route: PublishRoute | SubscribeRoute,
  ): Promise<Sender | { refused: TransportRefusal; detail: string }> {
    const device = identity.kind === 'device' ? identity.device : undefined;
    const own = device && {
      tenant: device.tenant,
      deviceId: device.device.id,
      timeField: device.profile.deviceTime,
    };
    if (route.dialect === 'iota-json' && 'apikey' in route) {
      if (iota === undefined)
        return { refused: 'forbidden-topic', detail: 'IoT Agent topics are not enabled' };
      const found = await iota.authenticate(route.apikey, route.deviceId);
      if (found === undefined)
        return { refused: 'credential', detail: `apikey does not speak for device ${route.deviceId}` };
      if (own !== undefined && (own.tenant !== found.tenant || own.deviceId !== found.deviceId))
        return { refused: 'forbidden-topic', detail: `${own.deviceId} used the topic of ${found.deviceId}` };
      return own ?? found;
    }
    if (own === undefined)
      return { refused: 'forbidden-topic', detail: 'an anonymous client may only use IoT Agent topics' };
    if ('deviceId' in route && route.deviceId !== own.deviceId)
      return { refused: 'forbidden-topic', detail: `${own.deviceId} used the topic of ${route.deviceId}` };
    return own;
  }

  async function authenticate(
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<{ identity: Identity } | { code: number; detail: string }> {
    const credential = connectCredential(username, password);
    let device: AuthenticatedDevice | undefined;
    if (credential.kind === 'token') {
      device = await ingress.authenticateToken(credential.secret);
      if (device === undefined && credential.orPassword !== undefined) {
        const { tenant, username: user, password: pass } = credential.orPassword;
        device = await ingress.authenticatePassword(tenant, user, pass);
      }
    } else if (credential.kind === 'password')
      device = await ingress.authenticatePassword(
        credential.tenant,
        credential.username,
        credential.password,
      );
    else if (credential.kind === 'anonymous') {
      if (iota !== undefined) return { identity: { kind: 'iota' } };
      return { code: 5, detail: 'a device credential is required' };
    } else return { code: 4, detail: credential.detail };
    if (device === undefined) return { code: 4, detail: 'unknown, revoked or disabled device credential' };
    return { identity: { kind: 'device', device } };
  }

  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      authenticate(username, password).then(
        (result) => {
          if ('code' in result) {
            refuse('credential', `client ${client.id}: ${result.detail}`);
            done(authError(result.code, result.detail), null);
            return;
          }
          const holder = owners.get(client.id);
          if (holder !== undefined && holder.owner !== ownerOf(result.identity) && !holder.client.closed) {
            refuse('credential', `client id ${client.id} is in use by another device`);
            done(authError(2, 'client id in use by another device'), null);
            return;
          }
          identities.set(client, result.identity);
          done(null, true);
        },
        (e: unknown) => {
          log.warn({ err: e, client: client.id }, 'MQTT authentication failed');
          done(authError(3, 'authentication is unavailable'), null);
        },
      );
    },

    authorizePublish: (client, packet, done) => {
      const identity = client === null ? undefined : identities.get(client);
      if (client === null || identity === undefined) {
        done(new Error('not authenticated'));
        return;
      }
      authorizePublish(client, identity, packet).then(
        (error) => done(error),
        (e: unknown) => {
          log.warn({ err: e, client: client.id, topic: packet.topic }, 'MQTT publish failed');
          done(e instanceof Error ? e : new Error(String(e)));
        },
      );
    },

    authorizeSubscribe: (client, subscription, done) => {
      const identity = identities.get(client);
      const route = subscription.topic === INERT_TOPIC ? undefined : subscribeRoute(subscription.topic);
      if (identity === undefined) {
        done(null, null);
        return;
      }
      if (subscription.topic === INERT_TOPIC || route?.kind === 'inert') {
        done(null, { ...subscription, topic: INERT_TOPIC });
        return;
      }
      if (route === undefined) {
        refuse('forbidden-topic', `client ${client.id} may not subscribe to ${subscription.topic}`);
        done(null, null);
        return;
      }
      senderOf(identity, route).then(
        (sender) => {
          if ('refused' in sender) {
            refuse(sender.refused, `client ${client.id}: ${sender.detail}`);
            done(null, null);
            return;
          }
          connections.set(sender.tenant, sender.deviceId, {
            client,
            filter: subscription.topic,
            dialect: route.dialect,
            qos: subscription.qos ?? 0,
          });
          done(null, subscription);
        },
        (e: unknown) => {
          log.warn({ err: e, client: client.id }, 'MQTT subscription check failed');
          done(null, null);
        },
      );
    },

    // Only what Urbis itself publishes (commands, with no publishing client) reaches a client.
    authorizeForward: (_client, packet) => (Object.hasOwn(packet, 'clientId') ? null : packet),
  });

  /** Undefined: authorised (and, for telemetry, committed); an Error closes the connection. */
  async function authorizePublish(
    client: Client,
    identity: Identity,
    packet: PublishPacket,
  ): Promise<Error | undefined> {
    const route = publishRoute(packet.topic);
    if (route === undefined) {
      refuse('forbidden-topic', `client ${client.id} may not publish to ${packet.topic}`);
      return new Error('forbidden topic');
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    if (payload.length > ingress.maxPayloadBytes) {
      refuse('oversized', `client ${client.id}: ${payload.length} bytes > ${ingress.maxPayloadBytes}`);
      return new Error('payload too large');
    }
    const sender = await senderOf(identity, route);
    if ('refused' in sender) {
      refuse(sender.refused, `client ${client.id}: ${sender.detail}`);
      return new Error(sender.detail);
    }
    // Telemetry is not a retained message: keeping the last one per topic would only cost memory.
    packet.retain = false;
    if (route.kind === 'command-result') {
      try {
        await reportResult(ingress, commands, sender, route, payload, (requestId) =>
          channel.commandOfRequest(sender.tenant, sender.deviceId, requestId),
        );
      } catch (e) {
        // The result is the command service's to keep; its failure is logged, the device is not punished.
        log.warn({ err: e, tenant: sender.tenant, deviceId: sender.deviceId }, 'command result not recorded');
      }
      return undefined;
    }
    const session = `${sender.tenant}\u0000${sender.deviceId}\u0000${client.id}`;
    const messageId = redelivery.key(session, packet.qos > 0 ? packet.messageId : undefined, packet.dup);
    const verdict = await ingestTelemetry(ingress, sender, route, payload, messageId);
    return verdict === 'ack'
      ? undefined
      : new Error('storage cannot take the message now; send it again later');
  }

  broker.on('clientReady', (client) => {
    const identity = identities.get(client);
    if (identity !== undefined) owners.set(client.id, { client, owner: ownerOf(identity) });
    // A persistent session's subscriptions were restored (and authorised) before this.
    for (const d of connections.devicesOf(client)) connected(d.tenant, d.deviceId);
  });
  broker.on('subscribe', (subscriptions, client) => {
    for (const s of subscriptions) {
      // 128: refused (aedes lists refused subscriptions too).
      if (Number(s.qos) === 128) continue;
      for (const d of connections.devicesOf(client))
        if (connections.get(d.tenant, d.deviceId)?.filter === s.topic) connected(d.tenant, d.deviceId);
    }
  });
  broker.on('unsubscribe', (filters, client) => {
    for (const f of filters) connections.dropFilter(client, f);
  });
  broker.on('ack', (_packet, client) => channel.acked(client));
  broker.on('clientDisconnect', (client) => {
    connections.dropClient(client);
    channel.disconnected(client);
    if (owners.get(client.id)?.client === client) owners.delete(client.id);
  });

  // A PUBLISH carries at most the payload limit plus its topic (≤ 65,535 bytes) and a few header bytes.
  const maxPacket = ingress.maxPayloadBytes + 65_536 + 16;
  const accept = (socket: Socket | TLSSocket) => {
    guardPacketSize(socket, maxPacket, (v) =>
      refuse(
        v.kind === 'oversized' ? 'oversized' : 'malformed',
        v.kind === 'oversized' ? `MQTT packet of ${v.bytes} bytes` : 'malformed MQTT fixed header',
      ),
    );
    broker.handle(socket);
  };
  const server: Server = options.tls
    ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, accept)
    : createNetServer(accept);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    // The port is taken (or not ours): leave no broker behind.
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  log.info({ port, tls: options.tls !== undefined }, 'MQTT broker listening');

  return {
    port,
    channel,
    close: async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await stopped;
    },
  };
}

function authError(code: number, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code as AuthErrorCode });
}
