import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isNgsiError } from '../../core/errors.js';
import { checkDeviceInput, localName, MAX_CSV_ROWS, parseDevice, parseDeviceCsv } from './device.js';

const types: Record<string, string> = {
  'aq-v2': 'https://smartdatamodels.org/dataModel.Environment/AirQualityObserved',
  lamp: 'https://uri.etsi.org/ngsi-ld/default-context/Streetlight',
};
const entityTypeOf = (id: string) => (Object.hasOwn(types, id) ? types[id] : undefined);

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isNgsiError(e) && e.kind === 'BadRequestData') return e.detail;
    throw e;
  }
  throw new Error('accepted');
}

describe('parseDevice', () => {
  it('derives the fed entity from the profile type and the Device entity from the id', () => {
    expect(parseDevice({ id: 'AQ-0042', profile: 'aq-v2' }, 'city', entityTypeOf)).toEqual({
      tenant: 'city',
      id: 'AQ-0042',
      profileId: 'aq-v2',
      entityId: 'urn:ngsi-ld:AirQualityObserved:AQ-0042',
      deviceEntityId: 'urn:ngsi-ld:Device:AQ-0042',
    });
  });

  it('keeps a given entityId and description', () => {
    const d = parseDevice(
      {
        id: 'eui:70B3D57ED0000001',
        profile: 'lamp',
        entityId: 'urn:ngsi-ld:Streetlight:main-st-4',
        description: 'pole 4',
      },
      'city',
      entityTypeOf,
    );
    expect(d.entityId).toBe('urn:ngsi-ld:Streetlight:main-st-4');
    expect(d.deviceEntityId).toBe('urn:ngsi-ld:Device:eui:70B3D57ED0000001');
    expect(d.description).toBe('pole 4');
  });

  it.each([
    [[], 'a device must be a JSON object'],
    [{ id: 'a', profile: 'lamp', disabled: true }, 'device: unknown member disabled'],
    [{ profile: 'lamp' }, 'device.id'],
    [{ id: '', profile: 'lamp' }, 'device.id'],
    [{ id: 'a/b', profile: 'lamp' }, 'device.id'],
    [{ id: 'ü', profile: 'lamp' }, 'device.id'],
    [{ id: 'x'.repeat(129), profile: 'lamp' }, 'device.id'],
    [{ id: 'a' }, 'device.profile'],
    [{ id: 'a', profile: 'lamp', entityId: 'not an iri' }, 'device.entityId'],
    [{ id: 'a', profile: 'lamp', entityId: 7 }, 'device.entityId'],
    [{ id: 'a', profile: 'lamp', description: 'x'.repeat(1025) }, 'device.description'],
    [{ id: 'a', profile: 'nope' }, 'device.profile: no profile nope in this tenant'],
  ])('refuses %j', (raw, message) => {
    expect(refusal(() => parseDevice(raw, 'city', entityTypeOf))).toContain(message);
  });

  it('accepts every id of the allowed alphabet and length', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,128}$/), (id) => {
        expect(checkDeviceInput({ id, profile: 'p' }).id).toBe(id);
      }),
    );
  });
});

describe('localName', () => {
  it('takes the last segment of an IRI, encoded for a URN', () => {
    expect(localName('https://a.example/x/WasteContainer')).toBe('WasteContainer');
    expect(localName('https://a.example/vocab#Pump')).toBe('Pump');
    expect(localName('urn:x:Sensor')).toBe('Sensor');
    expect(localName('https://a.example/x/Sp ace')).toBe('Sp%20ace');
  });
});

describe('parseDeviceCsv', () => {
  it('reads rows with quoted fields, CRLF, a BOM, blank lines and empty optional cells', () => {
    const text =
      '\uFEFFid,profile,entityId,description\r\n' +
      'a1,aq-v2,,"Main St, north side"\r\n' +
      '\r\n' +
      'a2,lamp,urn:ngsi-ld:Streetlight:7,"says ""hi""\non two lines"\n' +
      ' a3 , lamp ,,\n';
    const r = parseDeviceCsv(text);
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([
      { line: 2, device: { id: 'a1', profile: 'aq-v2', description: 'Main St, north side' } },
      {
        line: 4,
        device: {
          id: 'a2',
          profile: 'lamp',
          entityId: 'urn:ngsi-ld:Streetlight:7',
          description: 'says "hi"\non two lines',
        },
      },
      { line: 6, device: { id: 'a3', profile: 'lamp' } },
    ]);
  });

  it('takes the columns in the header order and needs only id and profile', () => {
    const r = parseDeviceCsv('profile,id\nlamp,L1\nlamp,L2');
    expect(r.rows.map((x) => x.device)).toEqual([
      { id: 'L1', profile: 'lamp' },
      { id: 'L2', profile: 'lamp' },
    ]);
  });

  it('reports each bad row with its line and keeps the good ones', () => {
    const text = [
      'id,profile,entityId,description',
      'ok1,lamp,,',
      'bad id,lamp,,',
      'ok2,lamp',
      'ok3,lamp,not-an-iri,',
      'ok1,lamp,,',
      'x"y,lamp,,',
      '"q"z,lamp,,',
      'ok4,lamp,,"fine"',
    ].join('\n');
    const r = parseDeviceCsv(text);
    expect(r.rows.map((x) => [x.line, x.device.id])).toEqual([
      [2, 'ok1'],
      [9, 'ok4'],
    ]);
    expect(r.errors.map((e) => e.line)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(r.errors[0]?.error).toContain('device.id');
    expect(r.errors[1]?.error).toBe('expected 4 fields, found 2');
    expect(r.errors[2]?.error).toContain('device.entityId');
    expect(r.errors[3]?.error).toBe('device ok1 is already on line 2');
    expect(r.errors[4]?.error).toContain('a quote inside an unquoted field');
    expect(r.errors[5]?.error).toContain('characters after a closing quote');
  });

  it('reports an unterminated quote at the line it opens and keeps earlier rows', () => {
    const r = parseDeviceCsv('id,profile\na,lamp\nb,"lamp\nc,lamp\n');
    expect(r.rows.map((x) => x.device.id)).toEqual(['a']);
    expect(r.errors).toEqual([{ line: 3, error: 'a quoted field is not closed before the end of the file' }]);
  });

  it.each([
    ['', 'the file is empty'],
    ['\n\n', 'the file is empty'],
    ['id,profile,color\n', 'unknown column "color"'],
    ['id,entityId\n', 'column profile is missing'],
    ['id,profile,id\n', 'named twice'],
    ['"id,profile\n', 'CSV line 1: a quoted field is not closed'],
  ])('refuses a bad header %j', (text, message) => {
    expect(refusal(() => parseDeviceCsv(text))).toContain(message);
  });

  it(`accepts ${MAX_CSV_ROWS} rows and refuses one more`, () => {
    const rows = Array.from({ length: MAX_CSV_ROWS }, (_, i) => `d${i},lamp`);
    const ok = parseDeviceCsv(['id,profile', ...rows].join('\n'));
    expect(ok.rows).toHaveLength(MAX_CSV_ROWS);
    expect(ok.errors).toEqual([]);
    expect(refusal(() => parseDeviceCsv(['id,profile', ...rows, 'extra,lamp'].join('\n')))).toContain(
      `at most ${MAX_CSV_ROWS} rows`,
    );
  });

  it('round-trips any description written as a quoted field', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (description) => {
        const quoted = `"${description.replace(/"/g, '""')}"`;
        const r = parseDeviceCsv(`id,profile,description\nd1,lamp,${quoted}\n`);
        expect(r.errors).toEqual([]);
        const expected = description === '' ? {} : { description };
        expect(r.rows[0]?.device).toEqual({ id: 'd1', profile: 'lamp', ...expected });
      }),
    );
  });

  it('never throws on arbitrary rows after a good header', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (body) => {
        const r = parseDeviceCsv(`id,profile\n${body}`);
        for (const e of r.errors) expect(e.line).toBeGreaterThanOrEqual(2);
        for (const row of r.rows) expect(row.line).toBeGreaterThanOrEqual(2);
      }),
    );
  });
});
