/**
 * Traffic-signal controllers at junctions (TrafficSignal — not a Smart Data Models type: SDM has no
 * signal controller model, so the entity and its attributes are Urbis's own demo vocabulary). Four
 * movements (N, S, E, W), north–south conflicting with east–west; the controller runs a fixed-time
 * plan and obeys a `plan` command that Urbis has already checked with its signal-plan validator
 * (src/devices/commands/signal-plan.ts). It reports which plan runs, its cycle and phase count.
 * State: `planId`, `cycle`, `phaseCount`, `plans` (how many plans it has received).
 */
import { ENTITY_TYPES } from '../city/devices.js';
import type { SignalPlan } from '../../devices/commands/signal-plan.js';
import { dropsOut, epochSeconds, profileDocument } from './common.js';
import type { CommandOutcome, KindBehaviour, SimState } from './types.js';

const INTERVAL_S = 300;

/** The controllers' safety rules: the profile's `plan` command rule. */
export const SIGNAL_PLAN_RULE = {
  kind: 'signal-plan',
  movements: ['N', 'S', 'E', 'W'],
  conflicts: [
    ['N', 'E'],
    ['N', 'W'],
    ['S', 'E'],
    ['S', 'W'],
  ],
  minGreen: 7,
  intergreen: 4,
  maxCycle: 180,
} as const;

/** The plan every controller starts with: 90 s, north–south then east–west, 4 s all-red between. */
export const DEFAULT_SIGNAL_PLAN: SignalPlan = {
  cycle: 90,
  phases: [
    { green: ['N', 'S'], duration: 41 },
    { green: [], duration: 4 },
    { green: ['E', 'W'], duration: 41 },
    { green: [], duration: 4 },
  ],
};

function isPlan(value: unknown): value is SignalPlan {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Partial<SignalPlan>;
  return typeof v.cycle === 'number' && Array.isArray(v.phases) && v.phases.length > 0;
}

function applyPlan(_device: unknown, state: SimState, name: string, value: unknown): CommandOutcome {
  if (name !== 'plan') return { ok: false, error: `a traffic signal has no command ${name}` };
  // Urbis validated the plan already; the controller still refuses what it cannot run.
  if (!isPlan(value)) return { ok: false, error: 'plan must be {cycle, phases}' };
  const plans = (typeof state.plans === 'number' ? state.plans : 0) + 1;
  state.plans = plans;
  state.planId = `custom-${plans}`;
  state.cycle = value.cycle;
  state.phaseCount = value.phases.length;
  return { ok: true, result: { planId: state.planId, cycle: value.cycle } };
}

export const trafficSignal: KindBehaviour = {
  kind: 'trafficSignal',
  profileId: 'demo-traffic-signal',
  intervalS: INTERVAL_S,
  profile: profileDocument({
    id: 'demo-traffic-signal',
    description: 'Demo city traffic-signal controller (fixed-time plans, four movements)',
    transport: 'mqtt',
    entityType: ENTITY_TYPES.trafficSignal,
    mapping: {
      planId: { attribute: 'planId' },
      cycleTime: { attribute: 'cycleTime', unitCode: 'SEC' },
      phaseCount: { attribute: 'phaseCount' },
      controlMode: { attribute: 'controlMode' },
    },
    intervalS: INTERVAL_S,
    commands: {
      plan: {
        ...SIGNAL_PLAN_RULE,
        movements: [...SIGNAL_PLAN_RULE.movements],
        conflicts: SIGNAL_PLAN_RULE.conflicts.map((c) => [...c]),
      },
    },
  }),
  initialState: (): SimState => ({
    planId: 'default',
    cycle: DEFAULT_SIGNAL_PLAN.cycle,
    phaseCount: DEFAULT_SIGNAL_PLAN.phases.length,
    plans: 0,
  }),
  read(device, state, t) {
    if (dropsOut(device, t)) return undefined;
    return {
      planId: state.planId,
      cycleTime: state.cycle,
      phaseCount: state.phaseCount,
      controlMode: 'fixedTime',
      ts: epochSeconds(t),
    };
  },
  command: applyPlan,
};
