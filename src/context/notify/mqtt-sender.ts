/**
 * Notifications over MQTT (`mqtt://[user[:password]@]host[:port]/topic`, and `mqtts://`), after the
 * NGSI-LD MQTT binding: the message is a JSON object `{"metadata": {...}, "body": notification}`,
 * where `metadata` carries what HTTP would send as headers (Content-Type, Link, NGSILD-Tenant and the
 * receiverInfo pairs). notifierInfo `MQTT-QoS` (0, 1, 2; default 0) sets the QoS and `MQTT-Version`
 * (`mqtt3.1.1`, the default, or `mqtt5.0`) the protocol. A delivery succeeds when the publish is
 * acknowledged as its QoS asks: written to the socket (0), PUBACK (1), PUBCOMP (2).
 *
 * Clients are pooled per broker (address, credentials, protocol version) and reconnect by themselves;
 * their sockets are opened by this module so that the SSRF guard sees every connection: host names
 * are resolved by the guard's lookup on each (re)connect, literal addresses are checked before the
 * client is made. Clients left unused for a while are closed.
 */
import { randomUUID } from 'node:crypto';
import { connect as tcpConnect, isIP } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { MqttClient, type IClientOptions } from 'mqtt';
import type { Endpoint } from '../../core/subscription/model.js';
import { bareHost, type AddressGuard } from '../net/address-guard.js';
import type { RenderedNotification } from './contracts.js';
import { reasonOf, type SendOptions, type SendOutcome, type Sender } from './sender.js';

/** Settings of the MQTT sender. */
export interface MqttSenderOptions {
  /** The SSRF guard every connection passes. */
  readonly guard: AddressGuard;
  /** Longest wait for a broker to accept a new connection, in ms (default 10,000). */
  readonly connectTimeoutMs?: number;
  /** Pause between reconnection attempts, in ms (default 1,000). */
  readonly reconnectPeriodMs?: number;
  /** A client unused this long is closed, in ms (default 300,000). */
  readonly idleCloseMs?: number;
  /** Client ids are this prefix and a random suffix (default `urbis-notifier-`). */
  readonly clientIdPrefix?: string;
}

/** Where and how to publish, read from an endpoint. */
interface Target {
  /** Pool key: one client per broker, credentials and protocol version. */
  key: string;
  secure: boolean;
  host: string;
  port: number;
  topic: string;
  username?: string;
  password?: string;
  version: 4 | 5;
  qos: 0 | 1 | 2;
}

interface Pooled {
  client: MqttClient;
  lastUsed: number;
  busy: number;
  lastError?: string;
}

/** Sends notifications over MQTT. */
export class MqttSender implements Sender {
  private readonly pool = new Map<string, Pooled>();
  private readonly guard: AddressGuard;
  private readonly connectTimeoutMs: number;
  private readonly reconnectPeriodMs: number;
  private readonly idleCloseMs: number;
  private readonly clientIdPrefix: string;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: MqttSenderOptions) {
    this.guard = options.guard;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.reconnectPeriodMs = options.reconnectPeriodMs ?? 1_000;
    this.idleCloseMs = options.idleCloseMs ?? 300_000;
    this.clientIdPrefix = options.clientIdPrefix ?? 'urbis-notifier-';
    this.sweeper = setInterval(() => this.sweep(), Math.max(1_000, this.idleCloseMs / 2));
    this.sweeper.unref();
  }

  async send(endpoint: Endpoint, n: RenderedNotification, options: SendOptions): Promise<SendOutcome> {
    const target = parseTarget(endpoint);
    if (typeof target === 'string') return { ok: false, error: target };
    let pooled = this.pool.get(target.key);
    if (pooled === undefined) {
      if (isIP(target.host) !== 0) {
        // A literal address is connected to without a lookup: check it before making the client.
        try {
          await this.guard.checkAddress(target.host);
        } catch (error) {
          return { ok: false, error: reasonOf(error) };
        }
      }
      pooled = this.pool.get(target.key) ?? this.open(target);
    }
    pooled.busy++;
    pooled.lastUsed = Date.now();
    try {
      return await this.publish(pooled, target, n, options);
    } finally {
      pooled.busy--;
      pooled.lastUsed = Date.now();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const clients = [...this.pool.values()].map((p) => p.client);
    this.pool.clear();
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  }

  private async publish(
    pooled: Pooled,
    target: Target,
    n: RenderedNotification,
    options: SendOptions,
  ): Promise<SendOutcome> {
    const started = Date.now();
    if (!pooled.client.connected) {
      const ready = await connected(
        pooled.client,
        Math.min(options.timeoutMs, this.connectTimeoutMs),
        options.signal,
      );
      if (!ready) {
        const why = pooled.lastError === undefined ? '' : `: ${pooled.lastError}`;
        return { ok: false, error: `not connected to MQTT broker ${target.host}:${target.port}${why}` };
      }
    }
    const metadata = { ...n.headers, 'Content-Type': n.contentType };
    // The body is already JSON text: splice it in rather than parse and serialise it again.
    const payload = `{"metadata":${JSON.stringify(metadata)},"body":${n.body}}`;
    const client = pooled.client;
    let acknowledged!: (error?: Error) => void;
    const publishing = new Promise<void>((resolve, reject) => {
      acknowledged = (error) => (error ? reject(error) : resolve());
      client.publish(
        target.topic,
        payload,
        {
          qos: target.qos,
          ...(target.version === 5 ? { properties: { contentType: 'application/json' } } : {}),
        },
        acknowledged,
      );
    });
    const left = Math.max(1, options.timeoutMs - (Date.now() - started));
    try {
      await within(publishing, left, options.signal);
      return { ok: true };
    } catch (error) {
      // Given up: take the message out of the client's store, or it would resend it on reconnect
      // beside the dispatcher's own retry.
      for (const [id, pending] of Object.entries(client.outgoing))
        if (pending.cb === acknowledged) client.removeOutgoingMessage(Number(id));
      if (error instanceof DeadlineError)
        return { ok: false, error: `no acknowledgement within ${options.timeoutMs} ms` };
      return { ok: false, error: reasonOf(error) };
    }
  }

  private open(target: Target): Pooled {
    const guard = this.guard;
    const host = target.host;
    // Our own socket: the guard's lookup resolves the name on every (re)connect (no SOCKS proxy from
    // the environment, no resolution the guard does not see).
    const stream = () =>
      target.secure
        ? tlsConnect({
            host,
            port: target.port,
            lookup: guard.lookup,
            ...(isIP(host) === 0 ? { servername: host } : {}),
          })
        : tcpConnect({ host, port: target.port, lookup: guard.lookup });
    const options: IClientOptions = {
      protocolVersion: target.version,
      clientId: `${this.clientIdPrefix}${randomUUID().slice(0, 12)}`,
      clean: true,
      keepalive: 30,
      reconnectPeriod: this.reconnectPeriodMs,
      connectTimeout: this.connectTimeoutMs,
      // A publish while offline fails now and is retried by the dispatcher, not queued here.
      queueQoSZero: false,
      resubscribe: false,
      ...(target.username === undefined ? {} : { username: target.username }),
      ...(target.password === undefined ? {} : { password: target.password }),
    };
    const client = new MqttClient(stream, options);
    const pooled: Pooled = { client, lastUsed: Date.now(), busy: 0 };
    // Without an 'error' listener a broker error would crash the process.
    client.on('error', (error) => {
      pooled.lastError = reasonOf(error);
    });
    client.on('connect', () => {
      delete pooled.lastError;
    });
    this.pool.set(target.key, pooled);
    return pooled;
  }

  /** Close clients nobody used for `idleCloseMs`. */
  private sweep(): void {
    const now = Date.now();
    for (const [key, p] of this.pool) {
      if (p.busy === 0 && now - p.lastUsed > this.idleCloseMs) {
        this.pool.delete(key);
        p.client.end(true);
      }
    }
  }
}

/** The publish target of an MQTT endpoint, or why there is none. */
function parseTarget(endpoint: Endpoint): Target | string {
  if (!URL.canParse(endpoint.uri)) return `invalid MQTT endpoint ${endpoint.uri}`;
  const url = new URL(endpoint.uri);
  const secure = url.protocol === 'mqtts:';
  if (!secure && url.protocol !== 'mqtt:') return `not an MQTT endpoint: ${endpoint.uri}`;
  const host = bareHost(url.hostname);
  if (host === '') return `MQTT endpoint ${endpoint.uri} has no host`;
  let topic: string;
  try {
    topic = decodeURIComponent(url.pathname.replace(/^\//, ''));
  } catch {
    return `MQTT endpoint ${endpoint.uri} has a badly encoded topic`;
  }
  if (topic === '') return `MQTT endpoint ${endpoint.uri} has no topic`;
  if (/[+#]/.test(topic)) return `MQTT topic ${topic} has a wildcard`;
  const info = new Map((endpoint.notifierInfo ?? []).map((kv) => [kv.key, kv.value]));
  const qos = Number(info.get('MQTT-QoS') ?? '0');
  const version = (info.get('MQTT-Version') ?? 'mqtt3.1.1') === 'mqtt5.0' ? 5 : 4;
  const port = url.port === '' ? (secure ? 8883 : 1883) : Number(url.port);
  const username = url.username === '' ? undefined : decodeURIComponent(url.username);
  const password = url.password === '' ? undefined : decodeURIComponent(url.password);
  const target: Target = {
    key: `${url.protocol}//${encodeURIComponent(username ?? '')}:${encodeURIComponent(password ?? '')}@${host}:${port}#${version}`,
    secure,
    host,
    port,
    topic,
    version,
    qos: qos === 1 || qos === 2 ? qos : 0,
  };
  if (username !== undefined) target.username = username;
  if (password !== undefined) target.password = password;
  return target;
}

/** True once the client is connected, false when `ms` pass, the attempt fails, or `signal` aborts. */
function connected(client: MqttClient, ms: number, signal: AbortSignal): Promise<boolean> {
  if (client.connected) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onConnect = () => done(true);
    // A failed attempt closes the stream; the client retries later by itself, the dispatcher too.
    const onClose = () => done(false);
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    client.on('connect', onConnect);
    client.on('close', onClose);
    signal.addEventListener('abort', onAbort);
  });
}

class DeadlineError extends Error {}

/** `promise`, or a rejection when `ms` pass or `signal` aborts first. */
async function within<T>(promise: Promise<T>, ms: number, signal: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError()), ms);
    onAbort = () => reject(new Error('notifier stopped'));
    signal.addEventListener('abort', onAbort);
  });
  // The publish may still settle after a deadline: nobody waits for it any more.
  promise.catch(() => undefined);
  try {
    return await Promise.race([promise, stop]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
