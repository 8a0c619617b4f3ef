/**
 * The packet-size guard follows MQTT fixed headers across chunk boundaries: packets within the limit
 * pass whatever the chunking; a header announcing more, or a remaining length of more than four
 * bytes, ends the connection at once — before the body arrives.
 */
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guardPacketSize, type PacketSizeViolation } from './packet-size-guard.js';

/** An MQTT packet: a PUBLISH type byte, the remaining length as a varint, then that many bytes. */
function packet(bodyBytes: number): Buffer {
  const len: number[] = [];
  let x = bodyBytes;
  do {
    let b = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) b |= 0x80;
    len.push(b);
  } while (x > 0);
  return Buffer.concat([Buffer.from([0x32, ...len]), Buffer.alloc(bodyBytes, 7)]);
}

function feed(chunks: Buffer[], limit: number): { violation?: PacketSizeViolation; destroyed: boolean } {
  const socket = new PassThrough();
  let violation: PacketSizeViolation | undefined;
  guardPacketSize(socket, limit, (v) => (violation = v));
  for (const c of chunks) {
    if (socket.destroyed) break;
    socket.emit('data', c);
  }
  return { ...(violation ? { violation } : {}), destroyed: socket.destroyed };
}

/** Cut a buffer at the given offsets. */
function cut(buf: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((a) => a % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, buf.length]) {
    if (p > prev) out.push(buf.subarray(prev, p));
    prev = p;
  }
  return out;
}

describe('guardPacketSize', () => {
  it('lets packets within the limit through, however the stream is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (sizes, at) => {
          const stream = Buffer.concat(sizes.map(packet));
          expect(feed(cut(stream, at), 400)).toEqual({ destroyed: false });
        },
      ),
    );
  });

  it('ends the connection at a header announcing more than the limit, before its body', () => {
    const big = packet(20_000);
    const r = feed([Buffer.concat([packet(10), big.subarray(0, 4)])], 16_384);
    expect(r).toEqual({ violation: { kind: 'oversized', bytes: 20_000 }, destroyed: true });
  });

  it('ends the connection at a remaining length longer than four bytes', () => {
    const r = feed([Buffer.from([0x32, 0xff, 0xff, 0xff, 0xff, 0x01])], 1_000_000_000);
    expect(r).toEqual({ violation: { kind: 'malformed' }, destroyed: true });
  });

  it('reads the largest four-byte length (268,435,455) correctly', () => {
    const r = feed([Buffer.from([0x32, 0xff, 0xff, 0xff, 0x7f])], 1000);
    expect(r.violation).toEqual({ kind: 'oversized', bytes: 268_435_455 });
  });
});
