/**
 * HVAC in public buildings (IndoorEnvironmentObserved, setpoint actuator). In occupied hours
 * (weekdays 08:00–19:00) the plant drives the indoor temperature towards the setpoint (a first-order
 * approach, about 20 minutes' time constant); out of hours it is off and the building drifts slowly
 * towards a mix of the outdoor temperature and its thermal mass. CO2 rises with occupants. A
 * `setpoint` command (16–28 °C) changes the target; the next report shows it and the temperature
 * follows. State: `temperature`, `setpoint`, `lastT`. `setpoint` is not an SDM attribute of
 * IndoorEnvironmentObserved (the type is not governed, so ingest keeps it).
 */
import { ENTITY_TYPES } from '../city/devices.js';
import type { DemoDevice } from '../city/model.js';
import { isWeekend, localHour } from './clock.js';
import { bump, clamp, dropsOut, epochSeconds, fixed, noise, profileDocument } from './common.js';
import { outdoorHumidity, outdoorTemperature } from './patterns.js';
import type { CommandOutcome, KindBehaviour, SimState } from './types.js';

const INTERVAL_S = 600;
const TAU_ON_S = 1200;
const TAU_OFF_S = 4 * 3600;

/** Whether the building is in use (and its HVAC running) at `t`. */
export function occupied(t: number): boolean {
  const h = localHour(t);
  return !isWeekend(t) && h >= 8 && h < 19;
}

function setpoint(_device: DemoDevice, state: SimState, name: string, value: unknown): CommandOutcome {
  if (name !== 'setpoint') return { ok: false, error: `an HVAC unit has no command ${name}` };
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 16 || value > 28)
    return { ok: false, error: 'setpoint takes a temperature from 16 to 28 °C' };
  state.setpoint = value;
  return { ok: true, result: { setpoint: value } };
}

export const hvac: KindBehaviour = {
  kind: 'hvac',
  profileId: 'demo-hvac',
  intervalS: INTERVAL_S,
  profile: profileDocument({
    id: 'demo-hvac',
    description: 'Demo city building HVAC controller with an indoor climate sensor',
    transport: 'mqtt',
    entityType: ENTITY_TYPES.hvac,
    mapping: {
      temperature: { attribute: 'temperature', unitCode: 'CEL' },
      relativeHumidity: { attribute: 'relativeHumidity', unitCode: 'C62' },
      co2: { attribute: 'co2', unitCode: '59' },
      setpoint: { attribute: 'setpoint', unitCode: 'CEL' },
      hvacMode: { attribute: 'hvacMode' },
    },
    intervalS: INTERVAL_S,
    commands: { setpoint: { type: 'number', min: 16, max: 28, unitCode: 'CEL' } },
  }),
  initialState: (device): SimState => ({
    temperature: fixed(18 + 2 * device.bias, 2),
    setpoint: 20 + Math.round(4 * device.bias) / 2,
    lastT: -1,
  }),
  read(device, state, t) {
    const last = typeof state.lastT === 'number' && state.lastT >= 0 ? state.lastT : t - INTERVAL_S * 1000;
    const dtS = Math.min(Math.max(0, (t - last) / 1000), 86_400);
    const sp = typeof state.setpoint === 'number' ? state.setpoint : 21;
    let temp = typeof state.temperature === 'number' ? state.temperature : sp;
    const on = occupied(t);
    const target = on ? sp : (outdoorTemperature(t) + 2 * 17) / 3;
    temp += (target - temp) * (1 - Math.exp(-dtS / (on ? TAU_ON_S : TAU_OFF_S)));
    state.temperature = fixed(temp, 3);
    state.lastT = t;
    if (dropsOut(device, t)) return undefined;
    const mode = !on ? 'off' : sp > temp + 0.3 ? 'heating' : temp > sp + 0.3 ? 'cooling' : 'idle';
    const people = on ? bump(localHour(t), 11, 2.5) + 0.6 * bump(localHour(t), 15.5, 2) : 0;
    return {
      temperature: fixed(temp + noise(device, t, 'temp', 0.1), 1),
      relativeHumidity: fixed(
        clamp(0.3 + 0.3 * outdoorHumidity(t) + noise(device, t, 'rh', 0.01), 0.1, 0.9),
        2,
      ),
      co2: Math.round(420 + 700 * people * (0.7 + 0.6 * device.bias) + noise(device, t, 'co2', 15)),
      setpoint: sp,
      hvacMode: mode,
      ts: epochSeconds(t),
    };
  },
  command: setpoint,
};
