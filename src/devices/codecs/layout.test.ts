// The layout codec: both byte orders, every type, scale and offset, and a payload of the wrong
// length refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLayout, layoutSize } from './layout.js';
import type { LayoutCodecSpec } from './model.js';
import { reasonOf } from './testing.js';

const fields: LayoutCodecSpec['fields'] = [
  { name: 'temp', type: 'int16', scale: 0.1 },
  { name: 'hum', type: 'uint8' },
  { name: 'i8', type: 'int8' },
  { name: 'u16', type: 'uint16' },
  { name: 'i32', type: 'int32' },
  { name: 'u32', type: 'uint32' },
  { name: 'f32', type: 'float32' },
  { name: 'f64', type: 'float64' },
  { name: 'on', type: 'bool' },
  { name: 'level', type: 'uint16', scale: 0.5, offset: -10 },
];

/** The same values written in the given byte order. */
function frame(littleEndian: boolean): Uint8Array {
  const bytes = new Uint8Array(30);
  const v = new DataView(bytes.buffer);
  v.setInt16(0, -41, littleEndian);
  v.setUint8(2, 200);
  v.setInt8(3, -128);
  v.setUint16(4, 65535, littleEndian);
  v.setInt32(6, -2_000_000_000, littleEndian);
  v.setUint32(10, 4_000_000_000, littleEndian);
  v.setFloat32(14, 1.5, littleEndian);
  v.setFloat64(18, -1234.5678, littleEndian);
  v.setUint8(26, 7);
  v.setUint16(27, 50, littleEndian);
  return bytes.subarray(0, 29);
}

const expected = {
  temp: -4.1,
  hum: 200,
  i8: -128,
  u16: 65535,
  i32: -2_000_000_000,
  u32: 4_000_000_000,
  f32: 1.5,
  f64: -1234.5678,
  on: true,
  level: 15,
};

describe('decodeLayout', () => {
  it('sizes a layout as its fields back to back', () => {
    expect(layoutSize({ kind: 'layout', fields, endian: 'big' })).toBe(29);
  });

  it('decodes big-endian', () => {
    expect(decodeLayout(frame(false), { kind: 'layout', fields, endian: 'big' })).toEqual(expected);
  });

  it('decodes little-endian', () => {
    expect(decodeLayout(frame(true), { kind: 'layout', fields, endian: 'little' })).toEqual(expected);
  });

  it('the byte order matters', () => {
    const spec: LayoutCodecSpec = { kind: 'layout', fields: [{ name: 'n', type: 'uint16' }], endian: 'big' };
    expect(decodeLayout(Uint8Array.from([0x01, 0x02]), spec)).toEqual({ n: 0x0102 });
    expect(decodeLayout(Uint8Array.from([0x01, 0x02]), { ...spec, endian: 'little' })).toEqual({ n: 0x0201 });
  });

  it('reads a view into a larger buffer at its own offset', () => {
    const backing = Uint8Array.from([0xaa, 0x00, 0x2a, 0xbb]);
    const spec: LayoutCodecSpec = { kind: 'layout', fields: [{ name: 'n', type: 'uint16' }], endian: 'big' };
    expect(decodeLayout(backing.subarray(1, 3), spec)).toEqual({ n: 42 });
  });

  it('refuses a payload shorter or longer than the layout', () => {
    const spec: LayoutCodecSpec = { kind: 'layout', fields, endian: 'big' };
    expect(reasonOf(() => decodeLayout(frame(false).subarray(0, 28), spec))).toBe('bad-layout');
    expect(reasonOf(() => decodeLayout(new Uint8Array(30), spec))).toBe('bad-layout');
  });

  it('keeps a field named "__proto__" as a plain field', () => {
    const spec: LayoutCodecSpec = {
      kind: 'layout',
      fields: [{ name: '__proto__', type: 'uint8' }],
      endian: 'big',
    };
    const decoded = decodeLayout(Uint8Array.from([5]), spec);
    expect(Object.keys(decoded)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  });

  it('refuses NaN and infinite floats', () => {
    const spec: LayoutCodecSpec = { kind: 'layout', fields: [{ name: 'f', type: 'float32' }], endian: 'big' };
    expect(reasonOf(() => decodeLayout(Uint8Array.from([0x7f, 0xc0, 0, 0]), spec))).toBe('bad-value');
    expect(reasonOf(() => decodeLayout(Uint8Array.from([0x7f, 0x80, 0, 0]), spec))).toBe('bad-value');
  });

  it('refuses an invalid spec', () => {
    const bad = {
      kind: 'layout',
      fields: [{ name: 'a', type: 'int24' }],
      endian: 'big',
    } as unknown as LayoutCodecSpec;
    expect(reasonOf(() => decodeLayout(new Uint8Array(3), bad))).toBe('bad-spec');
  });

  it('applies scale then offset to every integer (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -32768, max: 32767 }),
        fc.constantFrom(1, 0.1, 0.01, 0.5, 2, 3),
        fc.integer({ min: -100, max: 100 }),
        fc.boolean(),
        (raw, scale, offset, little) => {
          const bytes = new Uint8Array(2);
          new DataView(bytes.buffer).setInt16(0, raw, little);
          const spec: LayoutCodecSpec = {
            kind: 'layout',
            fields: [{ name: 'x', type: 'int16', scale, offset }],
            endian: little ? 'little' : 'big',
          };
          const { x } = decodeLayout(bytes, spec) as { x: number };
          expect(x).toBeCloseTo(raw * scale + offset, 9);
        },
      ),
    );
  });
});
