import { describe, expect, it } from 'vitest';
import { buildCsv, csvCell } from '../../web/src/lib/csv.js';
import { devicesCsv, filterDevices, pageOf, type DeviceRow } from '../../web/src/lib/device-rows.js';

describe('CSV builder', () => {
  it('quotes commas, quotes and line breaks, doubling quotes', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(null)).toBe('');
  });

  it('guards text that a spreadsheet would run as a formula, but not numbers', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(true)).toBe('true');
  });

  it('ends every line with CRLF', () => {
    expect(buildCsv(['a', 'b'], [[1, 'x']])).toBe('a,b\r\n1,x\r\n');
  });
});

const device = (
  id: string,
  online: boolean,
  profile = 'p1',
  extra: Partial<DeviceRow['state']> = {},
): DeviceRow => ({
  id,
  profile,
  entityId: `urn:ngsi-ld:T:${id}`,
  disabled: false,
  state: { online, ...extra },
});

describe('devices table rows', () => {
  const all = [
    device('aq-1', true, 'aq', { battery: 80, rssi: -70, snr: 7, lastSeen: '2026-12-01T10:00:00Z' }),
    device('aq-2', false, 'aq', { lastError: 'bad payload' }),
    device('light-1', true, 'light'),
  ];

  it('filters by state, profile and text (id, entity id or last error)', () => {
    expect(filterDevices(all, { state: 'offline', profile: '', text: '' }).map((d) => d.id)).toEqual([
      'aq-2',
    ]);
    expect(filterDevices(all, { state: 'all', profile: 'light', text: '' }).map((d) => d.id)).toEqual([
      'light-1',
    ]);
    expect(filterDevices(all, { state: 'all', profile: '', text: 'PAYLOAD' }).map((d) => d.id)).toEqual([
      'aq-2',
    ]);
    expect(filterDevices(all, { state: 'online', profile: 'aq', text: 'aq' }).map((d) => d.id)).toEqual([
      'aq-1',
    ]);
  });

  it('pages, clamping the page number', () => {
    const rows = Array.from({ length: 53 }, (_, i) => i);
    expect(pageOf(rows, 0, 25)).toEqual({ rows: rows.slice(0, 25), pages: 3, page: 0 });
    expect(pageOf(rows, 2, 25).rows).toEqual([50, 51, 52]);
    expect(pageOf(rows, 9, 25).page).toBe(2);
    expect(pageOf([], 0, 25)).toEqual({ rows: [], pages: 1, page: 0 });
  });

  it('exports every column, empty where unknown, with the guard applied to text', () => {
    const csv = devicesCsv([all[0] as DeviceRow, device('=cmd', false, 'x', { lastError: '-1, "bad"' })]);
    expect(csv.split('\r\n')).toEqual([
      'id,profile,entityId,state,lastSeen,battery,rssi,snr,lastError,disabled',
      'aq-1,aq,urn:ngsi-ld:T:aq-1,online,2026-12-01T10:00:00Z,80,-70,7,,false',
      '\'=cmd,x,urn:ngsi-ld:T:=cmd,offline,,,,,"\'-1, ""bad""",false',
      '',
    ]);
  });
});
