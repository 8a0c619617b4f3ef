/**
 * The device transports `urbis serve` runs beside the HTTP API (issue #5): the embedded MQTT broker
 * (`--mqtt-port`, TLS with `--tls-cert`), the consumer of an external broker with shared subscriptions
 * (`--mqtt-broker`), the CoAP endpoint (`--coap-port`) and the LoRaWAN downlink channel (ChirpStack,
 * The Things Stack) — each given the app's device ingress, and each command channel attached to the
 * command service. HTTP ingest, the network-server webhooks and the dialects' HTTP APIs are routes of
 * the app itself.
 */
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { StoreIotaAuthority } from '../devices/dialects/iota-authority.js';
import { startCoapServer } from '../devices/transports/coap/coap-server.js';
import { LorawanCommandChannel } from '../devices/transports/lorawan/downlink-channel.js';
import { startEmbeddedBroker } from '../devices/transports/mqtt/embedded-broker.js';
import { startExternalBroker } from '../devices/transports/mqtt/external-broker.js';
import type { Store } from '../store/port.js';
import { ConfigError, type Config } from './config.js';

export interface RunningTransports {
  mqttPort?: number;
  coapPort?: number;
  close(): Promise<void>;
}

type TransportConfig = Pick<
  Config,
  | 'host'
  | 'port'
  | 'mqttPort'
  | 'mqttBroker'
  | 'mqttGroup'
  | 'mqttConnections'
  | 'mqttTenant'
  | 'coapPort'
  | 'tlsCert'
  | 'tlsKey'
  | 'chirpstackUrl'
  | 'chirpstackToken'
  | 'ttsUrl'
  | 'ttsKey'
  | 'ttsApp'
  | 'ttsWebhook'
  | 'explicit'
  | 'demo'
>;

/** Start what the configuration asks for; on failure, stop what was started and throw. */
export async function startDeviceTransports(
  app: FastifyInstance,
  store: Store,
  config: TransportConfig,
  logger: Logger,
  tls?: { cert: Buffer; key: Buffer },
): Promise<RunningTransports> {
  const devices = app.devices;
  const iota = new StoreIotaAuthority(store.iota);
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.reverse())
      await c().catch((err: unknown) => logger.error({ err }, 'transport close failed'));
  };
  const out: RunningTransports = { close };
  try {
    if (config.mqttPort > 0) {
      const embedded = (port: number) =>
        startEmbeddedBroker({
          ingress: devices.ingress,
          commands: devices.commands,
          iota,
          port,
          host: config.host,
          ...(tls ? { tls } : {}),
          log: logger.child({ transport: 'mqtt' }),
        });
      // The demo city's actuators take their commands over MQTT: with the default port taken (a
      // Mosquitto already runs) the broker moves to a free port rather than leaving them deaf.
      const broker = await listenOrSkip(
        config,
        'mqttPort',
        logger,
        () => embedded(config.mqttPort),
        config.demo && config.mqttBroker === '' ? () => embedded(0) : undefined,
      );
      if (broker !== undefined) {
        closers.push(() => broker.close());
        closers.push(detach(devices.commands.attach(broker.channel)));
        out.mqttPort = broker.port;
      }
    }
    if (config.mqttBroker !== '') {
      const external = await startExternalBroker({
        ingress: devices.ingress,
        commands: devices.commands,
        iota,
        url: config.mqttBroker,
        group: config.mqttGroup,
        // Stable across restarts of this replica (the broker keeps its session), distinct between replicas.
        clientId: `urbis-${config.mqttGroup}-${hostname()}-${config.port}`,
        tenant: config.mqttTenant,
        connections: config.mqttConnections,
        log: logger.child({ transport: 'mqtt-external' }),
      });
      closers.push(() => external.close());
      // The embedded broker, when there is one, reaches its own clients; the external one reaches the rest.
      if (out.mqttPort === undefined) closers.push(detach(devices.commands.attach(external.channel)));
    }
    if (config.coapPort > 0) {
      const coap = await listenOrSkip(config, 'coapPort', logger, () =>
        startCoapServer({
          ingress: devices.ingress,
          port: config.coapPort,
          host: config.host,
          log: logger.child({ transport: 'coap' }),
        }),
      );
      if (coap !== undefined) {
        closers.push(() => coap.close());
        out.coapPort = coap.port;
      }
    }
    const chirpstack =
      config.chirpstackUrl === '' ? undefined : { url: config.chirpstackUrl, token: config.chirpstackToken };
    const tts =
      config.ttsUrl === ''
        ? undefined
        : { url: config.ttsUrl, key: config.ttsKey, app: config.ttsApp, webhook: config.ttsWebhook };
    if (chirpstack !== undefined || tts !== undefined) {
      const channel = new LorawanCommandChannel(
        { ...(chirpstack ? { chirpstack } : {}), ...(tts ? { tts } : {}) },
        app.lorawan,
      );
      closers.push(detach(devices.commands.attach(channel)));
    }
  } catch (e) {
    await close();
    throw e;
  }
  return out;
}

function detach(undo: () => void): () => Promise<void> {
  return async () => undo();
}

/**
 * Start a listener; when its port is taken and the port is only the default (Mosquitto holds 1883 on
 * many machines), warn and go on without it, so that `npm start` still runs; a port the operator
 * chose must be served, so then start-up stops with a one-line error naming the setting.
 */
async function listenOrSkip<T>(
  config: TransportConfig,
  setting: 'mqttPort' | 'coapPort',
  logger: Logger,
  start: () => Promise<T>,
  onFreePort?: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await start();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    const flag = setting === 'mqttPort' ? '--mqtt-port' : '--coap-port';
    const port = config[setting];
    if (config.explicit.has(setting)) throw new ConfigError(`invalid ${flag}=${port}: the port is in use`);
    if (onFreePort !== undefined) {
      logger.warn(
        { port, setting: flag },
        `port ${port} is in use (another broker?): listening on a free port`,
      );
      return onFreePort();
    }
    logger.warn(
      { port, setting: flag },
      `port ${port} is in use (another broker?): this transport is off; choose a free port with ${flag}`,
    );
    return undefined;
  }
}
