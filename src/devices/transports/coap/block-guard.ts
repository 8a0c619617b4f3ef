/**
 * Screens CoAP datagrams before the `coap` server sees them. The server reassembles block-wise
 * uploads (Block1, RFC 7959) in memory before any handler or credential check runs, and allocates
 * the whole upload from the last block's number: one unauthenticated datagram announcing block
 * 1,048,575 of 1 KiB would make it allocate a gigabyte. The package has no limit to set, so this
 * answers a Block1 that points past the payload limit with 4.13 Request Entity Too Large and the
 * limit in Size1 (RFC 7959 §2.9.3), drops what does not parse as CoAP, and counts both, before the
 * server's own listener runs.
 */
import type { Socket } from 'node:dgram';
import { generate, parse, type ParsedPacket } from 'coap-packet';

export type Screening = 'ok' | 'oversized' | 'malformed';

/** Block1 is option 27: NUM (up to 20 bits) | M (1 bit) | SZX (3 bits), big-endian, 0–3 bytes. */
export function screenDatagram(datagram: Buffer, maxPayloadBytes: number): Screening {
  return screen(datagram, maxPayloadBytes).verdict;
}

function screen(datagram: Buffer, maxPayloadBytes: number): { verdict: Screening; packet?: ParsedPacket } {
  let packet: ParsedPacket;
  try {
    packet = parse(datagram);
  } catch {
    return { verdict: 'malformed' };
  }
  return { verdict: blockVerdict(packet, maxPayloadBytes), packet };
}

function blockVerdict(packet: ParsedPacket, maxPayloadBytes: number): Screening {
  for (const option of packet.options) {
    if (option.name !== 'Block1' && option.name !== 27) continue;
    const v = option.value;
    if (v.length > 3) return 'malformed';
    let n = 0;
    for (const byte of v) n = n * 256 + byte;
    const szx = n & 0x7;
    if (szx === 7) return 'malformed'; // reserved (RFC 7959 §2.2)
    const num = Math.floor(n / 16);
    const blockSize = 2 ** (szx + 4);
    // This block would start at or past the limit: the upload it belongs to is too large.
    if (num * blockSize >= maxPayloadBytes) return 'oversized';
  }
  return 'ok';
}

/**
 * Put the screen in front of the socket's current 'message' listeners (the coap server's): they run
 * only for datagrams that pass; `onDropped` is told of the others (an oversized upload is also answered 4.13).
 */
export function guardSocket(
  socket: Socket,
  maxPayloadBytes: number,
  onDropped: (why: Exclude<Screening, 'ok'>, from: string) => void,
): void {
  const listeners = socket.listeners('message') as Array<(msg: Buffer, rinfo: unknown) => void>;
  socket.removeAllListeners('message');
  socket.on('message', (msg: Buffer, rinfo: { address: string; port: number }) => {
    const { verdict, packet } = screen(msg, maxPayloadBytes);
    if (verdict === 'ok') {
      for (const listener of listeners) listener(msg, rinfo);
      return;
    }
    onDropped(verdict, rinfo.address);
    if (verdict === 'oversized' && packet !== undefined)
      socket.send(tooLarge(packet, maxPayloadBytes), rinfo.port, rinfo.address);
  });
}

/** 4.13 with Size1, piggybacked on the ACK of a confirmable request, else as a non-confirmable reply. */
function tooLarge(request: ParsedPacket, maxPayloadBytes: number): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32BE(maxPayloadBytes);
  return generate({
    code: '4.13',
    messageId: request.confirmable ? request.messageId : (request.messageId + 1) & 0xffff,
    token: request.token,
    ack: request.confirmable,
    confirmable: false,
    options: [{ name: 'Size1', value: size }],
  });
}
