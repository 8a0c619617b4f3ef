/**
 * Inductive-loop traffic counters on the arterials (TrafficFlowObserved): vehicles counted per
 * 5-minute period, loop occupancy, mean speed and a congestion flag, all following the city's
 * traffic level (weekday rush hours, quiet nights, a weekend midday hump).
 */
import { ENTITY_TYPES } from '../city/devices.js';
import { clamp, dropsOut, epochSeconds, fixed, noise, profileDocument } from './common.js';
import { trafficLevel } from './patterns.js';
import type { KindBehaviour, SimState } from './types.js';

const INTERVAL_S = 300;
/** Vehicles per hour at the weekday peak on a two-lane arterial. */
const PEAK_VEHICLES_PER_H = 1600;

export const trafficCounter: KindBehaviour = {
  kind: 'trafficCounter',
  profileId: 'demo-traffic-counter',
  intervalS: INTERVAL_S,
  profile: profileDocument({
    id: 'demo-traffic-counter',
    description: 'Demo city inductive-loop traffic counter (5-minute counts)',
    transport: 'mqtt',
    entityType: ENTITY_TYPES.trafficCounter,
    mapping: {
      intensity: { attribute: 'intensity' },
      occupancy: { attribute: 'occupancy', unitCode: 'C62' },
      averageVehicleSpeed: { attribute: 'averageVehicleSpeed', unitCode: 'KMH' },
      congested: { attribute: 'congested' },
    },
    intervalS: INTERVAL_S,
  }),
  initialState: (): SimState => ({}),
  read(device, _state, t) {
    if (dropsOut(device, t)) return undefined;
    const level = clamp(trafficLevel(t) * (1 + noise(device, t, 'level', 0.06)), 0, 1.2);
    const capacity = PEAK_VEHICLES_PER_H * (0.7 + 0.6 * device.bias);
    const intensity = Math.max(0, Math.round((capacity * level * INTERVAL_S) / 3600));
    const occupancy = clamp(0.02 + 0.55 * level * level + noise(device, t, 'occ', 0.01), 0, 1);
    const speed = clamp(50 * (1 - 0.65 * level ** 3) + noise(device, t, 'speed', 2), 3, 90);
    return {
      intensity,
      occupancy: fixed(occupancy, 3),
      averageVehicleSpeed: fixed(speed, 1),
      congested: occupancy > 0.45,
      ts: epochSeconds(t),
    };
  },
};
