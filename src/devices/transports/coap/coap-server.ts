/**
 * CoAP ingest for constrained devices (NB-IoT, LTE-M; RFC 7252, the `coap` package):
 * `POST coap://host/ingest?t=<dev_ token>` or `?u=<tenant>/<username>&p=<password>` (`u=<username>`
 * alone looks the username up in the default tenant), the payload as the device produces it.
 *
 * Answers, after the commit as every transport (decision 0007): 2.04 Changed (stored), 4.00 decode
 * or mapping errors and bad requests, 4.01 bad credential, 4.04 other paths, 4.05 other methods,
 * 4.13 too large, 4.29 rate-limited (Max-Age = seconds to wait), 5.03 overloaded or shutting down.
 * Error responses carry a short diagnostic text as payload (RFC 7252 §5.5.2).
 *
 * Why credentials in the query string: constrained devices have no HTTP-style Authorization header in
 * CoAP, and the `coap` package offers no DTLS, so nothing on this port is encrypted. Run it only on a
 * private APN or VPN that carries the devices' traffic (the usual NB-IoT deployment), never exposed to
 * the internet; devices that can do TLS should use MQTT over TLS or HTTPS instead.
 *
 * Redelivery: the `coap` package answers a retransmitted CON from its response cache only once a
 * response was sent; a retransmission that arrives while the first copy is still being committed
 * reaches this handler again. Such copies join the first one here (in flight), and each message
 * carries the id `coap:<address>:<message id>:<token>`, so a later copy is recognised by the
 * pipeline's redelivery memory: a message is stored once.
 */
import { createServer, type IncomingMessage, type OutgoingMessage } from 'coap';
import { guardSocket } from './block-guard.js';
import type { Socket } from 'node:dgram';
import type { QueuedOutcome } from '../../ingest/ingest-queue.js';
import type { DeviceIngress } from '../contract.js';
import {
  AuthFailureThrottle,
  PasswordCheckCache,
  authenticateDevice,
  splitTenantUser,
  type PresentedCredential,
} from '../device-auth.js';
import { TOKEN_PREFIX } from '../../registry/credentials.js';

export interface CoapServerOptions {
  ingress: DeviceIngress;
  /** UDP port; 0 picks a free one (see the returned port). */
  port: number;
  /** Address to bind; default 0.0.0.0. */
  host?: string;
  /** Tenant of a `u=<username>` without a tenant; default '' (the default tenant). */
  defaultTenant?: string;
  log?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface CoapServerHandle {
  port: number;
  close(): Promise<void>;
}

const TRANSPORT = 'coap';

/** Start the CoAP ingest server; resolves once it is bound. */
export async function startCoapServer(options: CoapServerOptions): Promise<CoapServerHandle> {
  const { ingress } = options;
  const auth = new PasswordCheckCache().wrap(ingress);
  const throttle = new AuthFailureThrottle();
  const inFlight = new Map<string, Promise<QueuedOutcome>>();
  const defaultTenant = options.defaultTenant ?? '';

  const answer = (res: OutgoingMessage, code: string, text?: string, maxAge?: number) => {
    res.code = code;
    if (maxAge !== undefined) res.setOption('Max-Age', maxAge);
    res.end(text === undefined ? undefined : Buffer.from(text.slice(0, 200), 'utf8'));
  };

  const handle = async (req: IncomingMessage, res: OutgoingMessage): Promise<void> => {
    const url = new URL(req.url, 'coap://device');
    if (url.pathname !== '/ingest') return answer(res, '4.04', 'POST /ingest');
    if (req.method !== 'POST') return answer(res, '4.05', 'POST /ingest');
    const address = req.rsinfo.address;
    const wait = throttle.retryAfter(address);
    if (wait > 0) return answer(res, '4.29', 'too many failed authentications', wait);
    const credential = credentialOf(url.searchParams);
    const device =
      credential === undefined ? undefined : await authenticateDevice(auth, credential, defaultTenant);
    if (device === undefined) {
      ingress.refuse(
        TRANSPORT,
        'credential',
        `${address}: ${credential === undefined ? 'no credential' : 'bad credential'}`,
      );
      throttle.failed(address);
      return answer(
        res,
        '4.01',
        'a device credential is required: ?t=<token> or ?u=<tenant/user>&p=<password>',
      );
    }
    const payload = req.payload;
    if (payload.byteLength > ingress.maxPayloadBytes) {
      ingress.refuse(TRANSPORT, 'oversized', `${device.device.id}: ${payload.byteLength} bytes`);
      res.setOption('Size1', ingress.maxPayloadBytes);
      return answer(res, '4.13', `payload over ${ingress.maxPayloadBytes} bytes`);
    }
    if (payload.byteLength === 0) return answer(res, '4.00', 'empty payload');
    const packet = req._packet;
    const token = packet.token !== undefined ? packet.token.toString('hex') : '';
    // Not the port: a NAT that rebinds between retransmissions changes it, and the copy is still a copy.
    const messageId = `coap:${address}:${packet.messageId ?? ''}:${token}`;
    const key = `${device.tenant}\u0000${device.device.id}\u0000${messageId}`;
    let pending = inFlight.get(key);
    if (pending === undefined) {
      pending = ingress
        .submit({
          tenant: device.tenant,
          deviceId: device.device.id,
          payload,
          receivedAt: new Date().toISOString(),
          messageId,
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    const outcome = await pending;
    if (outcome.ok) return answer(res, '2.04');
    const detail = `${outcome.reason}: ${outcome.detail}`;
    switch (outcome.reason) {
      case 'rate-limited':
        return answer(res, '4.29', detail, retryAfterOf(outcome.detail));
      case 'decode':
      case 'mapping':
        return answer(res, '4.00', detail);
      case 'unknown-device':
      case 'disabled':
        return answer(res, '4.03', detail);
      case 'store':
      case 'unavailable':
      case 'overloaded':
      case 'closed':
        return answer(res, '5.03', detail, 1);
      case 'internal':
        return answer(res, '5.00', 'internal error');
    }
  };

  const server = createServer({ type: 'udp4' }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      options.log?.error({ err }, 'coap ingest failed');
      answer(res, '5.00', 'internal error');
    });
  });
  // A socket error must be logged, not thrown (an EventEmitter 'error' without a listener ends the process).
  server.on('error', (err: Error) => options.log?.error({ err }, 'coap socket error'));
  await new Promise<void>((resolve, reject) => {
    server.listen(options.port, options.host ?? '0.0.0.0', (err?: Error) => (err ? reject(err) : resolve()));
  });
  const socket = server._sock as Socket;
  guardSocket(socket, ingress.maxPayloadBytes, (why, from) =>
    ingress.refuse(
      TRANSPORT,
      why,
      `datagram from ${from} ${why === 'oversized' ? 'announces a block-wise upload over the limit' : 'is not CoAP'}`,
    ),
  );
  const port = socket.address().port;
  options.log?.info({ port }, 'coap ingest listening');
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `t=<token>`, or `u=<tenant/user>&p=<password>`; undefined when neither is complete. */
function credentialOf(query: URLSearchParams): PresentedCredential | undefined {
  const token = query.get('t');
  if (token !== null) return token.startsWith(TOKEN_PREFIX) ? { kind: 'token', secret: token } : undefined;
  const user = query.get('u');
  const password = query.get('p');
  if (user === null || password === null || user === '' || password === '') return undefined;
  return { kind: 'password', ...splitTenantUser(user), password };
}

function retryAfterOf(detail: string): number {
  const match = /retry in (\d+) s/.exec(detail);
  return match === null ? 1 : Math.max(1, Number(match[1]));
}
