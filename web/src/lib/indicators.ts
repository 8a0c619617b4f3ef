/**
 * Colour by value: for each entity type the attribute that matters to an operator and its bands
 * (PM2.5 by the European Air Quality Index, bins by fill level, parking by occupancy, lights by dim
 * level, noise by dB). One table feeds both the map's colours and the legend, so they cannot disagree.
 */
import { numberOf, stringOf, type NgsiEntity } from './entity.js';

export interface Band {
  /** Upper bound (exclusive) of the band; the last band has Infinity. */
  below: number;
  colour: string;
  label: string;
}

export interface NumericIndicator {
  kind: 'numeric';
  attribute: string;
  title: string;
  /** Values above 1 are percentages to be divided by 100 (fill and dim levels come both ways). */
  ratio?: boolean;
  bands: Band[];
}

export interface CategoricalIndicator {
  kind: 'categorical';
  attribute: string;
  title: string;
  categories: Array<{ value: string; colour: string; label: string }>;
}

export type Indicator = NumericIndicator | CategoricalIndicator;

/** Colour of an entity with no value for its indicator, or of a type without one. */
export const NO_DATA = '#8a8f98';
export const DEFAULT_COLOUR = '#2f6fdb';

/**
 * European Air Quality Index bands for PM2.5 (EEA, µg/m³, hourly): good, fair, moderate, poor,
 * very poor, extremely poor — with the EEA's own colours.
 */
export const PM25_EAQI: Band[] = [
  { below: 10, colour: '#50f0e6', label: 'Good (< 10)' },
  { below: 20, colour: '#50ccaa', label: 'Fair (10–20)' },
  { below: 25, colour: '#f0e641', label: 'Moderate (20–25)' },
  { below: 50, colour: '#ff5050', label: 'Poor (25–50)' },
  { below: 75, colour: '#960032', label: 'Very poor (50–75)' },
  { below: Infinity, colour: '#7d2181', label: 'Extremely poor (≥ 75)' },
];

export const INDICATORS: Readonly<Record<string, Indicator>> = {
  AirQualityObserved: { kind: 'numeric', attribute: 'pm25', title: 'PM2.5 (EAQI)', bands: PM25_EAQI },
  WasteContainer: {
    kind: 'numeric',
    attribute: 'fillingLevel',
    title: 'Fill level',
    ratio: true,
    bands: [
      { below: 0.5, colour: '#2e9e4f', label: '< 50 %' },
      { below: 0.8, colour: '#e0b000', label: '50–80 %' },
      { below: 0.95, colour: '#f07020', label: '80–95 %' },
      { below: Infinity, colour: '#d0202a', label: '≥ 95 %' },
    ],
  },
  ParkingSpot: {
    kind: 'categorical',
    attribute: 'status',
    title: 'Occupancy',
    categories: [
      { value: 'free', colour: '#2e9e4f', label: 'Free' },
      { value: 'occupied', colour: '#d0202a', label: 'Occupied' },
      { value: 'closed', colour: '#5a5f66', label: 'Closed' },
    ],
  },
  Streetlight: {
    kind: 'numeric',
    attribute: 'illuminanceLevel',
    title: 'Dim level',
    ratio: true,
    bands: [
      { below: 0.05, colour: '#3b3f46', label: 'Off' },
      { below: 0.4, colour: '#8a7a2a', label: '< 40 %' },
      { below: 0.75, colour: '#d8b83a', label: '40–75 %' },
      { below: Infinity, colour: '#ffe45c', label: '≥ 75 %' },
    ],
  },
  NoiseLevelObserved: {
    kind: 'numeric',
    attribute: 'LAeq',
    title: 'Noise LAeq (dB)',
    bands: [
      { below: 55, colour: '#2e9e4f', label: '< 55 dB' },
      { below: 65, colour: '#e0b000', label: '55–65 dB' },
      { below: 75, colour: '#f07020', label: '65–75 dB' },
      { below: Infinity, colour: '#d0202a', label: '≥ 75 dB' },
    ],
  },
  Alert: {
    kind: 'categorical',
    attribute: 'severity',
    title: 'Alert severity',
    categories: [
      { value: 'critical', colour: '#7d2181', label: 'Critical' },
      { value: 'high', colour: '#d0202a', label: 'High' },
      { value: 'medium', colour: '#f07020', label: 'Medium' },
      { value: 'low', colour: '#e0b000', label: 'Low' },
      { value: 'informational', colour: '#2f6fdb', label: 'Informational' },
    ],
  },
};

/** The band of `value` in `bands` (values are compared after the ratio rule). */
export function bandOf(indicator: NumericIndicator, value: number): Band {
  const v = indicator.ratio === true && value > 1 ? value / 100 : value;
  for (const b of indicator.bands) if (v < b.below) return b;
  return indicator.bands[indicator.bands.length - 1] as Band;
}

/** The colour of `e` on the map, and what it means. */
export function colourOf(type: string, e: NgsiEntity): { colour: string; label: string } {
  const ind = INDICATORS[type];
  if (ind === undefined) return { colour: DEFAULT_COLOUR, label: type };
  if (ind.kind === 'numeric') {
    const v = numberOf(e, ind.attribute);
    if (v === undefined) return { colour: NO_DATA, label: 'No data' };
    const b = bandOf(ind, v);
    return { colour: b.colour, label: b.label };
  }
  const v = stringOf(e, ind.attribute);
  const c = ind.categories.find((x) => x.value === v);
  return c === undefined ? { colour: NO_DATA, label: v ?? 'No data' } : { colour: c.colour, label: c.label };
}
