import { describe, expect, it } from 'vitest';
import { generateCity } from '../city/generate.js';
import {
  activeIncidents,
  DEFAULT_CYCLE_S,
  incidentSchedule,
  incidentVariety,
  INCIDENT_KINDS,
  type Incident,
} from './incidents.js';

const city = generateCity(42, { devices: 'small' });
const schedule = incidentSchedule(city, 42);

describe('incidentSchedule', () => {
  it('schedules one of each kind within the first 120 virtual seconds, deterministically', () => {
    expect(schedule.map((i) => i.kind).sort()).toEqual([...INCIDENT_KINDS].sort());
    for (const i of schedule) {
      expect(i.startS).toBeGreaterThanOrEqual(0);
      expect(i.startS).toBeLessThan(120);
      expect(i.startS + i.durationS).toBeLessThanOrEqual(DEFAULT_CYCLE_S);
      expect(i.magnitude).toBeGreaterThanOrEqual(0);
      expect(i.magnitude).toBeLessThanOrEqual(1);
    }
    const pollution = schedule.find((i) => i.kind === 'pollution')!;
    expect(pollution.durationS).toBeGreaterThanOrEqual(3600);
    expect(pollution.durationS).toBeLessThanOrEqual(7200);
    expect(incidentSchedule(city, 42)).toEqual(schedule);
    expect(incidentSchedule(generateCity(42, { devices: 'small' }), 42)).toEqual(schedule);
    const others = [1, 2, 3, 4, 5].map((s) => JSON.stringify(incidentSchedule(city, s)));
    expect(new Set(others).size).toBeGreaterThan(1);
  });

  it('strikes where the city has the devices to show it', () => {
    const byId = new Map(city.devices.map((d) => [d.id, d]));
    const kindsIn = (districtId: string) =>
      new Set(city.devices.filter((d) => d.districtId === districtId).map((d) => d.kind));
    const find = (k: Incident['kind']) => schedule.find((i) => i.kind === k)!;
    expect(kindsIn(find('pollution').districtId!).has('airQuality')).toBe(true);
    expect(kindsIn(find('burstMain').districtId!).has('flowMeter')).toBe(true);
    expect(byId.get(find('brokenLamp').deviceId!)!.kind).toBe('streetlight');
    expect(byId.get(find('binOverflow').deviceId!)!.kind).toBe('wasteBin');
  });

  it('honours firstWithinS and cycleS', () => {
    const quick = incidentSchedule(city, 9, { firstWithinS: 10, cycleS: 1800 });
    for (const i of quick) {
      expect(i.startS).toBeLessThan(10);
      expect(i.startS + i.durationS).toBeLessThanOrEqual(1800);
    }
  });
});

describe('activeIncidents', () => {
  it('has every kind active at 120 s and none once the last has ended', () => {
    const now = activeIncidents(schedule, DEFAULT_CYCLE_S, 120);
    expect(now.map((i) => i.kind).sort()).toEqual([...INCIDENT_KINDS].sort());
    for (const i of now) {
      expect(i.cycleIndex).toBe(0);
      expect(i.sinceS).toBe(120 - i.startS);
    }
    const lastEnd = Math.max(...schedule.map((i) => i.startS + i.durationS));
    expect(activeIncidents(schedule, DEFAULT_CYCLE_S, lastEnd)).toEqual([]);
    expect(activeIncidents(schedule, DEFAULT_CYCLE_S, -1)).toEqual([]);
    // Before an incident's start it is not active.
    const late = schedule.reduce((a, b) => (b.startS > a.startS ? b : a));
    if (late.startS > 0)
      expect(
        activeIncidents(schedule, DEFAULT_CYCLE_S, late.startS - 1).some((i) => i.kind === late.kind),
      ).toBe(false);
  });

  it('repeats every cycle, moved to other places when given the variety', () => {
    const variety = incidentVariety(city);
    const again = activeIncidents(schedule, DEFAULT_CYCLE_S, DEFAULT_CYCLE_S + 120);
    expect(again.map((i) => i.kind).sort()).toEqual([...INCIDENT_KINDS].sort());
    expect(again.every((i) => i.cycleIndex === 1)).toBe(true);
    // Without variety a repetition replays the first; with it, places are drawn again from valid ones.
    expect(again.map(({ cycleIndex: _c, ...i }) => i.districtId)).toEqual(
      activeIncidents(schedule, DEFAULT_CYCLE_S, 120).map((i) => i.districtId),
    );
    const places = new Set<string>();
    for (let c = 1; c <= 12; c++) {
      for (const i of activeIncidents(schedule, DEFAULT_CYCLE_S, c * DEFAULT_CYCLE_S + 120, variety)) {
        if (i.deviceId !== undefined)
          expect(variety.devices[i.kind]!.some((d) => d.id === i.deviceId)).toBe(true);
        else expect(variety.districts[i.kind]).toContain(i.districtId);
        places.add(`${i.kind}:${i.deviceId ?? i.districtId}`);
      }
    }
    expect(places.size).toBeGreaterThan(4);
  });
});
