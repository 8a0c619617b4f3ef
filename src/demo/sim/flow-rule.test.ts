import { describe, expect, it } from 'vitest';
import { BEHAVIOURS } from '../behaviour/index.js';
import type { ActiveIncident } from '../behaviour/incidents.js';
import { generateCity } from '../city/index.js';
import { flowRuleInputs } from './flow-rule.js';

const city = generateCity(42);
const meter = BEHAVIOURS.flowMeter;
const inputs = flowRuleInputs(meter, city, 42);
const meters = city.devices.filter((d) => d.kind === 'flowMeter');
const riseOf = (d: (typeof meters)[number]) => inputs.flowMeters.find((m) => m.entityId === d.entityId)!.rise;
const flowAt = (d: (typeof meters)[number], t: number, incidents: ActiveIncident[] = []) =>
  meter.read(d, meter.initialState(d, 42), t, { incidents })?.flow as number | undefined;

describe('the flow-jump rule’s threshold', () => {
  it('names the flow meters’ attribute and interval', () => {
    expect(inputs.flowAttribute).toBe('flow');
    expect(inputs.flowIntervalS).toBe(meter.intervalS);
    expect(inputs.flowMeters.map((m) => m.entityId)).toEqual(meters.map((m) => m.entityId));
    for (const m of inputs.flowMeters) expect(m.rise).toBeGreaterThan(0);
  });

  it('is never reached by an ordinary day’s change between two readings (no false alert), on other days too', () => {
    const from = Date.UTC(2026, 4, 11); // two weeks in May: not the week it was measured on
    for (const d of meters) {
      let previous: number | undefined;
      for (let t = from; t < from + 14 * 86_400_000; t += meter.intervalS * 1000) {
        const v = flowAt(d, t);
        if (v !== undefined && previous !== undefined) expect(Math.abs(v - previous)).toBeLessThan(riseOf(d));
        previous = v;
      }
    }
  });

  it('is reached by a burst main in every district from the morning to the late evening', () => {
    for (const hour of [9, 13, 17, 21]) {
      const at = Date.UTC(2026, 4, 16, hour, 10);
      for (const d of meters) {
        const burst: ActiveIncident = {
          kind: 'burstMain',
          startS: 0,
          durationS: 7200,
          districtId: d.districtId,
          magnitude: 0.5,
          cycleIndex: 0,
          sinceS: 60,
        };
        // The reading before the burst, and the first one with it.
        const before = flowAt(d, at - meter.intervalS * 1000);
        const after = flowAt(d, at, [burst]);
        if (before === undefined || after === undefined) continue; // a drop-out
        expect(after - before, `${d.id} at ${hour} h`).toBeGreaterThanOrEqual(riseOf(d));
      }
    }
  });
});
