// Minimisation and treatments end to end on parsed NGSI-LD entities (what a client sends → what is
// stored), the refusals, and the combination of several governed types.
import { createHmac } from 'node:crypto';
import { cellToLatLng, latLngToCell } from 'h3-js';
import { describe, expect, it } from 'vitest';
import { failure } from '../../../test/support/failure.js';
import { parseEntity } from '../../core/entity/parse-entity.js';
import { ContextResolver } from '../../core/jsonld/context-resolver.js';
import type { Attribute } from '../../core/model/entity.js';
import {
  PSEUDONYM_URN_PREFIX,
  combineGovernance,
  compareDurations,
  governAttrs,
  type GovernTools,
} from './apply-governance.js';
import type { TypeGovernance } from './model.js';
import { parseGovernance } from './parse-governance.js';
import { coarsenGrid } from './treatments.js';

// Names in these tests are not in any context: they expand with the core context's @vocab.
const EX = 'https://uri.etsi.org/ngsi-ld/default-context/';
const CORE = 'https://uri.etsi.org/ngsi-ld/';
const resolver = new ContextResolver({ load: async () => ({}) });
const mapper = resolver.core;
const KEY = Buffer.alloc(32, 7);
const tools: GovernTools = {
  pseudonymise: (value, length) => createHmac('sha256', KEY).update(value).digest('hex').slice(0, length),
};
const hmac = (value: string, length = 16) => tools.pseudonymise(value, length);

const PARKING = parseGovernance(
  {
    type: 'ParkingSpot',
    purpose: 'parking occupancy management',
    retention: 'P1Y',
    attributes: {
      status: { classification: 'public', treatment: 'keep' },
      plate: {
        classification: 'personal',
        retention: 'P1D',
        treatment: { kind: 'pseudonymise', length: 16 },
      },
      location: { classification: 'public', treatment: { kind: 'coarsen', grid: 100 } },
      where: { classification: 'personal', treatment: { kind: 'coarsen', h3: 9 } },
      seenAt: { classification: 'internal', treatment: { kind: 'roundTime', period: 'PT15M' } },
      mac: { classification: 'sensitive', treatment: 'drop' },
    },
  },
  mapper,
);

const entity = (body: Record<string, unknown>) =>
  parseEntity({ id: 'urn:ngsi-ld:X:1', type: 'ParkingSpot', ...body }, mapper).attrs;

describe('governAttrs on a ParkingSpot', () => {
  const attrs = entity({
    status: {
      type: 'Property',
      value: 'occupied',
      observedAt: '2025-03-01T10:22:31Z',
      reliability: { type: 'Property', value: 0.9 },
    },
    plate: { type: 'Property', value: 'AB-123-CD', observedAt: '2025-03-01T10:22:31Z' },
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [2.3522, 48.8566] } },
    where: { type: 'GeoProperty', value: { type: 'Point', coordinates: [2.3522, 48.8566, 35] } },
    seenAt: {
      type: 'Property',
      value: { '@type': 'DateTime', '@value': '2025-03-01T10:22:31Z' },
      observedAt: '2025-03-01T10:29:59.999Z',
      source: { type: 'Property', value: 'camera', observedAt: '2025-03-01T10:22:31Z' },
    },
    mac: { type: 'Property', value: '00:1a:2b:3c:4d:5e' },
    colour: { type: 'Property', value: 'blue' },
  });
  const before = structuredClone(attrs);
  const { attrs: out, dropped } = governAttrs(attrs, PARKING, tools);

  it('drops undeclared attributes and those treated "drop", and says which', () => {
    expect(Object.keys(out).sort()).toEqual(
      [`${CORE}location`, `${CORE}status`, `${EX}plate`, `${EX}seenAt`, `${EX}where`].sort(),
    );
    expect(dropped.sort()).toEqual([`${EX}colour`, `${EX}mac`]);
  });

  it('keeps kept attributes exactly, sub-attributes included', () => {
    expect(out[`${CORE}status`]).toEqual(attrs[`${CORE}status`]);
  });

  it('pseudonymises the plate with the keyed HMAC, truncated, keeping observedAt', () => {
    expect(out[`${EX}plate`]).toEqual([
      { type: 'Property', value: hmac('AB-123-CD'), observedAt: '2025-03-01T10:22:31Z' },
    ]);
    expect(hmac('AB-123-CD')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('coarsens locations to the grid and to the H3 cell centre', () => {
    expect(out[`${CORE}location`]?.[0]?.value).toEqual(
      coarsenGrid({ type: 'Point', coordinates: [2.3522, 48.8566] }, 100),
    );
    const [lat, lon] = cellToLatLng(latLngToCell(48.8566, 2.3522, 9));
    expect(out[`${EX}where`]).toEqual([
      { type: 'GeoProperty', value: { type: 'Point', coordinates: [lon, lat] } },
    ]);
  });

  it('rounds observedAt and a DateTime value, leaving sub-attributes as they are', () => {
    expect(out[`${EX}seenAt`]).toEqual([
      {
        type: 'Property',
        value: { '@type': 'DateTime', '@value': '2025-03-01T10:15:00.000Z' },
        observedAt: '2025-03-01T10:15:00.000Z',
        sub: { [`${EX}source`]: { type: 'Property', value: 'camera', observedAt: '2025-03-01T10:22:31Z' } },
      },
    ]);
  });

  it('does not modify its input', () => {
    expect(attrs).toEqual(before);
  });
});

describe('governAttrs on a Device', () => {
  const DEVICE = parseGovernance(
    {
      type: 'Device',
      purpose: 'fleet management',
      undeclared: 'refuse',
      attributes: {
        macAddress: { classification: 'personal', treatment: { kind: 'pseudonymise', length: 12 } },
        usedBy: { classification: 'personal', treatment: { kind: 'pseudonymise', length: 32 } },
        ipAddress: { classification: 'sensitive', treatment: 'drop' },
        batteryLevel: { classification: 'internal' },
        dateLastValueReported: {
          classification: 'internal',
          treatment: { kind: 'roundTime', period: 'PT1H' },
        },
        location: { classification: 'personal', treatment: { kind: 'coarsen', h3: 8 } },
      },
    },
    mapper,
  );
  const device = (extra: Record<string, unknown> = {}) =>
    parseEntity(
      {
        id: 'urn:ngsi-ld:Device:phone-counter-7',
        type: 'Device',
        macAddress: [
          { type: 'Property', value: 'a4:5e:60:d1:22:01', datasetId: 'urn:ngsi-ld:Dataset:wifi' },
          { type: 'Property', value: 'a4:5e:60:d1:22:02', datasetId: 'urn:ngsi-ld:Dataset:bt' },
        ],
        usedBy: { type: 'Relationship', object: 'urn:ngsi-ld:Person:jane' },
        ipAddress: { type: 'Property', value: '10.1.2.3' },
        batteryLevel: { type: 'Property', value: 0.72, observedAt: '2025-03-01T10:22:31Z' },
        dateLastValueReported: { type: 'Property', value: '2025-03-01T10:22:31Z' },
        location: {
          type: 'GeoProperty',
          value: {
            type: 'LineString',
            coordinates: [
              [2.35, 48.85],
              [2.36, 48.86],
            ],
          },
        },
        ...extra,
      },
      mapper,
    ).attrs;

  it('treats every instance and every kind as declared', () => {
    const { attrs, dropped } = governAttrs(device(), DEVICE, tools);
    expect(dropped).toEqual([`${EX}ipAddress`]);
    expect(attrs[`${EX}macAddress`]).toEqual([
      { type: 'Property', value: hmac('a4:5e:60:d1:22:01', 12), datasetId: 'urn:ngsi-ld:Dataset:wifi' },
      { type: 'Property', value: hmac('a4:5e:60:d1:22:02', 12), datasetId: 'urn:ngsi-ld:Dataset:bt' },
    ]);
    // A Relationship still points at a URI.
    expect(attrs[`${EX}usedBy`]).toEqual([
      { type: 'Relationship', value: `${PSEUDONYM_URN_PREFIX}${hmac('urn:ngsi-ld:Person:jane', 32)}` },
    ]);
    expect(attrs[`${EX}batteryLevel`]).toEqual([
      { type: 'Property', value: 0.72, observedAt: '2025-03-01T10:22:31Z' },
    ]);
    expect(attrs[`${EX}dateLastValueReported`]).toEqual([
      { type: 'Property', value: '2025-03-01T10:00:00.000Z' },
    ]);
    const line = attrs[`${CORE}location`]?.[0]?.value as { type: string; coordinates: number[][] };
    expect(line.type).toBe('LineString');
    expect(line.coordinates).toHaveLength(2);
    for (const [lon = 0, lat = 0] of line.coordinates) {
      const [clat, clon] = cellToLatLng(latLngToCell(lat, lon, 8));
      expect([lon, lat]).toEqual([clon, clat]);
    }
  });

  it('keeps undeclared attributes untreated where the entry says keep, and still treats declared ones', () => {
    const keeping: TypeGovernance = { ...DEVICE, undeclared: 'keep' };
    const { attrs, dropped } = governAttrs(
      device({ dim_status: { type: 'Property', value: 'SUCCEEDED' } }),
      keeping,
      tools,
    );
    expect(dropped).not.toContain(`${EX}dim_status`);
    expect(attrs[`${EX}dim_status`]).toEqual([{ type: 'Property', value: 'SUCCEEDED' }]);
    // A declared attribute's treatment applies as before (the MAC address is pseudonymised).
    const kept = governAttrs(device(), DEVICE, tools).attrs;
    expect(attrs[`${EX}macAddress`]).toEqual(kept[`${EX}macAddress`]);
    // Combined with a minimising entry, the stricter policy wins.
    expect(combineGovernance([keeping, DEVICE]).undeclared).toBe(DEVICE.undeclared);
  });

  it('refuses undeclared attributes, naming them all', () => {
    const error = failure(() =>
      governAttrs(
        device({
          owner: { type: 'Property', value: 'x' },
          imei: { type: 'Property', value: '3520990017614' },
        }),
        DEVICE,
        tools,
      ),
    );
    expect(error.kind).toBe('BadRequestData');
    expect(error.detail).toContain(`${EX}owner, ${EX}imei`);
    expect(error.detail).toContain(`type ${EX}Device does not declare`);
  });

  it('refuses a value a treatment cannot take, naming the attribute but never the value', () => {
    const number = failure(() =>
      governAttrs(device({ macAddress: { type: 'Property', value: 123456 } }), DEVICE, tools),
    );
    expect(number.detail).toBe(
      `Attribute ${EX}macAddress is pseudonymised, so its value must be a string (a Property value or a Relationship object); got a Property with a number value`,
    );
    const list = failure(() =>
      governAttrs(
        device({ macAddress: { type: 'ListProperty', valueList: ['a4:5e:60:d1:22:01'] } }),
        DEVICE,
        tools,
      ),
    );
    expect(list.detail).toContain('got a ListProperty with an array value');
    expect(list.detail).not.toContain('a4:5e');
    const notGeo = failure(() =>
      governAttrs(device({ location: { type: 'Property', value: '48.85,2.35' } }), DEVICE, tools),
    );
    expect(notGeo.detail).toBe(
      `Attribute ${CORE}location is coarsened, so it must be a GeoProperty; got a Property`,
    );
  });

  it('refuses a GeoProperty that is not a geometry, naming the attribute', () => {
    const raw = device();
    raw[`${CORE}location`] = [{ type: 'GeoProperty', value: { type: 'Point', coordinates: [500, 0] } }];
    const error = failure(() => governAttrs(raw, DEVICE, tools));
    expect(error.detail).toMatch(new RegExp(`^Attribute ${CORE}location: `));
  });

  it('leaves non-DateTime values of a rounded attribute alone', () => {
    const g = parseGovernance(
      {
        type: 'T',
        purpose: 'p',
        attributes: { t: { classification: 'public', treatment: { kind: 'roundTime', period: 'PT1H' } } },
      },
      mapper,
    );
    const values: unknown[] = [
      42,
      'tomorrow',
      '2025-03-01',
      { '@type': 'Date', '@value': '2025-03-01' },
      ['2025-03-01T10:22:31Z'],
    ];
    for (const value of values) {
      const instance: Attribute = { type: 'Property', value };
      expect(governAttrs({ [`${EX}t`]: [instance] }, g, tools).attrs[`${EX}t`]).toEqual([instance]);
    }
    const expanded: Attribute = {
      type: 'Property',
      value: { '@type': `${CORE}DateTime`, '@value': '2025-03-01T10:22:31Z' },
    };
    expect(governAttrs({ [`${EX}t`]: [expanded] }, g, tools).attrs[`${EX}t`]?.[0]?.value).toEqual({
      '@type': `${CORE}DateTime`,
      '@value': '2025-03-01T10:00:00.000Z',
    });
  });
});

describe('combineGovernance', () => {
  const A = parseGovernance(
    {
      type: 'A',
      purpose: 'counting',
      retention: 'P1Y',
      attributes: {
        plate: {
          classification: 'personal',
          retention: 'P7D',
          treatment: { kind: 'pseudonymise', length: 32 },
        },
        where: { classification: 'internal', treatment: { kind: 'coarsen', grid: 100 } },
        when: { classification: 'public', treatment: { kind: 'roundTime', period: 'PT5M' } },
        speed: { classification: 'public', purpose: 'statistics' },
        photo: { classification: 'sensitive', treatment: 'drop' },
      },
    },
    mapper,
  );
  const B = parseGovernance(
    {
      type: 'B',
      purpose: 'enforcement',
      undeclared: 'refuse',
      retention: 'P2Y',
      attributes: {
        plate: {
          classification: 'sensitive',
          retention: 'P1D',
          treatment: { kind: 'pseudonymise', length: 16 },
        },
        where: { classification: 'personal', treatment: { kind: 'coarsen', h3: 7 } },
        when: { classification: 'public', treatment: { kind: 'roundTime', period: 'PT15M' } },
        speed: { classification: 'internal', purpose: 'enforcement', treatment: 'pseudonymise' },
        lane: { classification: 'public', retention: 'P5Y' },
      },
    },
    mapper,
  );

  it('returns a single entry unchanged, and refuses none', () => {
    expect(combineGovernance([A])).toBe(A);
    expect(() => combineGovernance([])).toThrow();
  });

  it('takes the union of attributes with the strictest classification, treatment and retention', () => {
    const g = combineGovernance([A, B]);
    expect(g).toEqual<TypeGovernance>({
      type: `${EX}A`,
      combinedFrom: [`${EX}A`, `${EX}B`],
      purpose: 'counting; enforcement',
      undeclared: 'refuse',
      retention: 'P1Y',
      attributes: {
        [`${EX}plate`]: {
          classification: 'sensitive',
          retention: 'P1D',
          treatment: { kind: 'pseudonymise', length: 16 },
        },
        // An H3 resolution 7 cell (about 5 km²) is larger than a 100 m square.
        [`${EX}where`]: { classification: 'personal', treatment: { kind: 'coarsen', h3: 7 } },
        [`${EX}when`]: {
          classification: 'public',
          treatment: { kind: 'roundTime', period: 'PT15M', periodMs: 900_000 },
        },
        [`${EX}speed`]: {
          classification: 'internal',
          purpose: 'statistics; enforcement',
          treatment: { kind: 'pseudonymise', length: 16 },
        },
        [`${EX}photo`]: { classification: 'sensitive', treatment: { kind: 'drop' } },
        // Declared by B alone, which keeps it longer than the combined default: B's word stands.
        [`${EX}lane`]: { classification: 'public', retention: 'P5Y', treatment: { kind: 'keep' } },
      },
    });
  });

  it('is symmetric in what it decides', () => {
    const ab = combineGovernance([A, B]);
    const ba = combineGovernance([B, A]);
    // Only the joined purposes follow the order of the entries.
    const decisions = (g: TypeGovernance) =>
      Object.fromEntries(Object.entries(g.attributes).map(([k, { purpose: _p, ...rest }]) => [k, rest]));
    expect(decisions(ba)).toEqual(decisions(ab));
    expect(ba.retention).toBe(ab.retention);
    expect(ba.undeclared).toBe(ab.undeclared);
  });

  it('orders drop > pseudonymise > coarsen > roundTime > keep', () => {
    const kinds = [
      'keep',
      { kind: 'roundTime', period: 'PT1M' },
      { kind: 'coarsen', grid: 10 },
      { kind: 'pseudonymise', length: 64 },
      'drop',
    ];
    const entries = kinds.map((treatment, i) =>
      parseGovernance(
        { type: `T${i}`, purpose: 'p', attributes: { x: { classification: 'public', treatment } } },
        mapper,
      ),
    );
    for (let i = 0; i < entries.length; i++) {
      for (let j = 0; j < entries.length; j++) {
        const g = combineGovernance([entries[i]!, entries[j]!]);
        expect(g.attributes[`${EX}x`]?.treatment).toEqual(
          entries[Math.max(i, j)]!.attributes[`${EX}x`]?.treatment,
        );
      }
    }
  });

  it('keeps no retention only when no entry has one', () => {
    const none = parseGovernance(
      { type: 'N', purpose: 'p', attributes: { speed: { classification: 'public' } } },
      mapper,
    );
    const none2 = parseGovernance({ type: 'M', purpose: 'p', attributes: {} }, mapper);
    expect(combineGovernance([none, none2])).not.toHaveProperty('retention');
    const g = combineGovernance([none, A]);
    expect(g.retention).toBe('P1Y');
    // `speed` is kept forever by both declaring types: the combined default applies to it.
    expect(g.attributes[`${EX}speed`]).not.toHaveProperty('retention');
  });
});

describe('compareDurations', () => {
  it('orders durations, calendar months included', () => {
    expect(compareDurations('P1D', 'PT24H')).toBe(0);
    expect(compareDurations('P1D', 'P2D')).toBe(-1);
    expect(compareDurations('P1Y', 'P11M')).toBe(1);
    expect(compareDurations('P1M', 'P1MT1S')).toBe(-1);
    // January has 31 days.
    expect(compareDurations('P1M', 'P30D')).toBe(1);
    expect(compareDurations('P1M', 'P32D')).toBe(-1);
  });
});
