/**
 * Household water meters (WaterConsumptionObserved, LoRaWAN). The meter's index is cumulative, in
 * m³, like the register a utility reads (the brief's choice; SDM's waterConsumption is read here as
 * that index). Use follows the household day: a morning peak (later at weekends), a lunch bump and
 * an evening peak; a few homes (bias > 0.94) have a dripping leak, so their night minimum flow never
 * reaches zero — what leak detection looks for. State: `volume` (m³), `lastT`, `battery`.
 */
import { ENTITY_TYPES } from '../city/devices.js';
import type { DemoDevice } from '../city/model.js';
import { isWeekend, localHour } from './clock.js';
import {
  bump,
  drainBattery,
  dropsOut,
  epochSeconds,
  fixed,
  initialBattery,
  noise,
  profileDocument,
} from './common.js';
import type { KindBehaviour, SimState } from './types.js';

const INTERVAL_S = 900;
/** A dripping tap or a running toilet, litres per hour. */
const LEAK_L_PER_H = 6;

/** Whether this home has a leak (a fixed trait of the device). */
export function leaks(device: DemoDevice): boolean {
  return device.bias > 0.94;
}

/** The household's use at `t`, litres per hour, without the leak. */
export function householdUse(device: DemoDevice, t: number): number {
  const h = localHour(t);
  const morning = isWeekend(t) ? 9.5 : 7.5;
  const rate = 2 + 45 * bump(h, morning, 1) + 12 * bump(h, 13, 1.5) + 35 * bump(h, 20, 1.5);
  return rate * (0.6 + 0.8 * device.bias);
}

export const waterMeter: KindBehaviour = {
  kind: 'waterMeter',
  profileId: 'demo-water-meter',
  intervalS: INTERVAL_S,
  profile: profileDocument({
    id: 'demo-water-meter',
    description: 'Demo city household water meter (LoRaWAN, cumulative index)',
    transport: 'lorawan',
    entityType: ENTITY_TYPES.waterMeter,
    mapping: {
      waterConsumption: { attribute: 'waterConsumption', unitCode: 'MTQ' },
      maxFlow: { attribute: 'maxFlow', unitCode: 'E32' },
      minFlow: { attribute: 'minFlow', unitCode: 'E32' },
    },
    battery: true,
    intervalS: INTERVAL_S,
  }),
  initialState: (device): SimState => ({
    volume: fixed(100 + 900 * device.bias, 3),
    lastT: -1,
    battery: initialBattery(device),
  }),
  read(device, state, t) {
    const last = typeof state.lastT === 'number' && state.lastT >= 0 ? state.lastT : t - INTERVAL_S * 1000;
    // A long gap (the simulator was stopped) counts at most a day, so a restart does not jump the index.
    const dtS = Math.min(Math.max(0, (t - last) / 1000), 86_400);
    const use = Math.max(0, householdUse(device, t) * (1 + noise(device, t, 'use', 0.15)));
    const leak = leaks(device) ? LEAK_L_PER_H : 0;
    const litres = ((use + leak) * dtS) / 3600;
    state.volume = fixed((typeof state.volume === 'number' ? state.volume : 0) + litres / 1000, 4);
    state.lastT = t;
    if (dropsOut(device, t)) return undefined;
    const bat = drainBattery(state);
    if (bat === undefined) return undefined;
    const h = localHour(t);
    // Within 15 minutes a home's flow goes from nothing (or the leak) to a tap's or shower's peak.
    const quiet = h < 6 || h >= 23.5;
    return {
      waterConsumption: fixed(state.volume, 3),
      maxFlow: fixed(use * 2.5 + leak, 1),
      minFlow: fixed(quiet ? leak : leak + use * 0.1, 1),
      bat,
      ts: epochSeconds(t),
    };
  },
};
