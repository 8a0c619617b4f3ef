/**
 * Waste-bin fill sensors (WasteContainer, LoRaWAN ultrasonic). A bin fills at 3–15 % a day by where
 * it stands (the centre fastest, the leisure district mostly at weekends), and is emptied on its
 * district's collection days in the early morning. A bin-overflow incident tips it to at least 95 %;
 * it stays full until the next collection, as a real overflowing bin does. State: `fill` (0 … 1),
 * `lastT`, `lastEmptied` (local day number), `battery`.
 */
import { ENTITY_TYPES } from '../city/devices.js';
import type { DemoDevice } from '../city/model.js';
import { hashUnit } from '../city/random.js';
import { dayNumber, isWeekend, localHour, weekday } from './clock.js';
import {
  clamp,
  drainBattery,
  dropsOut,
  epochSeconds,
  fixed,
  initialBattery,
  noise,
  profileDocument,
} from './common.js';
import { outdoorTemperature } from './patterns.js';
import type { KindBehaviour, SimState } from './types.js';

const INTERVAL_S = 900;

/** Fill per day, 0 … 1, at `t`: 3–15 % by zone and bin. */
export function fillRatePerDay(device: DemoDevice, t: number): number {
  switch (device.zone) {
    case 'centre':
      return 0.1 + 0.05 * device.bias;
    case 'leisure':
      return isWeekend(t) ? 0.09 + 0.04 * device.bias : 0.03 + 0.02 * device.bias;
    default:
      return 0.05 + 0.05 * device.bias;
  }
}

/** The weekdays (0 = Sunday) the district's bins are collected: the centre Mon/Wed/Fri, others two days. */
export function collectionDays(device: DemoDevice): number[] {
  if (device.zone === 'centre') return [1, 3, 5];
  const first = 1 + Math.floor(hashUnit(device.districtId, 'collection') * 3); // Mon, Tue or Wed
  return [first, first + 3];
}

/** The hour the truck passes this bin on a collection day (06:00–08:00). */
function collectionHour(device: DemoDevice): number {
  return 6 + 2 * device.bias;
}

export const wasteBin: KindBehaviour = {
  kind: 'wasteBin',
  profileId: 'demo-waste-bin',
  intervalS: INTERVAL_S,
  profile: profileDocument({
    id: 'demo-waste-bin',
    description: 'Demo city waste container with an ultrasonic fill-level sensor (LoRaWAN)',
    transport: 'lorawan',
    entityType: ENTITY_TYPES.wasteBin,
    mapping: {
      fillingLevel: { attribute: 'fillingLevel', unitCode: 'C62' },
      temperature: { attribute: 'temperature', unitCode: 'CEL' },
    },
    battery: true,
    intervalS: INTERVAL_S,
  }),
  initialState: (device, seed): SimState => ({
    fill: fixed(0.05 + 0.5 * hashUnit(device.id, seed, 'fill'), 3),
    lastT: -1,
    lastEmptied: -1,
    battery: initialBattery(device),
  }),
  read(device, state, t, env) {
    const last = typeof state.lastT === 'number' && state.lastT >= 0 ? state.lastT : t - INTERVAL_S * 1000;
    const dtS = Math.min(Math.max(0, (t - last) / 1000), 86_400);
    let fill = typeof state.fill === 'number' ? state.fill : 0;
    fill += (fillRatePerDay(device, t) * dtS) / 86_400;
    const day = dayNumber(t);
    if (
      collectionDays(device).includes(weekday(t)) &&
      localHour(t) >= collectionHour(device) &&
      state.lastEmptied !== day
    ) {
      fill = 0.01 + 0.02 * hashUnit(device.id, day, 'residue');
      state.lastEmptied = day;
    }
    const overflow = env.incidents.find((i) => i.kind === 'binOverflow' && i.deviceId === device.id);
    if (overflow !== undefined) fill = Math.max(fill, 0.95 + 0.05 * (overflow.magnitude ?? 0.5));
    state.fill = fixed(clamp(fill, 0, 1), 4);
    state.lastT = t;
    if (dropsOut(device, t)) return undefined;
    const bat = drainBattery(state);
    if (bat === undefined) return undefined;
    // The ultrasonic reading wobbles a little, but a full bin never reads less than full enough to alert.
    const reading =
      overflow !== undefined ? state.fill : clamp(state.fill + noise(device, t, 'fill', 0.005), 0, 1);
    return {
      fillingLevel: fixed(reading, 3),
      temperature: fixed(outdoorTemperature(t) + 1 + noise(device, t, 'temp', 0.4), 1),
      bat,
      ts: epochSeconds(t),
    };
  },
};
