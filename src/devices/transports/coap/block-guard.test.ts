/**
 * The CoAP datagram screen: block-wise uploads within the payload limit pass; a Block1 option that
 * points past it, a reserved block size, and bytes that are not CoAP are stopped.
 */
import { generate } from 'coap-packet';
import { describe, expect, it } from 'vitest';
import { screenDatagram } from './block-guard.js';

/** A POST carrying Block1 (NUM, M, SZX) with `payload` bytes. */
function block1(num: number, more: boolean, szx: number, payload = Buffer.alloc(16)): Buffer {
  const n = num * 16 + (more ? 8 : 0) + szx;
  const bytes =
    n === 0 ? [] : n < 256 ? [n] : n < 65_536 ? [n >> 8, n & 255] : [n >> 16, (n >> 8) & 255, n & 255];
  return generate({
    code: 'POST',
    messageId: 1,
    token: Buffer.from([1, 2]),
    options: [
      { name: 'Uri-Path', value: Buffer.from('ingest') },
      { name: 'Block1', value: Buffer.from(bytes) },
    ],
    payload,
  });
}

describe('screenDatagram', () => {
  it('passes plain requests and block-wise uploads within the limit', () => {
    expect(screenDatagram(generate({ code: 'POST', messageId: 7, payload: Buffer.from('{}') }), 65_536)).toBe(
      'ok',
    );
    expect(screenDatagram(block1(0, true, 6), 65_536)).toBe('ok'); // first 1 KiB block
    expect(screenDatagram(block1(63, false, 6), 65_536)).toBe('ok'); // the 64th: 64 KiB in all
  });

  it('stops a Block1 pointing past the limit, however few bytes the datagram has', () => {
    expect(screenDatagram(block1(64, false, 6), 65_536)).toBe('oversized');
    expect(screenDatagram(block1(1_048_575, false, 6), 65_536)).toBe('oversized');
  });

  it('stops a reserved block size and what is not CoAP', () => {
    expect(screenDatagram(block1(1, true, 7), 65_536)).toBe('malformed');
    expect(screenDatagram(Buffer.from([0x00, 0x01, 0x02, 0x03]), 65_536)).toBe('malformed'); // version 0
    expect(screenDatagram(Buffer.alloc(0), 65_536)).toBe('malformed');
  });
});
