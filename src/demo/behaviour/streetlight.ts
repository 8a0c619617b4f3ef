/**
 * Street lights (Streetlight, MQTT, dimmable). A photocell-and-timer schedule in four phases: off by
 * day, on at full power from dusk (about 18:30), dimmed to 30–50 % from midnight to 05:00, full again
 * until dawn (about 07:00). A `dim` command (0–100 %) overrides the schedule until the next phase
 * change, as a central management system's manual override does. A broken lamp (incident) keeps
 * reporting — the lamp's controller is fine — with status 'defectiveLamp', powerState 'off' and no
 * light, so the fault shows as data rather than only as silence.
 */
import { ENTITY_TYPES } from '../city/devices.js';
import type { DemoDevice } from '../city/model.js';
import { localHour } from './clock.js';
import { dropsOut, epochSeconds, fixed, noise, profileDocument } from './common.js';
import type { CommandOutcome, KindBehaviour, SimState } from './types.js';

const INTERVAL_S = 600;

export type LightPhase = 'day' | 'evening' | 'night' | 'morning';

/** The schedule's phase at `t`; dusk and dawn differ a little per lamp, as photocells do. */
export function lightPhase(device: DemoDevice, t: number): LightPhase {
  const h = localHour(t);
  const dusk = 18.5 + 0.5 * (device.bias - 0.5);
  const dawn = 7 + 0.3 * (device.bias - 0.5);
  if (h < 5) return 'night';
  if (h < dawn) return 'morning';
  if (h < dusk) return 'day';
  return 'evening';
}

/** The scheduled level of a phase, percent. */
export function scheduledLevel(device: DemoDevice, phase: LightPhase): number {
  if (phase === 'day') return 0;
  if (phase === 'night') return Math.round(30 + 20 * device.bias);
  return 100;
}

function dim(_device: DemoDevice, state: SimState, name: string, value: unknown): CommandOutcome {
  if (name !== 'dim') return { ok: false, error: `a streetlight has no command ${name}` };
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100)
    return { ok: false, error: 'dim takes an integer percentage from 0 to 100' };
  state.override = value;
  // Before its first report the lamp does not know its phase yet: the next report adopts it.
  state.overridePhase = typeof state.phase === 'string' && state.phase !== '' ? state.phase : '*';
  return { ok: true, result: { dim: value } };
}

export const streetlight: KindBehaviour = {
  kind: 'streetlight',
  profileId: 'demo-streetlight',
  intervalS: INTERVAL_S,
  profile: profileDocument({
    id: 'demo-streetlight',
    description: 'Demo city dimmable LED street light with a lamp controller',
    transport: 'mqtt',
    entityType: ENTITY_TYPES.streetlight,
    mapping: {
      powerState: { attribute: 'powerState' },
      illuminanceLevel: { attribute: 'illuminanceLevel', unitCode: 'C62' },
      powerConsumption: { attribute: 'powerConsumption', unitCode: 'WHR' },
      status: { attribute: 'status' },
    },
    intervalS: INTERVAL_S,
    commands: { dim: { type: 'integer', min: 0, max: 100 } },
  }),
  initialState: (device): SimState => ({
    phase: '',
    override: -1,
    overridePhase: '',
    // LED lanterns of 40–120 W.
    powerRating: Math.round(40 + 80 * device.bias),
  }),
  read(device, state, t, env) {
    const phase = lightPhase(device, t);
    if (state.overridePhase === '*') state.overridePhase = phase;
    if (typeof state.override === 'number' && state.override >= 0 && state.overridePhase !== phase) {
      state.override = -1;
      state.overridePhase = '';
    }
    state.phase = phase;
    if (dropsOut(device, t)) return undefined;
    const broken = env.incidents.some((i) => i.kind === 'brokenLamp' && i.deviceId === device.id);
    const override = typeof state.override === 'number' && state.override >= 0 ? state.override : undefined;
    const level = broken ? 0 : (override ?? scheduledLevel(device, phase));
    const rating = typeof state.powerRating === 'number' ? state.powerRating : 80;
    const wh =
      level === 0 ? 0 : Math.max(0, (rating * level * INTERVAL_S) / 100 / 3600 + noise(device, t, 'wh', 0.2));
    return {
      powerState: level === 0 ? 'off' : level < 100 ? 'low' : 'on',
      illuminanceLevel: fixed(level / 100, 2),
      powerConsumption: fixed(wh, 2),
      status: broken ? 'defectiveLamp' : 'ok',
      ts: epochSeconds(t),
    };
  },
  command: dim,
};
