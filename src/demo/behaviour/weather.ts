/**
 * Weather stations (WeatherObserved): the city's shared weather (src/demo/behaviour/patterns.ts)
 * as a station measures it — temperature, humidity, wind, pressure and rain over the interval.
 * Showers come and go with a smooth noise over hours; pressure falls a little when it rains.
 */
import { ENTITY_TYPES } from '../city/devices.js';
import { smoothNoise } from '../city/random.js';
import { clamp, dropsOut, epochSeconds, fixed, noise, profileDocument } from './common.js';
import { outdoorHumidity, outdoorTemperature, windSpeed } from './patterns.js';
import type { KindBehaviour, SimState } from './types.js';

const INTERVAL_S = 600;

/** Rain intensity at `t`, mm per hour (0 most of the time). */
export function rainRate(t: number): number {
  const wet = smoothNoise('weather:rain', t, 4 * 3600);
  return wet > 0.72 ? (wet - 0.72) * 15 : 0;
}

export const weather: KindBehaviour = {
  kind: 'weather',
  profileId: 'demo-weather',
  intervalS: INTERVAL_S,
  profile: profileDocument({
    id: 'demo-weather',
    description: 'Demo city weather station',
    transport: 'http',
    entityType: ENTITY_TYPES.weather,
    mapping: {
      temperature: { attribute: 'temperature', unitCode: 'CEL' },
      relativeHumidity: { attribute: 'relativeHumidity', unitCode: 'C62' },
      windSpeed: { attribute: 'windSpeed', unitCode: 'MTS' },
      windDirection: { attribute: 'windDirection', unitCode: 'DD' },
      atmosphericPressure: { attribute: 'atmosphericPressure', unitCode: 'A97' },
      precipitation: { attribute: 'precipitation', unitCode: 'MMT' },
    },
    intervalS: INTERVAL_S,
  }),
  initialState: (): SimState => ({}),
  read(device, _state, t) {
    if (dropsOut(device, t)) return undefined;
    const rain = rainRate(t);
    const direction =
      (360 * smoothNoise('weather:direction', t, 8 * 3600) + noise(device, t, 'dir', 10) + 360) % 360;
    return {
      temperature: fixed(outdoorTemperature(t) + noise(device, t, 'temp', 0.2), 1),
      relativeHumidity: fixed(
        clamp(outdoorHumidity(t) + (rain > 0 ? 0.15 : 0) + noise(device, t, 'rh', 0.01), 0.05, 1),
        2,
      ),
      windSpeed: fixed(Math.max(0, windSpeed(t) + noise(device, t, 'wind', 0.4)), 1),
      windDirection: Math.round(direction),
      atmosphericPressure: fixed(1016 + 12 * (smoothNoise('weather:pressure', t, 36 * 3600) - 0.5) - rain, 1),
      precipitation: fixed((rain * INTERVAL_S) / 3600, 2),
      ts: epochSeconds(t),
    };
  },
};
