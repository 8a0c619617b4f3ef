import { describe, expect, it } from 'vitest';
import { BEHAVIOURS } from '../behaviour/index.js';
import { generateCity } from '../city/index.js';
import { historyOf, interleaved } from './backfill.js';

const city = generateCity(42, { devices: 'small' });

describe('historyOf', () => {
  it('gives a device’s readings over the hours before the end, at its interval, in order, with real times', () => {
    const device = city.devices.find((d) => d.kind === 'airQuality')!;
    const behaviour = BEHAVIOURS.airQuality;
    const end = Date.UTC(2026, 2, 3, 12);
    const readings = historyOf(device, behaviour.initialState(device, 42), behaviour, end, 2);
    const expected = (2 * 3600) / behaviour.intervalS;
    // A drop-out now and then (about 1 %): a few missing, never more than the interval allows.
    expect(readings.length).toBeLessThanOrEqual(expected);
    expect(readings.length).toBeGreaterThan(expected * 0.8);
    const times = readings.map((r) => r.ts as number);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeGreaterThanOrEqual((end - 2 * 3_600_000) / 1000);
    expect(times.at(-1)).toBeLessThan(end / 1000);
    for (let i = 1; i < times.length; i++) expect((times[i]! - times[i - 1]!) % behaviour.intervalS).toBe(0);
  });

  it('advances the device state through the history (a bin fills over the day)', () => {
    const bin = city.devices.find((d) => d.kind === 'wasteBin')!;
    const b = BEHAVIOURS.wasteBin;
    const state = b.initialState(bin, 42);
    const before = JSON.stringify(state);
    historyOf(bin, state, b, Date.UTC(2026, 2, 3, 12), 24);
    expect(JSON.stringify(state)).not.toBe(before);
  });
});

describe('interleaved', () => {
  it('takes one device of each kind in turn, keeping every device once', () => {
    const items = city.devices.map((device) => ({ device }));
    const out = interleaved(items);
    expect(out).toHaveLength(items.length);
    expect(new Set(out.map((i) => i.device.id)).size).toBe(items.length);
    const kinds = new Set(city.devices.map((d) => d.kind));
    expect(new Set(out.slice(0, kinds.size).map((i) => i.device.kind)).size).toBe(kinds.size);
  });
});
