/**
 * The behaviours' patterns, incidents and commands, read the way the simulator reads them: one
 * device, its state, an instant and the shared environment.
 */
import { describe, expect, it } from 'vitest';
import { generateCity } from '../city/generate.js';
import type { DemoDevice, DeviceKind } from '../city/model.js';
import { localInstant } from './clock.js';
import type { ActiveIncident, IncidentKind } from './incidents.js';
import { BEHAVIOURS } from './index.js';
import type { Environment, SimState } from './types.js';

const city = generateCity(42);
const quiet: Environment = { incidents: [] };
const MIN = 60_000;
const HOUR = 60 * MIN;
/** Monday 10 March 2025, local midnight; Saturday is +5 days. */
const MONDAY = localInstant(2025, 3, 10);
const SATURDAY = MONDAY + 5 * 24 * HOUR;

const of = (kind: DeviceKind) => city.devices.filter((d) => d.kind === kind);

/** A device's payload at `t` from a fresh state, retrying the next minute when it drops out. */
function readAt(device: DemoDevice, t: number, env = quiet, state?: SimState): Record<string, unknown> {
  const b = BEHAVIOURS[device.kind];
  const s = state ?? b.initialState(device, 42);
  for (let k = 0; k < 5; k++) {
    const p = b.read(device, s, t + k * MIN, env);
    if (p !== undefined) return p;
  }
  throw new Error(`${device.id} dropped five reports in a row`);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const meanOf = (kind: DeviceKind, field: string, t: number, env = quiet) =>
  mean(of(kind).map((d) => readAt(d, t, env)[field] as number));

function incident(
  kind: IncidentKind,
  where: { districtId?: string; deviceId?: string },
  sinceS = 1800,
): ActiveIncident {
  return { kind, startS: 0, durationS: 7200, magnitude: 0.5, cycleIndex: 0, sinceS, ...where };
}

describe('determinism', () => {
  it('gives the same payload and state for the same (device, t, state, env), whatever else was read', () => {
    for (const device of city.devices.filter((_, i) => i % 7 === 0)) {
      const b = BEHAVIOURS[device.kind];
      const s1 = b.initialState(device, 42);
      const s2 = b.initialState(device, 42);
      expect(s1).toEqual(s2);
      for (let i = 0; i < 10; i++) {
        const t = MONDAY + i * 37 * MIN;
        // Reading another device in between must not change this one's noise.
        b.read(
          city.devices[0]!,
          BEHAVIOURS[city.devices[0]!.kind].initialState(city.devices[0]!, 1),
          t,
          quiet,
        );
        expect(b.read(device, s1, t, quiet)).toEqual(b.read(device, s2, t, quiet));
        expect(s1).toEqual(s2);
      }
    }
  });

  it('drops about 1 % of reports', () => {
    const device = of('airQuality')[0]!;
    let dropped = 0;
    for (let i = 0; i < 5000; i++)
      if (BEHAVIOURS.airQuality.read(device, {}, MONDAY + i * 5 * MIN, quiet) === undefined) dropped++;
    expect(dropped / 5000).toBeGreaterThan(0.003);
    expect(dropped / 5000).toBeLessThan(0.02);
  });

  it('drains LoRaWAN batteries slowly, report by report', () => {
    const device = of('wasteBin')[0]!;
    const state = BEHAVIOURS.wasteBin.initialState(device, 42);
    const first = readAt(device, MONDAY, quiet, state).bat as number;
    let last = first;
    for (let i = 1; i <= 100; i++)
      last = (BEHAVIOURS.wasteBin.read(device, state, MONDAY + i * 15 * MIN, quiet)?.bat as number) ?? last;
    expect(last).toBeLessThan(first);
    expect(first - last).toBeLessThan(2);
  });
});

describe('daily and weekly patterns', () => {
  it('traffic, NO2 and noise peak at the weekday rush hour and are low at night', () => {
    const rush = MONDAY + 8 * HOUR;
    const night = MONDAY + 3 * HOUR;
    expect(meanOf('trafficCounter', 'intensity', rush)).toBeGreaterThan(
      4 * meanOf('trafficCounter', 'intensity', night),
    );
    expect(meanOf('trafficCounter', 'intensity', MONDAY + 18 * HOUR)).toBeGreaterThan(
      2 * meanOf('trafficCounter', 'intensity', SATURDAY + 18 * HOUR),
    );
    expect(meanOf('airQuality', 'no2', rush)).toBeGreaterThan(meanOf('airQuality', 'no2', night) + 20);
    expect(meanOf('noise', 'LAeq', rush)).toBeGreaterThan(meanOf('noise', 'LAeq', night) + 15);
    // PM2.5 stays in a clean city's range without an episode.
    expect(meanOf('airQuality', 'pm25', rush)).toBeLessThan(35);
  });

  it('lights are dimmed at 3 am, off at noon and full in the evening', () => {
    for (const d of of('streetlight').slice(0, 20)) {
      const at3 = readAt(d, MONDAY + 3 * HOUR);
      expect(at3.illuminanceLevel as number).toBeGreaterThanOrEqual(0.3);
      expect(at3.illuminanceLevel as number).toBeLessThanOrEqual(0.5);
      expect(at3.powerState).toBe('low');
      expect(readAt(d, MONDAY + 12 * HOUR)).toMatchObject({
        powerState: 'off',
        illuminanceLevel: 0,
        powerConsumption: 0,
      });
      expect(readAt(d, MONDAY + 21 * HOUR)).toMatchObject({
        powerState: 'on',
        illuminanceLevel: 1,
        status: 'ok',
      });
    }
  });

  it('parking: the centre is fuller on weekdays, the leisure district at weekends', () => {
    const occupancy = (zone: string, day: number) => {
      const spots = of('parking').filter((d) => d.zone === zone);
      let taken = 0;
      let n = 0;
      for (const d of spots) {
        const state = BEHAVIOURS.parking.initialState(d, 42);
        // Run the morning so occupancy settles, then sample the afternoon.
        for (let t = day + 8 * HOUR; t < day + 17 * HOUR; t += 2 * MIN) {
          const p = BEHAVIOURS.parking.read(d, state, t, quiet);
          if (p !== undefined && t >= day + 12 * HOUR) {
            n++;
            if (p.status === 'occupied') taken++;
          }
        }
      }
      return taken / n;
    };
    expect(occupancy('centre', MONDAY)).toBeGreaterThan(occupancy('centre', SATURDAY) + 0.2);
    expect(occupancy('leisure', SATURDAY)).toBeGreaterThan(occupancy('leisure', MONDAY) + 0.2);
  });

  it('water meters count up, faster in the morning peak than at night', () => {
    const d = of('waterMeter').find((m) => m.bias < 0.9)!;
    const state = BEHAVIOURS.waterMeter.initialState(d, 42);
    const volumes: number[] = [];
    for (let t = MONDAY; t <= MONDAY + 24 * HOUR; t += 15 * MIN) {
      const p = BEHAVIOURS.waterMeter.read(d, state, t, quiet);
      if (p !== undefined) volumes.push(p.waterConsumption as number);
    }
    for (let i = 1; i < volumes.length; i++) expect(volumes[i]!).toBeGreaterThanOrEqual(volumes[i - 1]!);
    const use = (from: number) => {
      const s = BEHAVIOURS.waterMeter.initialState(d, 42);
      BEHAVIOURS.waterMeter.read(d, s, from, quiet);
      const v0 = s.volume as number;
      BEHAVIOURS.waterMeter.read(d, s, from + HOUR, quiet);
      return (s.volume as number) - v0;
    };
    expect(use(MONDAY + 7 * HOUR)).toBeGreaterThan(5 * use(MONDAY + 3 * HOUR));
  });

  it('bins fill through the week and are emptied on collection days', () => {
    const d = of('wasteBin').find((b) => b.zone === 'centre')!;
    const state = BEHAVIOURS.wasteBin.initialState(d, 42);
    const fills: Array<[number, number]> = [];
    for (let t = MONDAY + 12 * HOUR; t < MONDAY + 7 * 24 * HOUR; t += 15 * MIN) {
      const p = BEHAVIOURS.wasteBin.read(d, state, t, quiet);
      if (p !== undefined) fills.push([t, p.fillingLevel as number]);
    }
    // Monday noon → Wednesday 05:00: only filling (between 3 and 15 % a day).
    const before = fills.filter(([t]) => t < MONDAY + 2 * 24 * HOUR + 5 * HOUR);
    expect(before.at(-1)![1]).toBeGreaterThan(before[0]![1] + 0.1);
    // Wednesday (a centre collection day) after 08:00: nearly empty.
    const after = fills.find(([t]) => t >= MONDAY + 2 * 24 * HOUR + 8 * HOUR)!;
    expect(after[1]).toBeLessThan(0.05);
  });

  it('district flow has a night minimum well below its daytime peaks', () => {
    expect(meanOf('flowMeter', 'flow', MONDAY + 8 * HOUR)).toBeGreaterThan(
      2.5 * meanOf('flowMeter', 'flow', MONDAY + 3.5 * HOUR),
    );
  });

  it('HVAC holds the setpoint in occupied hours and switches off at night', () => {
    const d = of('hvac')[0]!;
    const state = BEHAVIOURS.hvac.initialState(d, 42);
    let last: Record<string, unknown> | undefined;
    for (let t = MONDAY + 6 * HOUR; t <= MONDAY + 11 * HOUR; t += 10 * MIN)
      last = BEHAVIOURS.hvac.read(d, state, t, quiet) ?? last;
    expect(Math.abs((last!.temperature as number) - (state.setpoint as number))).toBeLessThan(0.5);
    expect(readAt(d, MONDAY + 23 * HOUR).hvacMode).toBe('off');
  });

  it('weather: warmer in the afternoon than before dawn, plausible values', () => {
    const w = of('weather')[0]!;
    const afternoon = readAt(w, MONDAY + 15 * HOUR);
    const dawn = readAt(w, MONDAY + 5 * HOUR);
    expect(afternoon.temperature as number).toBeGreaterThan(dawn.temperature as number);
    expect(afternoon.relativeHumidity as number).toBeLessThanOrEqual(1);
    expect(afternoon.windDirection as number).toBeGreaterThanOrEqual(0);
    expect(afternoon.windDirection as number).toBeLessThan(360);
  });
});

describe('incidents', () => {
  it('a pollution episode lifts PM2.5 to 50–80 µg/m³ in its district only', () => {
    const hit = of('airQuality')[0]!;
    const env = { incidents: [incident('pollution', { districtId: hit.districtId })] };
    const t = MONDAY + 14 * HOUR;
    for (const d of of('airQuality')) {
      const pm25 = readAt(d, t, env).pm25 as number;
      if (d.districtId === hit.districtId) {
        expect(pm25).toBeGreaterThanOrEqual(50);
        expect(pm25).toBeLessThanOrEqual(80);
      } else expect(pm25).toBeLessThan(35);
    }
  });

  it('a burst main raises its district night flow by 40–60 %', () => {
    const d = of('flowMeter')[0]!;
    const t = MONDAY + 3.5 * HOUR;
    const normal = readAt(d, t).flow as number;
    const burst = readAt(d, t, { incidents: [incident('burstMain', { districtId: d.districtId })] })
      .flow as number;
    expect(burst / normal).toBeGreaterThan(1.4);
    expect(burst / normal).toBeLessThan(1.6);
    const other = of('flowMeter')[1]!;
    expect(readAt(other, t, { incidents: [incident('burstMain', { districtId: d.districtId })] }).flow).toBe(
      readAt(other, t).flow,
    );
  });

  it('a broken lamp reports a defective lamp and no light at night', () => {
    const d = of('streetlight')[3]!;
    const p = readAt(d, MONDAY + 22 * HOUR, { incidents: [incident('brokenLamp', { deviceId: d.id })] });
    expect(p).toMatchObject({ status: 'defectiveLamp', powerState: 'off', illuminanceLevel: 0 });
  });

  it('a bin overflow tips the bin over 95 % and it stays full after the incident', () => {
    const d = of('wasteBin')[0]!;
    const state = BEHAVIOURS.wasteBin.initialState(d, 42);
    readAt(d, MONDAY + 12 * HOUR, quiet, state);
    const p = readAt(
      d,
      MONDAY + 12 * HOUR + 15 * MIN,
      { incidents: [incident('binOverflow', { deviceId: d.id })] },
      state,
    );
    expect(p.fillingLevel as number).toBeGreaterThanOrEqual(0.95);
    expect(readAt(d, MONDAY + 14 * HOUR, quiet, state).fillingLevel as number).toBeGreaterThanOrEqual(0.95);
  });
});

describe('actuator commands change later reads', () => {
  it('dim overrides the schedule until the next phase change', () => {
    const d = of('streetlight')[0]!;
    const b = BEHAVIOURS.streetlight;
    const state = b.initialState(d, 42);
    readAt(d, MONDAY + 21 * HOUR, quiet, state);
    expect(b.command!(d, state, 'dim', 70)).toEqual({ ok: true, result: { dim: 70 } });
    expect(readAt(d, MONDAY + 21 * HOUR + 10 * MIN, quiet, state)).toMatchObject({
      illuminanceLevel: 0.7,
      powerState: 'low',
    });
    // After midnight the night phase's own level applies again.
    const night = readAt(d, MONDAY + 24 * HOUR + 2 * HOUR, quiet, state).illuminanceLevel as number;
    expect(night).toBeGreaterThanOrEqual(0.3);
    expect(night).toBeLessThanOrEqual(0.5);
    expect(b.command!(d, state, 'dim', 140).ok).toBe(false);
    expect(b.command!(d, state, 'blink', 1).ok).toBe(false);
  });

  it('a setpoint command moves the reported setpoint and, in occupied hours, the temperature', () => {
    const d = of('hvac')[0]!;
    const b = BEHAVIOURS.hvac;
    const state = b.initialState(d, 42);
    readAt(d, MONDAY + 9 * HOUR, quiet, state);
    expect(b.command!(d, state, 'setpoint', 26).ok).toBe(true);
    let p: Record<string, unknown> | undefined;
    for (let t = MONDAY + 9 * HOUR + 10 * MIN; t <= MONDAY + 11 * HOUR; t += 10 * MIN)
      p = b.read(d, state, t, quiet) ?? p;
    expect(p!.setpoint).toBe(26);
    expect(p!.temperature as number).toBeGreaterThan(25.5);
    expect(b.command!(d, state, 'setpoint', 35).ok).toBe(false);
  });

  it('a plan command changes the plan the controller reports', () => {
    const d = of('trafficSignal')[0]!;
    const b = BEHAVIOURS.trafficSignal;
    const state = b.initialState(d, 42);
    expect(readAt(d, MONDAY, quiet, state)).toMatchObject({
      planId: 'default',
      cycleTime: 90,
      phaseCount: 4,
    });
    const plan = {
      cycle: 60,
      phases: [
        { green: ['N', 'S'], duration: 26 },
        { green: [], duration: 4 },
        { green: ['E', 'W'], duration: 26 },
        { green: [], duration: 4 },
      ],
    };
    expect(b.command!(d, state, 'plan', plan).ok).toBe(true);
    expect(readAt(d, MONDAY + 5 * MIN, quiet, state)).toMatchObject({
      planId: 'custom-1',
      cycleTime: 60,
      phaseCount: 4,
    });
  });
});
