/**
 * Air-quality stations (AirQualityObserved): PM2.5 and PM10 from a per-station baseline, traffic and
 * an evening heating bump; NO2 follows traffic; O3 builds in the afternoon sun and is eaten by NO2.
 * A pollution episode in the station's district lifts PM2.5 to 52–78 µg/m³ within two minutes.
 */
import { ENTITY_TYPES } from '../city/devices.js';
import type { DemoDevice } from '../city/model.js';
import { localHour } from './clock.js';
import { bump, clamp, dropsOut, epochSeconds, fixed, noise, profileDocument } from './common.js';
import type { ActiveIncident } from './incidents.js';
import { heatingSeason, outdoorHumidity, outdoorTemperature, trafficLevel } from './patterns.js';
import type { Environment, KindBehaviour, SimState } from './types.js';

const INTERVAL_S = 300;
/** Seconds an episode takes to build up to its peak (short: a newcomer should see it within minutes). */
const RAMP_S = 120;

/** US EPA AQI category of a PM2.5 concentration (the SDM airQualityLevel vocabulary). */
export function airQualityLevel(pm25: number): string {
  if (pm25 <= 12) return 'good';
  if (pm25 <= 35.4) return 'moderate';
  if (pm25 <= 55.4) return 'unhealthyForSensitiveGroups';
  if (pm25 <= 150.4) return 'unhealthy';
  if (pm25 <= 250.4) return 'veryUnhealthy';
  return 'hazardous';
}

function episode(device: DemoDevice, env: Environment): ActiveIncident | undefined {
  return env.incidents.find((i) => i.kind === 'pollution' && i.districtId === device.districtId);
}

export const airQuality: KindBehaviour = {
  kind: 'airQuality',
  profileId: 'demo-air-quality',
  intervalS: INTERVAL_S,
  profile: profileDocument({
    id: 'demo-air-quality',
    description: 'Demo city air-quality station (PM2.5, PM10, NO2, O3)',
    transport: 'mqtt',
    entityType: ENTITY_TYPES.airQuality,
    mapping: {
      pm25: { attribute: 'pm25', unitCode: 'GQ' },
      pm10: { attribute: 'pm10', unitCode: 'GQ' },
      no2: { attribute: 'no2', unitCode: 'GQ' },
      o3: { attribute: 'o3', unitCode: 'GQ' },
      temperature: { attribute: 'temperature', unitCode: 'CEL' },
      relativeHumidity: { attribute: 'relativeHumidity', unitCode: 'C62' },
      airQualityLevel: { attribute: 'airQualityLevel' },
    },
    intervalS: INTERVAL_S,
  }),
  initialState: (): SimState => ({}),
  read(device, _state, t, env) {
    if (dropsOut(device, t)) return undefined;
    const h = localHour(t);
    const traffic = trafficLevel(t);
    const heating = heatingSeason(t) * bump(h, 20.5, 2);
    let pm25 = 6 + 6 * device.bias + 10 * traffic + 9 * heating + noise(device, t, 'pm25', 1.2);
    const incident = episode(device, env);
    if (incident !== undefined) {
      const peak = 52 + 26 * (incident.magnitude ?? 0.5);
      const ramp = clamp(incident.sinceS / RAMP_S, 0, 1);
      pm25 = pm25 + (peak - pm25) * ramp + noise(device, t, 'pm25-episode', 0.8);
    }
    pm25 = clamp(pm25, 1, 500);
    const no2 = clamp(12 + 10 * device.bias + 45 * traffic + noise(device, t, 'no2', 3), 1, 400);
    const sun = Math.max(0, Math.cos((2 * Math.PI * (h - 14)) / 24));
    const o3 = clamp(35 + 55 * sun - 0.35 * no2 + noise(device, t, 'o3', 4), 2, 300);
    return {
      pm25: fixed(pm25, 1),
      pm10: fixed(clamp(pm25 * 1.55 + 4 + noise(device, t, 'pm10', 2), pm25, 800), 1),
      no2: fixed(no2, 1),
      o3: fixed(o3, 1),
      temperature: fixed(outdoorTemperature(t) + noise(device, t, 'temp', 0.3), 1),
      relativeHumidity: fixed(clamp(outdoorHumidity(t) + noise(device, t, 'rh', 0.02), 0.05, 1), 2),
      airQualityLevel: airQualityLevel(pm25),
      ts: epochSeconds(t),
    };
  },
};
