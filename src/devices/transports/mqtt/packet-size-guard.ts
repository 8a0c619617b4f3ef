/**
 * Bounds the size of MQTT packets before aedes buffers them. aedes (through mqtt-packet) collects a
 * whole packet in memory — up to the protocol's 256 MB — before any hook of ours sees it, and neither
 * offers a size limit, so an unauthenticated client could make the broker hold huge buffers. This
 * watches the bytes aedes reads (a 'data' listener beside its 'readable' one sees each chunk it reads,
 * consuming nothing), follows the MQTT fixed headers (a type byte, then the remaining length as a
 * variable-length integer of at most four bytes, MQTT 3.1.1 §2.2.3) and destroys the connection as
 * soon as a header announces a packet over the limit, or is malformed.
 */
import type { Duplex } from 'node:stream';

export type PacketSizeViolation = { kind: 'oversized'; bytes: number } | { kind: 'malformed' };

/** Watch `socket`; `onViolation` is called once, then the socket is destroyed. */
export function guardPacketSize(
  socket: Duplex,
  maxRemainingLength: number,
  onViolation: (v: PacketSizeViolation) => void,
): void {
  let state: 'type' | 'length' | 'body' = 'type';
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let skip = 0;
  const stop = (v: PacketSizeViolation) => {
    socket.off('data', watch);
    onViolation(v);
    socket.destroy();
  };
  function watch(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (state === 'body') {
        const n = Math.min(skip, chunk.length - i);
        skip -= n;
        i += n;
        if (skip === 0) state = 'type';
        continue;
      }
      const byte = chunk[i++] as number;
      if (state === 'type') {
        state = 'length';
        length = 0;
        multiplier = 1;
        lengthBytes = 0;
        continue;
      }
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      lengthBytes++;
      if ((byte & 0x80) !== 0) {
        if (lengthBytes === 4) return stop({ kind: 'malformed' });
        continue;
      }
      if (length > maxRemainingLength) return stop({ kind: 'oversized', bytes: length });
      skip = length;
      state = skip > 0 ? 'body' : 'type';
    }
  }
  socket.on('data', watch);
}
