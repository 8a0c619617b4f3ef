/**
 * The JSON codec: a device sends one JSON object; nested objects are flattened into dotted field
 * names ({"env":{"hum":40}} → "env.hum"), so a profile's mapping names any value with one string.
 * An object of exactly {lat, lon[, alt]} numbers is kept whole as a position. Arrays must hold
 * numbers only (a vector such as x, y, z). A null is a reading the device did not have: it is
 * left out rather than refusing the message's other readings.
 *
 * Limits, all refused with a CodecError rather than trimmed (a half-read message is worse than a
 * counted refusal): the byte size, objects nested deeper than MAX_JSON_DEPTH, more than
 * MAX_JSON_FIELDS decoded fields. JSON.parse itself is iterative in V8, so deep input cannot
 * overflow the stack before the depth check sees it.
 */
import { CodecError } from './codec-error.js';
import type { Decoded, DecodedValue } from './model.js';
import { checkPosition } from './position.js';

/** Deepest object nesting accepted; the top-level object is depth 1. */
export const MAX_JSON_DEPTH = 8;
/** Most decoded fields one message may carry. */
export const MAX_JSON_FIELDS = 256;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a JSON object payload (bytes as UTF-8, or text) of at most `maxBytes` UTF-8 bytes. */
export function decodeJson(payload: Uint8Array | string, maxBytes: number): Decoded {
  const size = typeof payload === 'string' ? utf8Length(payload) : payload.byteLength;
  if (size > maxBytes) throw new CodecError('too-large', `JSON payload of ${size} bytes exceeds ${maxBytes}`);
  let text: string;
  if (typeof payload === 'string') {
    text = payload;
  } else {
    try {
      text = utf8.decode(payload);
    } catch {
      throw new CodecError('not-json', 'payload is not valid UTF-8');
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const why = err instanceof SyntaxError ? err.message : 'unparseable';
    throw new CodecError('not-json', `payload is not JSON: ${why}`);
  }
  if (!isPlainObject(parsed)) {
    const kind = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed;
    throw new CodecError('not-object', `JSON payload must be an object, not ${kind}`);
  }
  const out = new Map<string, DecodedValue>();
  flatten(parsed, '', 1, out);
  // fromEntries defines own properties, so a field named "__proto__" stays a plain field.
  return Object.fromEntries(out);
}

function flatten(
  object: Record<string, unknown>,
  prefix: string,
  depth: number,
  out: Map<string, DecodedValue>,
) {
  for (const [key, value] of Object.entries(object)) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (value === null) continue;
    if (isPlainObject(value)) {
      if (depth + 1 > MAX_JSON_DEPTH) {
        throw new CodecError('too-deep', `JSON objects nested deeper than ${MAX_JSON_DEPTH} at "${name}"`);
      }
      if (isPosition(value)) put(out, name, checkPosition(name, value));
      else flatten(value, name, depth + 1, out);
    } else if (Array.isArray(value)) {
      if (!value.every((v) => typeof v === 'number')) {
        throw new CodecError('bad-value', `${name}: arrays may hold only numbers`);
      }
      put(
        out,
        name,
        value.map((v) => finite(name, v)),
      );
    } else if (typeof value === 'number') {
      put(out, name, finite(name, value));
    } else if (typeof value === 'string' || typeof value === 'boolean') {
      put(out, name, value);
    }
  }
}

function put(out: Map<string, DecodedValue>, name: string, value: DecodedValue): void {
  // {"a.b":1,"a":{"b":2}} would otherwise silently keep one of the two readings.
  if (out.has(name)) throw new CodecError('duplicate-field', `field "${name}" occurs twice`);
  if (out.size >= MAX_JSON_FIELDS) {
    throw new CodecError('too-many-fields', `JSON payload has more than ${MAX_JSON_FIELDS} fields`);
  }
  out.set(name, value);
}

/** JSON.parse turns 1e400 into Infinity, which no attribute can hold. */
function finite(name: string, value: number): number {
  if (!Number.isFinite(value)) throw new CodecError('bad-value', `${name}: number out of range`);
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Exactly lat and lon (and optionally alt), all numbers: anything more is an ordinary object. */
function isPosition(value: Record<string, unknown>): value is { lat: number; lon: number; alt?: number } {
  const keys = Object.keys(value);
  const allowed = keys.length === 2 || (keys.length === 3 && 'alt' in value);
  return (
    allowed &&
    typeof value.lat === 'number' &&
    typeof value.lon === 'number' &&
    (value.alt === undefined || typeof value.alt === 'number')
  );
}

/** UTF-8 length of a string without allocating its bytes (lone surrogates count as U+FFFD, 3 bytes). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
