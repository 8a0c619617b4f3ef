/**
 * The thresholds of the "district flow jumped" alert rules, measured on the flow meters' own behaviour
 * rather than guessed. A burst main raises a district's inflow by 40–60 % at once; the daily demand
 * curve changes it gradually, but its morning ramp still moves a big district by more in one report
 * than a burst does at the night minimum. A rate-of-change rule with one absolute `change` cannot tell
 * those apart, so there is one rule per district meter, whose rise is 1.5 × the largest change
 * between two of its ordinary readings over a week: it never fires on the demand curve, and it catches
 * a burst from the morning to the late evening. A burst at the night minimum stays under it — that
 * needs a rule restricted to night hours or a relative change, which the alerts API does not offer
 * (reported to its authors).
 */
import { CITY_UTC_OFFSET_H } from '../behaviour/clock.js';
import type { KindBehaviour } from '../behaviour/types.js';
import type { City } from '../city/model.js';

export interface FlowMeterRule {
  /** The meter's entity (the rule's scope). */
  entityId: string;
  districtId: string;
  districtName: string;
  /** The rise between two readings that fires the rule. */
  rise: number;
}

export interface FlowRuleInputs {
  flowIntervalS: number;
  flowAttribute: string;
  flowMeters: FlowMeterRule[];
}

const HOUR_MS = 3_600_000;
/** A fixed week (from Monday 2026-03-02, local midnight) to measure the curve on. */
const WEEK_START = Date.UTC(2026, 2, 2) - CITY_UTC_OFFSET_H * HOUR_MS;
const WEEK_MS = 7 * 24 * HOUR_MS;
/** Margin over the largest ordinary change: other weeks' noise differs from the measured one's. */
const MARGIN = 1.5;

export function flowRuleInputs(behaviour: KindBehaviour, city: City, seed: number): FlowRuleInputs {
  const [field, target] =
    Object.entries(behaviour.profile.mapping as Record<string, { attribute: string }>)[0] ?? [];
  if (field === undefined || target === undefined) throw new Error('the flow-meter profile maps no field');
  const step = behaviour.intervalS * 1000;
  const flowMeters = city.devices
    .filter((d) => d.kind === behaviour.kind)
    .map((m) => {
      let maxStep = 0;
      let previous: number | undefined;
      for (let t = WEEK_START; t < WEEK_START + WEEK_MS; t += step) {
        const v = behaviour.read(m, behaviour.initialState(m, seed), t, { incidents: [] })?.[field];
        const value = typeof v === 'number' ? v : undefined;
        if (value !== undefined && previous !== undefined)
          maxStep = Math.max(maxStep, Math.abs(value - previous));
        previous = value;
      }
      return {
        entityId: m.entityId,
        districtId: m.districtId,
        districtName: city.districts.find((d) => d.id === m.districtId)?.name ?? m.districtId,
        rise: Number((maxStep * MARGIN).toFixed(1)),
      };
    });
  return { flowIntervalS: behaviour.intervalS, flowAttribute: target.attribute, flowMeters };
}
