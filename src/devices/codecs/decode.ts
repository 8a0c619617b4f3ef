/**
 * The codecs' one entry point for ingest: decode a device's payload by its profile's codec. Every
 * failure is a CodecError (with a reason to count), whatever the bytes; the size limit is applied
 * here, before any codec looks at the payload.
 */
import { decodeCayenneLpp } from './cayenne-lpp.js';
import { CodecError } from './codec-error.js';
import { decodeJson } from './json.js';
import { decodeLayout } from './layout.js';
import type { CodecSpec, Decoded } from './model.js';

/** The largest payload any codec accepts: 64 KiB, far above any sensor frame, small enough to parse fast. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

/**
 * Decodes `payload` by `spec`. Text is accepted by the JSON codec only: binary codecs need the bytes
 * as they came off the wire, and guessing an encoding (hex? base64?) would hide a transport's bug.
 */
export function decode(spec: CodecSpec, payload: Uint8Array | string): Decoded {
  switch (spec.kind) {
    case 'json':
      return decodeJson(payload, MAX_PAYLOAD_BYTES);
    case 'cayenne-lpp':
      return decodeCayenneLpp(binary(payload));
    case 'layout':
      return decodeLayout(binary(payload), spec);
    default:
      throw new CodecError('bad-spec', `unknown codec kind "${String((spec as { kind?: unknown }).kind)}"`);
  }
}

function binary(payload: Uint8Array | string): Uint8Array {
  if (typeof payload === 'string') throw new CodecError('not-binary', 'a binary codec was given text');
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    throw new CodecError('too-large', `payload of ${payload.byteLength} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  }
  return payload;
}
