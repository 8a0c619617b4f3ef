// Codec declarations from a profile: the three kinds are accepted, and every malformed layout is
// refused with a message naming the member at fault.
import { describe, expect, it } from 'vitest';
import { CodecError } from './codec-error.js';
import { parseCodecSpec } from './spec.js';

function refusal(value: unknown): CodecError {
  try {
    parseCodecSpec(value);
  } catch (err) {
    expect(err).toBeInstanceOf(CodecError);
    expect((err as CodecError).reason).toBe('bad-spec');
    return err as CodecError;
  }
  throw new Error('expected a CodecError');
}

describe('parseCodecSpec', () => {
  it('accepts the three kinds; a layout defaults to big-endian', () => {
    expect(parseCodecSpec({ kind: 'json' })).toEqual({ kind: 'json' });
    expect(parseCodecSpec({ kind: 'cayenne-lpp' })).toEqual({ kind: 'cayenne-lpp' });
    const layout = {
      kind: 'layout',
      fields: [
        { name: 'temp', type: 'int16', scale: 0.1 },
        { name: 'hum', type: 'uint8' },
      ],
    };
    expect(parseCodecSpec(layout)).toEqual({ ...layout, endian: 'big' });
    expect(parseCodecSpec({ ...layout, endian: 'little' })).toEqual({ ...layout, endian: 'little' });
  });

  it('refuses malformed declarations, naming the member', () => {
    expect(refusal(null).message).toMatch(/object/);
    expect(refusal({ kind: 'xml' }).message).toMatch(/codec.kind/);
    expect(refusal({ kind: 'json', extra: 1 }).message).toMatch(/"extra"/);
    expect(refusal({ kind: 'layout', fields: [] }).message).toMatch(/codec.fields/);
    expect(refusal({ kind: 'layout', fields: [{ name: 'a', type: 'u8' }] }).message).toMatch(
      /fields\[0\].type/,
    );
    expect(refusal({ kind: 'layout', fields: [{ name: '', type: 'uint8' }] }).message).toMatch(
      /fields\[0\].name/,
    );
    expect(
      refusal({
        kind: 'layout',
        fields: [
          { name: 'a', type: 'uint8' },
          { name: 'a', type: 'int8' },
        ],
      }).message,
    ).toMatch(/declared twice/);
    expect(refusal({ kind: 'layout', fields: [{ name: 'a', type: 'bool', scale: 2 }] }).message).toMatch(
      /bool/,
    );
    expect(refusal({ kind: 'layout', fields: [{ name: 'a', type: 'int8', scale: 0 }] }).message).toMatch(
      /scale/,
    );
    expect(refusal({ kind: 'layout', fields: [{ name: 'a', type: 'int8', offset: '1' }] }).message).toMatch(
      /offset/,
    );
    expect(
      refusal({ kind: 'layout', fields: [{ name: 'a', type: 'int8' }], endian: 'middle' }).message,
    ).toMatch(/endian/);
    expect(refusal({ kind: 'layout', fields: [{ name: 'a', type: 'int8', unit: 'C' }] }).message).toMatch(
      /"unit"/,
    );
  });
});
