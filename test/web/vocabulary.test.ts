// The dashboard's vocabulary: full IRIs of any city's terms shown and matched by their local names,
// sent back in full; no two IRIs ever merged under one name.
import { describe, expect, it } from 'vitest';
import { localName, Vocabulary } from '../../web/src/lib/vocabulary.js';

const SDM = 'https://smartdatamodels.org/dataModel.Environment/';

describe('Vocabulary', () => {
  it('shortens IRIs to their local names and gives the full IRI back for requests', () => {
    const v = new Vocabulary();
    expect(v.short(`${SDM}AirQualityObserved`)).toBe('AirQualityObserved');
    expect(v.full('AirQualityObserved')).toBe(`${SDM}AirQualityObserved`);
    expect(v.short('Alert')).toBe('Alert');
    expect(v.full('Alert')).toBe('Alert');
    expect(localName('http://example.org/ns#level')).toBe('level');
    expect(localName('urn:ngsi-ld:Device:1')).toBe('urn:ngsi-ld:Device:1');
  });

  it('shows one name for the same idea in two domains, and asks for every IRI seen, or the type’s own', () => {
    const v = new Vocabulary();
    const weather = 'https://smartdatamodels.org/dataModel.Weather/temperature';
    v.entity({ id: 'a', type: `${SDM}AirQualityObserved`, [`${SDM}temperature`]: 1 });
    v.entity({
      id: 'w',
      type: 'https://smartdatamodels.org/dataModel.Weather/WeatherObserved',
      [weather]: 2,
    });
    expect(v.short(weather)).toBe('temperature');
    expect(v.fullAll('temperature')).toEqual([`${SDM}temperature`, weather]);
    expect(v.full('temperature', 'WeatherObserved')).toBe(weather);
    expect(v.full('temperature', 'AirQualityObserved')).toBe(`${SDM}temperature`);
    expect(v.full('temperature')).toBe(`${SDM}temperature`);
    expect(v.fullAll('unknown')).toEqual(['unknown']);
  });

  it('renames an entity’s type and attributes, leaving its id, members and values alone', () => {
    const v = new Vocabulary();
    const e = v.entity({
      id: 'urn:ngsi-ld:AirQualityObserved:aq-1',
      type: `${SDM}AirQualityObserved`,
      [`${SDM}pm25`]: { type: 'Property', value: 12, unitCode: 'GQ' },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [0, 0] } },
      modifiedAt: '2026-12-03T10:00:00Z',
    });
    expect(e).toEqual({
      id: 'urn:ngsi-ld:AirQualityObserved:aq-1',
      type: 'AirQualityObserved',
      pm25: { type: 'Property', value: 12, unitCode: 'GQ' },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [0, 0] } },
      modifiedAt: '2026-12-03T10:00:00Z',
    });
    expect(v.entity({ id: 'x', type: [`${SDM}AirQualityObserved`, 'Other'] }).type).toEqual([
      'AirQualityObserved',
      'Other',
    ]);
  });
});
