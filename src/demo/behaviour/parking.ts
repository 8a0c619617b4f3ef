/**
 * On-street parking spot sensors (ParkingSpot, LoRaWAN). Each report the spot may change (a car
 * leaves or arrives) with a fixed chance, and when it does, whether it is taken follows the hour and
 * the zone: the centre is full on weekday working hours, the leisure district on weekend days,
 * residential streets at night. State: `occupied` (sticky between reports), `battery`.
 */
import { ENTITY_TYPES } from '../city/devices.js';
import type { DemoDevice } from '../city/model.js';
import { isWeekend, localHour } from './clock.js';
import {
  bump,
  chance,
  clamp,
  drainBattery,
  dropsOut,
  epochSeconds,
  initialBattery,
  profileDocument,
} from './common.js';
import type { KindBehaviour, SimState } from './types.js';

const INTERVAL_S = 120;
/** Chance per report that the spot's occupant changes (a turnover every ~10 minutes at most). */
const TURNOVER = 0.2;

/** Probability that a spot in `zone` is taken at `t`. */
export function occupancyTarget(zone: DemoDevice['zone'], t: number): number {
  const h = localHour(t);
  const weekend = isWeekend(t);
  switch (zone) {
    case 'centre':
      return weekend ? 0.3 + 0.35 * bump(h, 15, 4) : 0.25 + 0.7 * bump(h, 13.5, 4);
    case 'leisure':
      return weekend ? 0.2 + 0.75 * bump(h, 15, 4) : 0.15 + 0.35 * bump(h, 19, 3);
    default:
      // Residents' cars: home at night, away at work on weekdays.
      return weekend ? 0.75 : clamp(0.85 - 0.5 * bump(h, 13, 3.5), 0, 1);
  }
}

export const parking: KindBehaviour = {
  kind: 'parking',
  profileId: 'demo-parking',
  intervalS: INTERVAL_S,
  profile: profileDocument({
    id: 'demo-parking',
    description: 'Demo city on-street parking spot sensor (LoRaWAN, magnetometer)',
    transport: 'lorawan',
    entityType: ENTITY_TYPES.parking,
    mapping: { status: { attribute: 'status' } },
    battery: true,
    intervalS: INTERVAL_S,
  }),
  initialState: (device, seed): SimState => ({
    occupied: chance(device, seed, 'occupied') < 0.6,
    battery: initialBattery(device),
  }),
  read(device, state, t) {
    if (chance(device, t, 'turnover') < TURNOVER)
      state.occupied = chance(device, t, 'arrive') < occupancyTarget(device.zone, t);
    if (dropsOut(device, t)) return undefined;
    const bat = drainBattery(state);
    if (bat === undefined) return undefined;
    return { status: state.occupied === true ? 'occupied' : 'free', bat, ts: epochSeconds(t) };
  },
};
