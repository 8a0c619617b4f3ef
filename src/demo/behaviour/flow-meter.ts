/**
 * District metered areas' inflow meters (WaterObserved `flow`, L/s; one per district). The inflow is
 * the district's demand curve — a night minimum around 03:00–04:00 (background leakage and a few
 * night users), a morning peak at 08:00 and an evening one at 20:00 — around a per-district base.
 * A burst main in the district raises the flow by 40–60 % at once and keeps it there while it
 * lasts; the night minimum flow is where a water utility sees it first.
 */
import { ENTITY_TYPES } from '../city/devices.js';
import { localHour } from './clock.js';
import { bump, clamp, dropsOut, epochSeconds, fixed, noise, profileDocument } from './common.js';
import type { KindBehaviour, SimState } from './types.js';

const INTERVAL_S = 300;

/** The demand curve's multiplier at hour `h`: 0.4 at night, about 1.5 at the morning peak. */
export function demandCurve(h: number): number {
  const day = 1 / (1 + Math.exp(-(h - 6.5) * 2)) / (1 + Math.exp(-(23 - h) * 1.5));
  return 0.4 + 0.35 * day + 0.75 * bump(h, 8, 1.2) + 0.5 * bump(h, 20, 1.6);
}

export const flowMeter: KindBehaviour = {
  kind: 'flowMeter',
  profileId: 'demo-flow-meter',
  intervalS: INTERVAL_S,
  profile: profileDocument({
    id: 'demo-flow-meter',
    description: 'Demo city district inflow meter (district metered area)',
    transport: 'mqtt',
    entityType: ENTITY_TYPES.flowMeter,
    mapping: { flow: { attribute: 'flow', unitCode: 'G51' } },
    intervalS: INTERVAL_S,
  }),
  initialState: (): SimState => ({}),
  read(device, _state, t, env) {
    if (dropsOut(device, t)) return undefined;
    const base = 40 + 60 * device.bias;
    let flow = base * demandCurve(localHour(t)) * (1 + noise(device, t, 'flow', 0.03));
    const burst = env.incidents.find((i) => i.kind === 'burstMain' && i.districtId === device.districtId);
    if (burst !== undefined) flow *= 1.4 + 0.2 * (burst.magnitude ?? 0.5);
    return { flow: fixed(clamp(flow, 0, 10_000), 2), ts: epochSeconds(t) };
  },
};
