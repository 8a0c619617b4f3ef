/**
 * A constrained device talking CoAP to the ingest server on 127.0.0.1: `coap.request` (the package's
 * client: blockwise transfer for large payloads, retransmission) for ordinary messages, and a raw UDP
 * socket with a fixed message id and token where a test must send the very same CON message again —
 * a retransmission — which the package's client never does on purpose.
 */
import { createSocket } from 'node:dgram';
import { Agent, request } from 'coap';
import { generate, parse } from 'coap-packet';
import type { IssuedCredential } from '../../../src/devices/registry/registry-service.js';
import { TENANT } from '../../support/devices.js';

export type CoapAnswer = { code: string; payload: string };

/** The query string carrying a device credential (`t=` token, or `u=tenant/user&p=password`). */
export function credentialQuery(credential: IssuedCredential, tenant = TENANT): string {
  if (credential.kind === 'token') return `t=${encodeURIComponent(credential.secret ?? '')}`;
  return `u=${encodeURIComponent(`${tenant}/${credential.username ?? ''}`)}&p=${encodeURIComponent(credential.password ?? '')}`;
}

/** POST with the package's client, on its own agent (socket), bounded in time. */
export function coapPost(
  port: number,
  query: string,
  payload: string | Uint8Array,
  pathname = '/ingest',
  method: 'POST' | 'GET' = 'POST',
): Promise<CoapAnswer> {
  const agent = new Agent({ type: 'udp4' });
  return new Promise<CoapAnswer>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('coap request timed out')), 10_000);
    const req = request({ hostname: '127.0.0.1', port, method, pathname, query, confirmable: true, agent });
    req.on('response', (res: { code: string; payload: Buffer }) => {
      clearTimeout(timer);
      resolve({ code: res.code, payload: res.payload.toString('utf8') });
    });
    req.on('error', (err: Error) => {
      clearTimeout(timer);
      reject(err);
    });
    const bytes = Buffer.from(payload);
    // Past one datagram a device sends blockwise (RFC 7959 Block1, 1,024-byte blocks: exponent 6).
    if (bytes.byteLength > 1024) req.setOption('Block1', Buffer.of(6));
    if (method === 'POST') req.write(bytes);
    req.end();
  }).finally(() => agent.close());
}

/**
 * Send one CON POST with the given message id and token from a fresh UDP socket and wait for its
 * response (piggybacked, or an empty ACK followed by a separate response, which is acknowledged).
 */
export async function rawCoapPost(
  port: number,
  query: string,
  payload: string | Uint8Array,
  messageId: number,
  token: Buffer,
  socket = createSocket('udp4'),
  keepOpen = false,
): Promise<CoapAnswer> {
  const packet = generate({
    confirmable: true,
    code: '0.02',
    messageId,
    token,
    options: [
      { name: 'Uri-Path', value: Buffer.from('ingest') },
      ...query
        .split('&')
        .map((q) => ({ name: 'Uri-Query' as const, value: Buffer.from(decodeURIComponent(q)) })),
    ],
    payload: Buffer.from(payload),
  });
  try {
    return await new Promise<CoapAnswer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('raw coap request timed out')), 10_000);
      socket.on('message', (msg) => {
        const res = parse(msg);
        if (res.ack && res.code === '0.00') return; // empty ACK: the response follows separately
        if (res.confirmable)
          socket.send(
            generate({ ack: true, code: '0.00', messageId: res.messageId, token: Buffer.alloc(0) }),
            port,
            '127.0.0.1',
          );
        clearTimeout(timer);
        resolve({ code: res.code, payload: res.payload.toString('utf8') });
      });
      socket.send(packet, port, '127.0.0.1');
    });
  } finally {
    socket.removeAllListeners('message');
    if (!keepOpen) socket.close();
  }
}
