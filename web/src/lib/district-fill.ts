/**
 * How districts are filled: by name (a stable calm colour each, to tell them apart) or by an indicator
 * they carry (population, deprivation index) as a five-step sequential ramp from the lowest to the
 * highest district — a choropleth for equity at a glance.
 */
import { numberOf, stringOf, type NgsiEntity } from './entity.js';
import { districtColour } from './features.js';

export const DISTRICT_MODES = [
  { value: 'name', label: 'By name' },
  { value: 'population', label: 'Population' },
  { value: 'deprivationIndex', label: 'Deprivation index' },
] as const;
export type DistrictMode = (typeof DISTRICT_MODES)[number]['value'];

/** Light to dark blue-purple: readable under markers, ordered for a sequential measure. */
export const RAMP = ['#edf3fb', '#c6d8ef', '#9bb7df', '#7391c9', '#5a67ad'];

/** The fill colour of each district (by id) for `mode`. */
export function districtFills(districts: readonly NgsiEntity[], mode: DistrictMode): Map<string, string> {
  const out = new Map<string, string>();
  if (mode === 'name') {
    for (const d of districts) out.set(d.id, districtColour(stringOf(d, 'name') ?? d.id));
    return out;
  }
  const values = districts.map((d) => numberOf(d, mode)).filter((v): v is number => v !== undefined);
  const min = Math.min(...values);
  const max = Math.max(...values);
  for (const d of districts) {
    const v = numberOf(d, mode);
    if (v === undefined) out.set(d.id, '#d5d8dc');
    else {
      const step =
        max === min ? 0 : Math.min(RAMP.length - 1, Math.floor(((v - min) / (max - min)) * RAMP.length));
      out.set(d.id, RAMP[step] as string);
    }
  }
  return out;
}
