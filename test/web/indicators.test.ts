import { describe, expect, it } from 'vitest';
import {
  bandOf,
  colourOf,
  INDICATORS,
  NO_DATA,
  PM25_EAQI,
  type NumericIndicator,
} from '../../web/src/lib/indicators.js';
import { districtFills, RAMP } from '../../web/src/lib/district-fill.js';

const e = (type: string, attrs: Record<string, unknown>) => ({
  id: `urn:ngsi-ld:${type}:1`,
  type,
  ...Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, { type: 'Property', value: v }])),
});

describe('colour by value', () => {
  it('bands PM2.5 by the European Air Quality Index, bounds belonging to the upper band', () => {
    const ind = INDICATORS.AirQualityObserved as NumericIndicator;
    expect([5, 10, 19.9, 20, 25, 49, 50, 75, 300].map((v) => bandOf(ind, v).label.split(' (')[0])).toEqual([
      'Good',
      'Fair',
      'Fair',
      'Moderate',
      'Poor',
      'Poor',
      'Very poor',
      'Extremely poor',
      'Extremely poor',
    ]);
    expect(PM25_EAQI).toHaveLength(6);
  });

  it('reads fill and dim levels given as ratios or as percentages alike', () => {
    expect(colourOf('WasteContainer', e('WasteContainer', { fillingLevel: 0.97 })).label).toBe('≥ 95 %');
    expect(colourOf('WasteContainer', e('WasteContainer', { fillingLevel: 97 })).label).toBe('≥ 95 %');
    expect(colourOf('WasteContainer', e('WasteContainer', { fillingLevel: 0.3 })).label).toBe('< 50 %');
    expect(colourOf('Streetlight', e('Streetlight', { illuminanceLevel: 0 })).label).toBe('Off');
    expect(colourOf('Streetlight', e('Streetlight', { illuminanceLevel: 60 })).label).toBe('40–75 %');
  });

  it('colours categories (parking occupancy, alert severity), noise bands, and says when there is no data', () => {
    expect(colourOf('ParkingSpot', e('ParkingSpot', { status: 'occupied' })).label).toBe('Occupied');
    expect(colourOf('Alert', e('Alert', { severity: 'critical' })).label).toBe('Critical');
    expect(colourOf('NoiseLevelObserved', e('NoiseLevelObserved', { LAeq: 70 })).label).toBe('65–75 dB');
    expect(colourOf('AirQualityObserved', e('AirQualityObserved', {})).colour).toBe(NO_DATA);
    expect(colourOf('Unknown', e('Unknown', {})).label).toBe('Unknown');
  });

  it('fills districts by name (stable) or by an indicator on a ramp from lowest to highest', () => {
    const ds = [10, 20, 30].map((p, i) => ({
      ...e('District', { population: p, name: `D${i}` }),
      id: `d${i}`,
    }));
    const byPop = districtFills(ds, 'population');
    expect([byPop.get('d0'), byPop.get('d2')]).toEqual([RAMP[0], RAMP[RAMP.length - 1]]);
    expect(districtFills(ds, 'name').get('d1')).toBe(districtFills([ds[1]!], 'name').get('d1'));
    expect(districtFills(ds, 'deprivationIndex').get('d0')).toBe('#d5d8dc');
  });
});
