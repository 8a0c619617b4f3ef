/**
 * Sound-level meters on the arterials (NoiseLevelObserved): LAeq rises with traffic from about
 * 42 dB(A) at night to about 70 dB(A) at the weekday rush hours; LAmax peaks above it (a bus, a
 * horn), LAS is the instantaneous level.
 */
import { ENTITY_TYPES } from '../city/devices.js';
import { clamp, dropsOut, epochSeconds, fixed, noise, profileDocument } from './common.js';
import { trafficLevel } from './patterns.js';
import type { KindBehaviour, SimState } from './types.js';

const INTERVAL_S = 300;

export const noiseLevel: KindBehaviour = {
  kind: 'noise',
  profileId: 'demo-noise',
  intervalS: INTERVAL_S,
  profile: profileDocument({
    id: 'demo-noise',
    description: 'Demo city sound-level meter (LAeq, LAmax, LAS over 5 minutes)',
    transport: 'mqtt',
    entityType: ENTITY_TYPES.noise,
    mapping: {
      LAeq: { attribute: 'LAeq', unitCode: '2N' },
      LAmax: { attribute: 'LAmax', unitCode: '2N' },
      LAS: { attribute: 'LAS', unitCode: '2N' },
    },
    intervalS: INTERVAL_S,
  }),
  initialState: (): SimState => ({}),
  read(device, _state, t) {
    if (dropsOut(device, t)) return undefined;
    const laeq = clamp(40 + 4 * device.bias + 27 * trafficLevel(t) + noise(device, t, 'laeq', 1.2), 30, 110);
    return {
      LAeq: fixed(laeq, 1),
      LAmax: fixed(laeq + 8 + Math.abs(noise(device, t, 'lamax', 4)), 1),
      LAS: fixed(laeq + noise(device, t, 'las', 3), 1),
      ts: epochSeconds(t),
    };
  },
};
