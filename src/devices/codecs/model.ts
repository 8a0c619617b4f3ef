/**
 * What a codec produces and how a device profile declares its codec. Decoded payloads are flat:
 * field name → value, so a profile's mapping can name a field with one string ("pm25",
 * "temperature_1", "env.hum") whatever the wire format was.
 */

/** A position as devices report it (WGS 84 degrees; altitude in metres when known). */
export interface Position {
  lat: number;
  lon: number;
  alt?: number;
}

/** One decoded field's value. Arrays are numeric (e.g. an accelerometer's x, y, z). */
export type DecodedValue = number | string | boolean | Position | number[];

/** A decoded payload: flat field name → value. */
export type Decoded = Record<string, DecodedValue>;

/** The wire types a binary layout can declare, each of a fixed size (see LAYOUT_TYPE_SIZES). */
export type LayoutFieldType =
  'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64' | 'bool';

/** Bytes each layout type occupies. */
export const LAYOUT_TYPE_SIZES: Readonly<Record<LayoutFieldType, number>> = {
  int8: 1,
  uint8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  float32: 4,
  float64: 8,
  bool: 1,
};

/** One field of a fixed layout: decoded value = raw × scale + offset (numbers only; bool is raw ≠ 0). */
export interface LayoutField {
  name: string;
  type: LayoutFieldType;
  scale?: number;
  offset?: number;
}

export interface JsonCodecSpec {
  kind: 'json';
}

export interface CayenneLppCodecSpec {
  kind: 'cayenne-lpp';
}

/** Raw bytes in a declared, fixed order: the fields back to back, no padding. */
export interface LayoutCodecSpec {
  kind: 'layout';
  fields: LayoutField[];
  endian: 'big' | 'little';
}

export type CodecSpec = JsonCodecSpec | CayenneLppCodecSpec | LayoutCodecSpec;
