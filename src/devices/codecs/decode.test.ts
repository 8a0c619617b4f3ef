// The dispatcher: each kind reaches its codec, the size limit and the text/binary rule apply to
// all, and — the property that keeps ingest alive — no input whatever makes a codec throw anything
// but a CodecError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCayenneLpp } from './cayenne-lpp.js';
import { CodecError } from './codec-error.js';
import { decode, MAX_PAYLOAD_BYTES } from './decode.js';
import { LAYOUT_TYPE_SIZES, type CodecSpec, type LayoutFieldType } from './model.js';
import { reasonOf } from './testing.js';

const JSON_SPEC: CodecSpec = { kind: 'json' };
const LPP_SPEC: CodecSpec = { kind: 'cayenne-lpp' };
const LAYOUT_SPEC: CodecSpec = {
  kind: 'layout',
  fields: [
    { name: 'temp', type: 'int16', scale: 0.1 },
    { name: 'hum', type: 'uint8' },
  ],
  endian: 'big',
};

/** Runs `fn`; anything thrown must be a CodecError. */
function onlyCodecErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof CodecError)) throw err;
  }
}

describe('decode', () => {
  it('dispatches on the codec kind', () => {
    expect(decode(JSON_SPEC, '{"pm25":7}')).toEqual({ pm25: 7 });
    expect(decode(LPP_SPEC, encodeCayenneLpp([{ channel: 1, type: 'temperature', value: 21.5 }]))).toEqual({
      temperature_1: 21.5,
    });
    expect(decode(LAYOUT_SPEC, Uint8Array.from([0x01, 0x10, 0x28]))).toEqual({ temp: 27.2, hum: 40 });
  });

  it(`refuses payloads over ${MAX_PAYLOAD_BYTES} bytes for every kind`, () => {
    const big = new Uint8Array(MAX_PAYLOAD_BYTES + 1);
    for (const spec of [JSON_SPEC, LPP_SPEC, LAYOUT_SPEC])
      expect(reasonOf(() => decode(spec, big))).toBe('too-large');
    const json = `{"s":"${'x'.repeat(MAX_PAYLOAD_BYTES - 8)}"}`;
    expect(json.length).toBe(MAX_PAYLOAD_BYTES);
    expect(Object.keys(decode(JSON_SPEC, json))).toEqual(['s']);
    expect(reasonOf(() => decode(JSON_SPEC, json + ' '))).toBe('too-large');
  });

  it('gives text only to the JSON codec', () => {
    expect(reasonOf(() => decode(LPP_SPEC, '0367'))).toBe('not-binary');
    expect(reasonOf(() => decode(LAYOUT_SPEC, 'abc'))).toBe('not-binary');
  });

  it('refuses an unknown kind', () => {
    expect(reasonOf(() => decode({ kind: 'xml' } as unknown as CodecSpec, '{}'))).toBe('bad-spec');
  });
});

const layoutSpecArb: fc.Arbitrary<CodecSpec> = fc.record({
  kind: fc.constant('layout' as const),
  endian: fc.constantFrom('big' as const, 'little' as const),
  fields: fc
    .uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 })
    .chain((names) =>
      fc.tuple(
        ...names.map((name) =>
          fc
            .constantFrom(...(Object.keys(LAYOUT_TYPE_SIZES) as LayoutFieldType[]))
            .map((type) => (type === 'bool' ? { name, type } : { name, type, scale: 0.1, offset: 1 })),
        ),
      ),
    ),
});

/** Bytes shaped like Cayenne LPP (known type ids, often the right lengths) to reach deep into the decoder. */
const lppLikeArb = fc
  .array(
    fc.tuple(
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom(0, 1, 2, 3, 101, 102, 103, 104, 113, 115, 134, 136, 200),
      fc.uint8Array({ maxLength: 10 }),
    ),
    { maxLength: 8 },
  )
  .map((items) => Uint8Array.from(items.flatMap(([ch, type, data]) => [ch, type, ...data])));

describe('robustness (properties)', () => {
  it('random bytes: every codec returns or throws a CodecError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), layoutSpecArb, (bytes, layout) => {
        for (const spec of [JSON_SPEC, LPP_SPEC, layout]) onlyCodecErrors(() => decode(spec, bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('Cayenne-shaped bytes: decoded or a CodecError', () => {
    fc.assert(
      fc.property(lppLikeArb, (bytes) => onlyCodecErrors(() => decode(LPP_SPEC, bytes))),
      { numRuns: 500 },
    );
  });

  it('layouts fed bytes of exactly their length always decode to their fields', () => {
    fc.assert(
      fc.property(
        layoutSpecArb.chain((spec) => {
          const size =
            spec.kind === 'layout' ? spec.fields.reduce((n, f) => n + LAYOUT_TYPE_SIZES[f.type], 0) : 0;
          return fc.tuple(fc.constant(spec), fc.uint8Array({ minLength: size, maxLength: size }));
        }),
        ([spec, bytes]) => {
          try {
            const decoded = decode(spec, bytes);
            if (spec.kind === 'layout')
              expect(Object.keys(decoded).sort()).toEqual(spec.fields.map((f) => f.name).sort());
          } catch (err) {
            // Only a NaN/Infinity float may be refused.
            expect(err).toBeInstanceOf(CodecError);
            expect((err as CodecError).reason).toBe('bad-value');
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random strings and random JSON: decoded or a CodecError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.json({ maxDepth: 12 })), (text) => {
        onlyCodecErrors(() => decode(JSON_SPEC, text));
        onlyCodecErrors(() => decode(JSON_SPEC, new TextEncoder().encode(text)));
      }),
      { numRuns: 1000 },
    );
  });

  it('any JSON object of numbers decodes to all of its values', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true })),
        (object) => {
          const decoded = decode(JSON_SPEC, JSON.stringify(object));
          // JSON writes -0 as 0.
          expect(decoded).toEqual(
            Object.fromEntries(Object.entries(object).map(([k, v]) => [k, v === 0 ? 0 : v])),
          );
        },
      ),
    );
  });
});
