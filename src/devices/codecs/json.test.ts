// The JSON codec: nested objects flatten to dotted names, positions stay whole, nulls are left
// out, and every limit (size, depth, field count) and every unsupported shape is a CodecError
// with its reason.
import { describe, expect, it } from 'vitest';
import { decodeJson, MAX_JSON_DEPTH, MAX_JSON_FIELDS } from './json.js';
import { reasonOf } from './testing.js';

const LIMIT = 64 * 1024;

/** An object nested `levels` deep, the innermost holding {v: 1}. */
function nested(levels: number): unknown {
  let value: unknown = { v: 1 };
  for (let i = 1; i < levels; i++) value = { n: value };
  return value;
}

describe('decodeJson', () => {
  it('flattens nested objects, keeps scalars, numeric arrays and positions', () => {
    const payload = {
      pm25: 12.5,
      ok: true,
      name: 'aq-1',
      env: { hum: 40, inner: { t: -3 } },
      acc: [0.1, -0.2, 9.81],
      where: { lat: 52.52, lon: 13.405 },
      up: { lat: -33.9, lon: 151.2, alt: 58 },
      missing: null,
    };
    expect(decodeJson(JSON.stringify(payload), LIMIT)).toEqual({
      pm25: 12.5,
      ok: true,
      name: 'aq-1',
      'env.hum': 40,
      'env.inner.t': -3,
      acc: [0.1, -0.2, 9.81],
      where: { lat: 52.52, lon: 13.405 },
      up: { lat: -33.9, lon: 151.2, alt: 58 },
    });
  });

  it('reads UTF-8 bytes the same as text', () => {
    const text = '{"straße":"grün","t":1}';
    expect(decodeJson(new TextEncoder().encode(text), LIMIT)).toEqual(decodeJson(text, LIMIT));
  });

  it('an object with more than lat/lon is an ordinary object', () => {
    expect(decodeJson('{"p":{"lat":1,"lon":2,"acc":5}}', LIMIT)).toEqual({
      'p.lat': 1,
      'p.lon': 2,
      'p.acc': 5,
    });
  });

  it('keeps "__proto__" as a plain field', () => {
    const decoded = decodeJson('{"__proto__":{"x":1},"y":2}', LIMIT);
    expect(Object.keys(decoded).sort()).toEqual(['__proto__.x', 'y']);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  });

  it('refuses what is not a JSON object', () => {
    expect(reasonOf(() => decodeJson('{"a":', LIMIT))).toBe('not-json');
    expect(reasonOf(() => decodeJson(Uint8Array.from([0x7b, 0xff, 0x7d]), LIMIT))).toBe('not-json');
    for (const text of ['[1,2]', '42', '"s"', 'null', 'true']) {
      expect(reasonOf(() => decodeJson(text, LIMIT))).toBe('not-object');
    }
  });

  it('refuses unsupported values', () => {
    expect(reasonOf(() => decodeJson('{"a":["x"]}', LIMIT))).toBe('bad-value');
    expect(reasonOf(() => decodeJson('{"a":[[1]]}', LIMIT))).toBe('bad-value');
    expect(reasonOf(() => decodeJson('{"a":1e400}', LIMIT))).toBe('bad-value');
    expect(reasonOf(() => decodeJson('{"a":{"lat":95,"lon":0}}', LIMIT))).toBe('bad-position');
  });

  it('refuses two sources of the same dotted name', () => {
    expect(reasonOf(() => decodeJson('{"a.b":1,"a":{"b":2}}', LIMIT))).toBe('duplicate-field');
  });

  it(`accepts depth ${MAX_JSON_DEPTH} and refuses depth ${MAX_JSON_DEPTH + 1}`, () => {
    const deepest = decodeJson(JSON.stringify(nested(MAX_JSON_DEPTH)), LIMIT);
    expect(Object.keys(deepest)).toEqual([`${'n.'.repeat(MAX_JSON_DEPTH - 1)}v`]);
    expect(reasonOf(() => decodeJson(JSON.stringify(nested(MAX_JSON_DEPTH + 1)), LIMIT))).toBe('too-deep');
    // A position one level too deep is refused too.
    const deepPos = JSON.stringify(nested(MAX_JSON_DEPTH + 1)).replace('{"v":1}', '{"lat":1,"lon":2}');
    expect(reasonOf(() => decodeJson(deepPos, LIMIT))).toBe('too-deep');
    // Pathologically deep input is refused, not a stack overflow.
    expect(reasonOf(() => decodeJson('{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000), LIMIT))).toBe(
      'too-deep',
    );
  });

  it(`accepts ${MAX_JSON_FIELDS} fields and refuses ${MAX_JSON_FIELDS + 1}`, () => {
    const fields = (n: number) =>
      JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i])));
    expect(Object.keys(decodeJson(fields(MAX_JSON_FIELDS), LIMIT))).toHaveLength(MAX_JSON_FIELDS);
    expect(reasonOf(() => decodeJson(fields(MAX_JSON_FIELDS + 1), LIMIT))).toBe('too-many-fields');
  });

  it('refuses a payload over the byte limit, counting UTF-8 bytes of text', () => {
    const text = `{"s":"${'x'.repeat(100)}"}`;
    expect(decodeJson(text, text.length)).toEqual({ s: 'x'.repeat(100) });
    expect(reasonOf(() => decodeJson(text, text.length - 1))).toBe('too-large');
    expect(reasonOf(() => decodeJson(new TextEncoder().encode(text), text.length - 1))).toBe('too-large');
    // 'é' is 2 bytes, '😀' 4: the text fits in characters but not in bytes.
    const wide = '{"s":"é😀"}';
    const bytes = new TextEncoder().encode(wide).length;
    expect(decodeJson(wide, bytes)).toEqual({ s: 'é😀' });
    expect(reasonOf(() => decodeJson(wide, bytes - 1))).toBe('too-large');
  });
});
