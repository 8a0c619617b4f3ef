import { describe, expect, it } from 'vitest';
import {
  anchorOf,
  attributes,
  attrView,
  displayName,
  entityType,
  geometryOf,
  lastObserved,
  numberOf,
  stringOf,
  type NgsiEntity,
} from '../../web/src/lib/entity.js';

const aq: NgsiEntity = {
  id: 'urn:ngsi-ld:AirQualityObserved:aq-001',
  type: 'AirQualityObserved',
  pm25: { type: 'Property', value: 12.5, unitCode: 'GQ', observedAt: '2026-12-01T10:00:00Z' },
  no2: { type: 'Property', value: 40, unitCode: 'GQ', observedAt: '2026-12-01T10:05:00Z' },
  refDevice: { type: 'Relationship', object: 'urn:ngsi-ld:Device:aq-001' },
  location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [-8.6, 41.15] } },
  modifiedAt: '2026-12-01T10:05:01Z',
};

describe('reading entities', () => {
  it('flattens normalized attributes: value, unit, observation time, kind', () => {
    expect(attributes(aq).map((a) => [a.name, a.kind])).toEqual([
      ['location', 'GeoProperty'],
      ['no2', 'Property'],
      ['pm25', 'Property'],
      ['refDevice', 'Relationship'],
    ]);
    expect(attrView('pm25', aq.pm25)).toEqual({
      name: 'pm25',
      kind: 'Property',
      value: 12.5,
      unitCode: 'GQ',
      observedAt: '2026-12-01T10:00:00Z',
    });
    expect(stringOf(aq, 'refDevice')).toBe('urn:ngsi-ld:Device:aq-001');
  });

  it('reads concise and keyValues members too, and the first instance of a multi-attribute', () => {
    expect(attrView('pm25', { value: 3, unitCode: 'GQ' })).toMatchObject({
      kind: 'Property',
      value: 3,
      unitCode: 'GQ',
    });
    expect(attrView('pm25', 7)).toEqual({ name: 'pm25', kind: 'Property', value: 7 });
    expect(attrView('ref', { object: 'urn:x' })).toMatchObject({ kind: 'Relationship', value: 'urn:x' });
    expect(attrView('loc', { type: 'Point', coordinates: [1, 2] })).toMatchObject({ kind: 'GeoProperty' });
    expect(
      attrView('t', [
        { type: 'Property', value: 1, datasetId: 'a' },
        { type: 'Property', value: 2 },
      ]).value,
    ).toBe(1);
  });

  it('numbers, geometry, anchor, newest observation and a display name', () => {
    expect(numberOf(aq, 'pm25')).toBe(12.5);
    expect(numberOf(aq, 'refDevice')).toBeUndefined();
    expect(numberOf(aq, 'missing')).toBeUndefined();
    expect(geometryOf(aq)).toEqual({ type: 'Point', coordinates: [-8.6, 41.15] });
    expect(
      anchorOf({
        type: 'Polygon',
        coordinates: [
          [
            [1, 2],
            [3, 4],
            [1, 2],
          ],
        ],
      }),
    ).toEqual([1, 2]);
    expect(lastObserved(aq)).toBe('2026-12-01T10:05:00Z');
    expect(displayName(aq)).toBe('aq-001');
    expect(displayName({ ...aq, name: { type: 'Property', value: 'Plaza' } })).toBe('Plaza');
    expect(entityType({ type: ['A', 'B'] })).toBe('A');
  });
});
