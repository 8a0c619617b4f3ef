/**
 * Folding a batch's device-state updates: the state left by the folded updates equals the state left
 * by every update applied in order (checked against a model of device_state's upsert, fast-check),
 * one update per device, and the input is not changed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldSeenUpdates, type SeenUpdate } from './seen-updates.js';

type State = Omit<SeenUpdate, 'tenant' | 'deviceId'>;

/** What device_state holds after these updates: the upsert keeps a measure an update does not give. */
function applyAll(updates: readonly SeenUpdate[]): Map<string, State> {
  const states = new Map<string, State>();
  for (const { tenant, deviceId, ...u } of updates) {
    const key = `${tenant}/${deviceId}`;
    const was: Partial<State> = states.get(key) ?? {};
    const state: State = { at: u.at, offlineAt: u.offlineAt };
    const battery = u.battery ?? was.battery;
    const rssi = u.rssi ?? was.rssi;
    const snr = u.snr ?? was.snr;
    if (battery !== undefined) state.battery = battery;
    if (rssi !== undefined) state.rssi = rssi;
    if (snr !== undefined) state.snr = snr;
    states.set(key, state);
  }
  return states;
}

const update: fc.Arbitrary<SeenUpdate> = fc.record(
  {
    tenant: fc.constantFrom('', 'city'),
    deviceId: fc.constantFrom('a', 'b', 'c'),
    at: fc.integer({ min: 0, max: 1e6 }).map((s) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString()),
    offlineAt: fc
      .integer({ min: 0, max: 1e6 })
      .map((s) => new Date(Date.UTC(2026, 0, 2) + s * 1000).toISOString()),
    battery: fc.integer({ min: 0, max: 100 }),
    rssi: fc.integer({ min: -140, max: 0 }),
    snr: fc.double({ min: -20, max: 20, noNaN: true }),
  },
  { requiredKeys: ['tenant', 'deviceId', 'at', 'offlineAt'] },
);

describe('foldSeenUpdates', () => {
  it('leaves the state that every update applied in order leaves, one update per device', () => {
    fc.assert(
      fc.property(fc.array(update, { maxLength: 40 }), (updates) => {
        const copy = structuredClone(updates);
        const folded = foldSeenUpdates(updates);
        expect(applyAll(folded)).toEqual(applyAll(updates));
        const keys = folded.map((u) => `${u.tenant}/${u.deviceId}`);
        expect(new Set(keys).size).toBe(keys.length);
        expect(keys).toEqual([...new Set(updates.map((u) => `${u.tenant}/${u.deviceId}`))]);
        expect(updates).toEqual(copy);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the last value given of each measure, and the last instants', () => {
    const [folded] = foldSeenUpdates([
      { tenant: '', deviceId: 'a', at: 't1', offlineAt: 'o1', battery: 90, rssi: -70 },
      { tenant: '', deviceId: 'a', at: 't2', offlineAt: 'o2', snr: 7 },
      { tenant: '', deviceId: 'a', at: 't3', offlineAt: 'o3', rssi: -80 },
    ]);
    expect(folded).toEqual({
      tenant: '',
      deviceId: 'a',
      at: 't3',
      offlineAt: 'o3',
      battery: 90,
      rssi: -80,
      snr: 7,
    });
  });
});
