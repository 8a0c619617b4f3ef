/**
 * The demo devices' behaviours, one per kind (issue #7): what the simulator (src/demo/sim) provisions
 * and runs. See types.ts for the contract and incidents.ts for the scripted incidents.
 */
import type { DeviceKind } from '../city/model.js';
import { airQuality } from './air-quality.js';
import { flowMeter } from './flow-meter.js';
import { hvac } from './hvac.js';
import { noiseLevel } from './noise-level.js';
import { parking } from './parking.js';
import { streetlight } from './streetlight.js';
import { trafficCounter } from './traffic-counter.js';
import { trafficSignal } from './traffic-signal.js';
import type { KindBehaviour } from './types.js';
import { wasteBin } from './waste-bin.js';
import { waterMeter } from './water-meter.js';
import { weather } from './weather.js';

export type { CommandOutcome, Environment, KindBehaviour, SimState } from './types.js';
export * from './incidents.js';
export { DEFAULT_SIGNAL_PLAN, SIGNAL_PLAN_RULE } from './traffic-signal.js';
export { CITY_UTC_OFFSET_H, localInstant } from './clock.js';

/** Every kind's behaviour. Frozen: behaviours are shared, stateless values (state lives in SimState). */
export const BEHAVIOURS: Readonly<Record<DeviceKind, KindBehaviour>> = Object.freeze({
  airQuality,
  noise: noiseLevel,
  parking,
  streetlight,
  waterMeter,
  flowMeter,
  wasteBin,
  trafficCounter,
  trafficSignal,
  hvac,
  weather,
});
