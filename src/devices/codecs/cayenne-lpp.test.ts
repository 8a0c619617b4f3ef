// Cayenne LPP: the examples of the format's documentation and of The Things Stack decode to the
// values they document, every item type round-trips through the encoder, and broken payloads are
// refused with the reason that names what is wrong.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCayenneLpp, encodeCayenneLpp, type CayenneItem, type CayenneTypeName } from './cayenne-lpp.js';
import { hex, reasonOf } from './testing.js';

describe('decodeCayenneLpp: documented vectors', () => {
  it('two temperatures (LPP README, TTS docs)', () => {
    expect(decodeCayenneLpp(hex('03 67 01 10 05 67 00 FF'))).toEqual({
      temperature_3: 27.2,
      temperature_5: 25.5,
    });
  });

  it('barometer and temperature (TTS docs, base64 AHMnvwBnAN4=)', () => {
    expect(decodeCayenneLpp(Buffer.from('AHMnvwBnAN4=', 'base64'))).toEqual({
      barometric_pressure_0: 1017.5,
      temperature_0: 22.2,
    });
  });

  it('accelerometer (LPP README)', () => {
    expect(decodeCayenneLpp(hex('06 71 04 D2 FB 2E 00 00'))).toEqual({ accelerometer_6: [1.234, -1.234, 0] });
  });

  it('GPS (LPP README)', () => {
    expect(decodeCayenneLpp(hex('01 88 06 76 5F F2 96 0A 00 03 E8'))).toEqual({
      gps_1: { lat: 42.3519, lon: -87.9094, alt: 10 },
    });
  });

  it('every other type, with signs and resolutions', () => {
    const payload = hex(
      [
        '01 00 01', // digital_in_1 = 1
        '02 01 00', // digital_out_2 = 0
        '03 02 FF 9C', // analog_in_3 = -1.00
        '04 03 01 2C', // analog_out_4 = 3.00
        '05 65 FF FF', // luminosity_5 = 65535 lux (unsigned)
        '06 66 01', // presence_6 = 1
        '07 67 FF D7', // temperature_7 = -4.1
        '08 68 61', // relative_humidity_8 = 48.5 %
        '09 86 00 64 FF 9C 00 00', // gyrometer_9 = [1, -1, 0] °/s
        '0A 73 FF FF', // barometric_pressure_10 = 6553.5 (unsigned)
      ].join(''),
    );
    expect(decodeCayenneLpp(payload)).toEqual({
      digital_in_1: 1,
      digital_out_2: 0,
      analog_in_3: -1,
      analog_out_4: 3,
      luminosity_5: 65535,
      presence_6: 1,
      temperature_7: -4.1,
      relative_humidity_8: 48.5,
      gyrometer_9: [1, -1, 0],
      barometric_pressure_10: 6553.5,
    });
  });

  it('an empty payload decodes to no fields', () => {
    expect(decodeCayenneLpp(new Uint8Array())).toEqual({});
  });
});

describe('decodeCayenneLpp: refusals', () => {
  it('a cut-off header or item is truncated', () => {
    expect(reasonOf(() => decodeCayenneLpp(hex('03')))).toBe('truncated');
    expect(reasonOf(() => decodeCayenneLpp(hex('03 67 01')))).toBe('truncated');
    expect(reasonOf(() => decodeCayenneLpp(hex('03 67 01 10 01 88 00 00 00 00 00')))).toBe('truncated');
  });

  it('an unknown type', () => {
    expect(reasonOf(() => decodeCayenneLpp(hex('03 67 01 10 01 FE 00')))).toBe('unknown-type');
  });

  it('the same field twice', () => {
    expect(reasonOf(() => decodeCayenneLpp(hex('03 67 01 10 03 67 00 FF')))).toBe('duplicate-field');
  });

  it('a GPS position off the globe', () => {
    // lat 0x7FFFFF = 838.8607°
    expect(reasonOf(() => decodeCayenneLpp(hex('01 88 7F FF FF 00 00 00 00 00 00')))).toBe('bad-position');
  });
});

describe('encodeCayenneLpp', () => {
  it('writes the documented bytes', () => {
    const bytes = encodeCayenneLpp([
      { channel: 3, type: 'temperature', value: 27.2 },
      { channel: 5, type: 'temperature', value: 25.5 },
    ]);
    expect(Buffer.from(bytes).toString('hex')).toBe('03670110056700ff');
    expect(
      Buffer.from(
        encodeCayenneLpp([{ channel: 1, type: 'gps', value: { lat: 42.3519, lon: -87.9094, alt: 10 } }]),
      ).toString('hex'),
    ).toBe('018806765ff2960a0003e8');
  });

  it('refuses values that do not fit, bad channels and wrong shapes', () => {
    expect(reasonOf(() => encodeCayenneLpp([{ channel: 1, type: 'temperature', value: 3276.8 }]))).toBe(
      'out-of-range',
    );
    expect(reasonOf(() => encodeCayenneLpp([{ channel: 1, type: 'luminosity', value: -1 }]))).toBe(
      'out-of-range',
    );
    expect(reasonOf(() => encodeCayenneLpp([{ channel: 256, type: 'presence', value: 1 }]))).toBe(
      'out-of-range',
    );
    expect(reasonOf(() => encodeCayenneLpp([{ channel: 1, type: 'presence', value: NaN }]))).toBe(
      'bad-value',
    );
    expect(reasonOf(() => encodeCayenneLpp([{ channel: 1, type: 'accelerometer', value: [1, 2] }]))).toBe(
      'bad-value',
    );
    expect(reasonOf(() => encodeCayenneLpp([{ channel: 1, type: 'gps', value: { lat: 91, lon: 0 } }]))).toBe(
      'bad-position',
    );
    expect(
      reasonOf(() => encodeCayenneLpp([{ channel: 1, type: 'nope' as CayenneTypeName, value: 1 }])),
    ).toBe('unknown-type');
    expect(
      reasonOf(() => encodeCayenneLpp([{ channel: 1, type: 'toString' as CayenneTypeName, value: 1 }])),
    ).toBe('unknown-type');
  });
});

/** Per type: the raw integer range on the wire and the divisor of its resolution. */
const RAW: Record<Exclude<CayenneTypeName, 'gps'>, [min: number, max: number, divisor: number]> = {
  digital_in: [0, 255, 1],
  digital_out: [0, 255, 1],
  analog_in: [-32768, 32767, 100],
  analog_out: [-32768, 32767, 100],
  luminosity: [0, 65535, 1],
  presence: [0, 255, 1],
  temperature: [-32768, 32767, 10],
  relative_humidity: [0, 255, 2],
  accelerometer: [-32768, 32767, 1000],
  barometric_pressure: [0, 65535, 10],
  gyrometer: [-32768, 32767, 100],
};

const scaledInt = (min: number, max: number, divisor: number) =>
  fc.integer({ min, max }).map((raw) => raw / divisor);

const valueFor = (type: CayenneTypeName): fc.Arbitrary<CayenneItem['value']> => {
  if (type === 'gps') {
    return fc.record({
      lat: scaledInt(-900_000, 900_000, 10_000),
      lon: scaledInt(-1_800_000, 1_800_000, 10_000),
      alt: scaledInt(-(2 ** 23), 2 ** 23 - 1, 100),
    });
  }
  const [min, max, divisor] = RAW[type];
  const one = scaledInt(min, max, divisor);
  return type === 'accelerometer' || type === 'gyrometer' ? fc.tuple(one, one, one) : one;
};

const itemArb: fc.Arbitrary<CayenneItem> = fc
  .record({
    channel: fc.integer({ min: 0, max: 255 }),
    type: fc.constantFrom(...(Object.keys(RAW) as CayenneTypeName[]), 'gps'),
  })
  .chain(({ channel, type }) => valueFor(type).map((value) => ({ channel, type, value })));

describe('round trip', () => {
  it('decode(encode(items)) gives back every item under <type>_<channel>', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(itemArb, { selector: (i) => `${i.type}_${i.channel}`, maxLength: 20 }),
        (items) => {
          const decoded = decodeCayenneLpp(encodeCayenneLpp(items));
          expect(decoded).toEqual(Object.fromEntries(items.map((i) => [`${i.type}_${i.channel}`, i.value])));
        },
      ),
    );
  });
});
