import { describe, expect, it } from 'vitest';
import { ago, freshness } from '../../web/src/lib/freshness.js';
import { formatNumber, formatValue, unitSymbol } from '../../web/src/lib/units.js';

describe('units', () => {
  it('maps UN/CEFACT codes to symbols, keeping unknown codes', () => {
    expect(unitSymbol('GQ')).toBe('µg/m³');
    expect(unitSymbol('CEL')).toBe('°C');
    expect(unitSymbol('2N')).toBe('dB');
    expect(unitSymbol('P1')).toBe('%');
    expect(unitSymbol('MTQ')).toBe('m³');
    expect(unitSymbol('XYZ')).toBe('XYZ');
    expect(unitSymbol(undefined)).toBe('');
  });

  it('formats values with their unit and a readable precision', () => {
    expect(formatValue(12.3456, 'GQ')).toBe('12.35 µg/m³');
    expect(formatValue(45, 'P1')).toBe('45%');
    expect(formatValue(0.12345)).toBe('0.123');
    expect(formatValue(123.456, 'CEL')).toBe('123.5 °C');
    expect(formatValue('on')).toBe('on');
    expect(formatValue(true)).toBe('yes');
    expect(formatValue(undefined)).toBe('—');
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
    expect(formatNumber(7)).toBe('7');
  });
});

describe('freshness', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  it('says how long ago, in words', () => {
    expect(ago(10_000)).toBe('just now');
    expect(ago(-5_000)).toBe('just now');
    expect(ago(2 * 60_000)).toBe('2 min ago');
    expect(ago(3 * 3600_000)).toBe('3 h ago');
    expect(ago(4 * 86400_000)).toBe('4 d ago');
  });

  it('marks values older than the limit (30 min by default) as stale', () => {
    expect(freshness('2026-12-01T11:58:00Z', now)).toEqual({ text: '2 min ago', stale: false });
    expect(freshness('2026-12-01T11:00:00Z', now)).toEqual({ text: '1 h ago', stale: true });
    expect(freshness('2026-12-01T11:50:00Z', now, 5 * 60_000).stale).toBe(true);
    expect(freshness(undefined, now)).toEqual({ text: 'unknown', stale: true });
    expect(freshness('not a date', now).stale).toBe(true);
  });
});
