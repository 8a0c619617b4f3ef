/**
 * Cayenne Low Power Payload (LPP) v1, the compact format many LoRaWAN sensors send: a sequence of
 * items, each `channel (1 byte) · type (1 byte) · data (size fixed by the type)`, big-endian. Types
 * are IPSO Smart Object ids minus 3200. Decoded field names are `<type name>_<channel>`, the names
 * The Things Stack and ChirpStack give them (`temperature_3`, `gps_1`), so a profile written for
 * those servers' decoded payloads maps the same fields here.
 *
 * | type | name                | bytes | per bit                         | decoded as    |
 * | ---- | ------------------- | ----- | ------------------------------- | ------------- |
 * | 0    | digital_in          | 1     | 1, unsigned                     | number        |
 * | 1    | digital_out         | 1     | 1, unsigned                     | number        |
 * | 2    | analog_in           | 2     | 0.01, signed                    | number        |
 * | 3    | analog_out          | 2     | 0.01, signed                    | number        |
 * | 101  | luminosity          | 2     | 1 lux, unsigned                 | number        |
 * | 102  | presence            | 1     | 1, unsigned                     | number        |
 * | 103  | temperature         | 2     | 0.1 °C, signed                  | number        |
 * | 104  | relative_humidity   | 1     | 0.5 %, unsigned                 | number        |
 * | 113  | accelerometer       | 6     | 0.001 G, signed, x y z          | [x, y, z]     |
 * | 115  | barometric_pressure | 2     | 0.1 hPa, unsigned               | number        |
 * | 134  | gyrometer           | 6     | 0.01 °/s, signed, x y z         | [x, y, z]     |
 * | 136  | gps                 | 9     | lat, lon 0.0001° / alt 0.01 m, each signed 24-bit | {lat, lon, alt} |
 *
 * Values are raw ÷ 10ⁿ rather than raw × 0.1ⁿ so that 272 reads as 27.2, not 27.200000000000003.
 * An unknown type ends decoding with 'unknown-type': the item's size is unknown, so nothing after it
 * can be read safely. The same field twice in one payload is refused rather than one reading lost.
 */
import { CodecError } from './codec-error.js';
import type { Decoded, DecodedValue, Position } from './model.js';
import { checkPosition } from './position.js';

export type CayenneTypeName =
  | 'digital_in'
  | 'digital_out'
  | 'analog_in'
  | 'analog_out'
  | 'luminosity'
  | 'presence'
  | 'temperature'
  | 'relative_humidity'
  | 'accelerometer'
  | 'barometric_pressure'
  | 'gyrometer'
  | 'gps';

/** One reading to encode. Scalars take a number, accelerometer/gyrometer [x, y, z], gps a position. */
export interface CayenneItem {
  channel: number;
  type: CayenneTypeName;
  value: number | number[] | Position;
}

/** How a type's data is laid out: `count` signed/unsigned integers of `bytes` each, ÷ `divisor`. */
interface Shape {
  id: number;
  bytes: number;
  count: number;
  signed: boolean;
  divisor: number;
  kind: 'scalar' | 'vector' | 'gps';
}

const SHAPES: Readonly<Record<CayenneTypeName, Shape>> = {
  digital_in: { id: 0, bytes: 1, count: 1, signed: false, divisor: 1, kind: 'scalar' },
  digital_out: { id: 1, bytes: 1, count: 1, signed: false, divisor: 1, kind: 'scalar' },
  analog_in: { id: 2, bytes: 2, count: 1, signed: true, divisor: 100, kind: 'scalar' },
  analog_out: { id: 3, bytes: 2, count: 1, signed: true, divisor: 100, kind: 'scalar' },
  luminosity: { id: 101, bytes: 2, count: 1, signed: false, divisor: 1, kind: 'scalar' },
  presence: { id: 102, bytes: 1, count: 1, signed: false, divisor: 1, kind: 'scalar' },
  temperature: { id: 103, bytes: 2, count: 1, signed: true, divisor: 10, kind: 'scalar' },
  relative_humidity: { id: 104, bytes: 1, count: 1, signed: false, divisor: 2, kind: 'scalar' },
  accelerometer: { id: 113, bytes: 2, count: 3, signed: true, divisor: 1000, kind: 'vector' },
  barometric_pressure: { id: 115, bytes: 2, count: 1, signed: false, divisor: 10, kind: 'scalar' },
  gyrometer: { id: 134, bytes: 2, count: 3, signed: true, divisor: 100, kind: 'vector' },
  // Divisor for lat/lon; altitude is in hundredths (GPS_ALT_DIVISOR).
  gps: { id: 136, bytes: 3, count: 3, signed: true, divisor: 10_000, kind: 'gps' },
};
const GPS_ALT_DIVISOR = 100;

const BY_ID: ReadonlyMap<number, [CayenneTypeName, Shape]> = new Map(
  (Object.entries(SHAPES) as [CayenneTypeName, Shape][]).map(([name, shape]) => [shape.id, [name, shape]]),
);

/** Decodes a Cayenne LPP payload into `<type>_<channel>` fields. An empty payload decodes to {}. */
export function decodeCayenneLpp(bytes: Uint8Array): Decoded {
  const out = new Map<string, DecodedValue>();
  let at = 0;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) {
      throw new CodecError('truncated', `Cayenne LPP: item header at byte ${at} is cut off`);
    }
    const channel = bytes[at]!;
    const typeId = bytes[at + 1]!;
    const entry = BY_ID.get(typeId);
    if (entry === undefined) {
      throw new CodecError('unknown-type', `Cayenne LPP: unknown type ${typeId} at byte ${at + 1}`);
    }
    const [name, shape] = entry;
    const start = at + 2;
    const end = start + shape.bytes * shape.count;
    if (end > bytes.length) {
      throw new CodecError(
        'truncated',
        `Cayenne LPP: ${name} on channel ${channel} needs ${end - start} bytes`,
      );
    }
    const raw: number[] = [];
    for (let p = start; p < end; p += shape.bytes) raw.push(readInt(bytes, p, shape.bytes, shape.signed));
    const field = `${name}_${channel}`;
    if (out.has(field)) throw new CodecError('duplicate-field', `Cayenne LPP: ${field} occurs twice`);
    out.set(field, toValue(field, shape, raw));
    at = end;
  }
  return Object.fromEntries(out);
}

function toValue(field: string, shape: Shape, raw: number[]): DecodedValue {
  switch (shape.kind) {
    case 'scalar':
      return raw[0]! / shape.divisor;
    case 'vector':
      return raw.map((r) => r / shape.divisor);
    case 'gps':
      return checkPosition(field, {
        lat: raw[0]! / shape.divisor,
        lon: raw[1]! / shape.divisor,
        alt: raw[2]! / GPS_ALT_DIVISOR,
      });
  }
}

/**
 * Encodes readings as a Cayenne LPP payload (for tests and the device simulator). Values are
 * rounded to the type's resolution; a value that does not fit its type, a channel outside 0–255,
 * or a value of the wrong shape throws a CodecError ('out-of-range' or 'bad-value').
 */
export function encodeCayenneLpp(items: readonly CayenneItem[]): Uint8Array {
  const chunks: number[] = [];
  for (const item of items) {
    // hasOwn: a type named "toString" must not find Object.prototype's.
    const shape = Object.hasOwn(SHAPES, item.type) ? SHAPES[item.type] : undefined;
    if (shape === undefined) throw new CodecError('unknown-type', `Cayenne LPP: unknown type "${item.type}"`);
    if (!Number.isInteger(item.channel) || item.channel < 0 || item.channel > 255) {
      throw new CodecError('out-of-range', `Cayenne LPP: channel ${item.channel} is not 0–255`);
    }
    const field = `${item.type}_${item.channel}`;
    chunks.push(item.channel, shape.id);
    for (const [value, divisor] of scaledParts(field, shape, item.value)) {
      const raw = Math.round(value * divisor);
      const bits = shape.bytes * 8;
      const [min, max] = shape.signed ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
      if (!(raw >= min && raw <= max)) {
        throw new CodecError('out-of-range', `Cayenne LPP: ${field} value ${value} does not fit its type`);
      }
      for (let b = shape.bytes - 1; b >= 0; b--) chunks.push(Math.floor(raw / 2 ** (8 * b)) & 0xff);
    }
  }
  return Uint8Array.from(chunks);
}

/** The numbers an item's value is written as, each with the divisor of its resolution. */
function scaledParts(field: string, shape: Shape, value: CayenneItem['value']): [number, number][] {
  const bad = (what: string) => new CodecError('bad-value', `Cayenne LPP: ${field} takes ${what}`);
  const finite = (v: unknown): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw bad('finite numbers');
    return v;
  };
  switch (shape.kind) {
    case 'scalar':
      return [[finite(value), shape.divisor]];
    case 'vector':
      if (!Array.isArray(value) || value.length !== 3) throw bad('[x, y, z]');
      return value.map((v) => [finite(v), shape.divisor]);
    case 'gps': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('{lat, lon, alt?}');
      const p = checkPosition(field, value);
      return [
        [finite(p.lat), shape.divisor],
        [finite(p.lon), shape.divisor],
        [finite(p.alt ?? 0), GPS_ALT_DIVISOR],
      ];
    }
  }
}

/** A big-endian integer of 1–3 bytes (all LPP v1 uses), two's complement when signed. */
function readInt(bytes: Uint8Array, at: number, size: number, signed: boolean): number {
  let value = 0;
  for (let i = 0; i < size; i++) value = value * 256 + bytes[at + i]!;
  const bits = size * 8;
  return signed && value >= 2 ** (bits - 1) ? value - 2 ** bits : value;
}
