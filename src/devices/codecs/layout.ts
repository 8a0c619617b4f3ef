/**
 * The layout codec, for devices whose firmware sends a fixed struct: the declared fields back to
 * back, no padding, all in one byte order. Each numeric field decodes as raw × scale + offset;
 * a bool is one byte, true when not zero. A payload whose length is not exactly the layout's is
 * refused ('bad-layout'): a shorter or longer frame means another firmware version or a corrupted
 * frame, and reading it by the wrong layout would store plausible nonsense.
 */
import { CodecError } from './codec-error.js';
import {
  LAYOUT_TYPE_SIZES,
  type Decoded,
  type DecodedValue,
  type LayoutCodecSpec,
  type LayoutField,
} from './model.js';
import { checkLayoutSpec } from './spec.js';

/** Bytes a payload of this layout has. */
export function layoutSize(spec: LayoutCodecSpec): number {
  return spec.fields.reduce((sum, f) => sum + (LAYOUT_TYPE_SIZES[f.type] ?? 0), 0);
}

/** Decodes `bytes` by `spec`; CodecError 'bad-spec' for an invalid spec, 'bad-layout' for a wrong length. */
export function decodeLayout(bytes: Uint8Array, spec: LayoutCodecSpec): Decoded {
  checkLayoutSpec(spec);
  const size = layoutSize(spec);
  if (bytes.byteLength !== size) {
    throw new CodecError('bad-layout', `layout expects ${size} bytes, payload has ${bytes.byteLength}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = spec.endian === 'little';
  const out = new Map<string, DecodedValue>();
  let at = 0;
  for (const field of spec.fields) {
    if (field.type === 'bool') out.set(field.name, view.getUint8(at) !== 0);
    else {
      const raw = read(view, at, field.type, little);
      // Float payloads can carry NaN or ±Infinity; no attribute can hold them.
      if (!Number.isFinite(raw)) throw new CodecError('bad-value', `${field.name}: not a finite number`);
      out.set(field.name, scaled(raw, field));
    }
    at += LAYOUT_TYPE_SIZES[field.type];
  }
  // fromEntries defines own properties, so a field named "__proto__" stays a plain field.
  return Object.fromEntries(out);
}

function read(
  view: DataView,
  at: number,
  type: Exclude<LayoutField['type'], 'bool'>,
  little: boolean,
): number {
  switch (type) {
    case 'int8':
      return view.getInt8(at);
    case 'uint8':
      return view.getUint8(at);
    case 'int16':
      return view.getInt16(at, little);
    case 'uint16':
      return view.getUint16(at, little);
    case 'int32':
      return view.getInt32(at, little);
    case 'uint32':
      return view.getUint32(at, little);
    case 'float32':
      return view.getFloat32(at, little);
    case 'float64':
      return view.getFloat64(at, little);
  }
}

/**
 * raw × scale + offset. A scale of 1/n (0.1, 0.01, 0.5 …) is applied as raw ÷ n, because 272 × 0.1
 * is 27.200000000000003 in binary floating point while 272 ÷ 10 is 27.2.
 */
function scaled(raw: number, field: LayoutField): number {
  const scale = field.scale ?? 1;
  const offset = field.offset ?? 0;
  const inverse = 1 / scale;
  const divisor = Math.round(inverse);
  const value =
    scale < 1 && divisor !== 0 && Math.abs(inverse - divisor) < 1e-9 ? raw / divisor : raw * scale;
  return value + offset;
}
