/**
 * The demo tenant's default alert rules (the alerts API of issue #7, `POST /alerts/rules`), so that a
 * newcomer sees alerts fire as the scripted incidents play out.
 *
 * Durations are judged by Urbis on observation times, which are real time, while the city's patterns
 * and incidents run on the simulator's virtual clock (× speed). A rule's `for` / `within` is therefore
 * its virtual duration divided by the speed (never under a few seconds), so that at speed 60 the PM2.5
 * rule waits 30 real seconds — half an hour of the city's time — not an hour that no episode outlasts.
 * The regulatory "PM2.5 > 35 µg/m³ for 1 h" is shortened to 30 virtual minutes for the same reason:
 * a pollution episode lasts 1–2 virtual hours, and the alert should fire while it is on.
 */
import { typeContext, type LdContext } from './contexts.js';
import type { FlowRuleInputs } from './flow-rule.js';

export interface AlertRuleDocument {
  '@context': LdContext;
  id: string;
  name: string;
  severity: 'informational' | 'low' | 'medium' | 'high' | 'critical';
  scope: { type?: string; district?: string; entity?: string };
  condition: Record<string, unknown>;
}

/** The shortest real duration a rule is given, however fast the clock runs. */
const MIN_REAL_S = 3;

/** An ISO 8601 duration of `virtualS` virtual seconds at `speed`, in whole real seconds. */
export function scaledDuration(virtualS: number, speed: number): string {
  return `PT${Math.max(MIN_REAL_S, Math.ceil(virtualS / speed))}S`;
}

export interface RuleInputs extends FlowRuleInputs {
  speed: number;
}

/** The default rules, ids prefixed `demo-`: PM2.5, full bins, a flow jump per district, devices offline. */
export function demoAlertRules(inputs: RuleInputs): AlertRuleDocument[] {
  const { speed } = inputs;
  return [
    {
      '@context': typeContext('AirQualityObserved'),
      id: 'demo-pm25-high',
      name: 'PM2.5 above 35 µg/m³ for 30 min (city time)',
      severity: 'high',
      scope: { type: 'AirQualityObserved' },
      condition: {
        kind: 'threshold',
        attribute: 'pm25',
        op: '>',
        value: 35,
        for: scaledDuration(1800, speed),
        // Hysteresis: an episode clears once PM2.5 is back under 30, not when it dips under 35.
        clear: 30,
      },
    },
    {
      '@context': typeContext('WasteContainer'),
      id: 'demo-bin-full',
      name: 'Waste bin 90 % full',
      severity: 'medium',
      scope: { type: 'WasteContainer' },
      condition: { kind: 'threshold', attribute: 'fillingLevel', op: '>=', value: 0.9, clear: 0.5 },
    },
    // One per district meter: see flow-rule.ts for why one rule for all cannot work.
    ...inputs.flowMeters.map((m): AlertRuleDocument => ({
      '@context': typeContext('WaterObserved'),
      id: `demo-flow-jump-${m.districtId.slice(m.districtId.lastIndexOf(':') + 1)}`.slice(0, 64),
      name: `Water inflow jumped in ${m.districtName} (a burst main?)`,
      severity: 'high',
      scope: { type: 'WaterObserved', entity: m.entityId },
      condition: {
        kind: 'rateOfChange',
        attribute: inputs.flowAttribute,
        change: m.rise,
        // Two reports of the meter: a burst shows between one reading and the next.
        within: scaledDuration(2 * inputs.flowIntervalS, speed),
        direction: 'rising',
      },
    })),
    {
      '@context': typeContext('Device'),
      id: 'demo-device-offline',
      name: 'Device offline',
      severity: 'low',
      scope: { type: 'Device' },
      condition: { kind: 'deviceOffline' },
    },
  ];
}
