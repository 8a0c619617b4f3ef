import { describe, expect, it } from 'vitest';
import { parseTemporal } from './temporal-literal.js';

describe('parseTemporal — clause 4.6.3', () => {
  it('date-times, with or without offset and fraction', () => {
    expect(parseTemporal('2017-12-24T12:00:00Z')).toEqual({
      shape: 'instant',
      epochMs: Date.UTC(2017, 11, 24, 12),
    });
    expect(parseTemporal('2017-12-24T12:00:00')).toEqual({
      shape: 'instant',
      epochMs: Date.UTC(2017, 11, 24, 12),
    });
    expect(parseTemporal('2017-12-24T12:00Z')?.epochMs).toBe(Date.UTC(2017, 11, 24, 12));
    expect(parseTemporal('2017-12-24T13:30:00+01:30')?.epochMs).toBe(Date.UTC(2017, 11, 24, 12));
    expect(parseTemporal('2017-12-24T10:00:00-0200')?.epochMs).toBe(Date.UTC(2017, 11, 24, 12));
    expect(parseTemporal('2017-12-24T12:00:00.123456Z')?.epochMs).toBe(Date.UTC(2017, 11, 24, 12, 0, 0, 123));
    expect(parseTemporal('0050-01-01T00:00:00Z')?.epochMs).toBe(new Date('0050-01-01T00:00:00Z').getTime());
  });

  it('dates at UTC midnight and times of day', () => {
    expect(parseTemporal('2020-02-29')).toEqual({ shape: 'instant', epochMs: Date.UTC(2020, 1, 29) });
    expect(parseTemporal('12:30:00Z')).toEqual({ shape: 'time', epochMs: 45_000_000 });
    expect(parseTemporal('01:00:00+02:00')).toEqual({ shape: 'time', epochMs: 23 * 3_600_000 });
    expect(parseTemporal('08:30')).toEqual({ shape: 'time', epochMs: 30_600_000 });
  });

  it.each([
    '2021-02-29',
    '2017-13-01',
    '2017-00-10',
    '2017-12-32',
    '2017-12-24T24:00:00Z',
    '2017-12-24T12:60:00Z',
    '2017-12-24T12:00:60Z',
    '2017-12-24T12:00:00+25:00',
    '2017-12-24 12:00:00Z',
    '12:00:00ZZ',
    'yesterday',
    '',
    '2017-12-24T12:00:00.Z',
  ])('refuses %j', (text) => {
    expect(parseTemporal(text)).toBeUndefined();
  });
});
