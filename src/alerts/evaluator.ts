/**
 * The alert evaluator: a pure state machine per (rule, source entity). Given the state so far and
 * one sample — a new value of the watched attribute, an update of the entity, or a clock tick — it
 * returns the next state and, when an episode begins or ends, the transition. No I/O and no clock of
 * its own: the engine (engine.ts) feeds it and turns transitions into Alert entities, and tests feed
 * it directly.
 *
 * Times are epoch milliseconds taken from the attribute's `observedAt` when it has one, else from the
 * change. A sample older than the last one seen is a late redelivery and is ignored, so that history
 * replayed out of order cannot fire or clear anything.
 *
 * Hysteresis (threshold): an episode fires when `value op threshold` has held for `forMs`, and clears
 * only when the value has crossed back past the `clear` level (`!(value op clear)`) for `clearForMs`.
 * With `clear` below the threshold (for `>`), a value hovering around the threshold cannot flap.
 */
import type { Condition, RateOfChangeCondition, ThresholdCondition, ThresholdOp } from './rule.js';

/** Most samples a rate-of-change window keeps (a chatty sensor must not grow it without bound). */
export const MAX_WINDOW_SAMPLES = 1000;

/** What the evaluator remembers for one (rule, source). */
export interface EvalState {
  /** The condition holds: an episode is open (or was cleared by hand and waits for the condition to clear). */
  active: boolean;
  /** Since when the firing condition has held without firing yet (threshold with `for`). */
  pendingSince?: number;
  /** Since when the clearing condition has held without clearing yet (threshold with `clearFor`). */
  clearingSince?: number;
  /** The latest sample's instant (noData: the latest update). */
  lastAt?: number;
  /** rateOfChange: recent [instant, value] pairs, oldest first. */
  window?: Array<[number, number]>;
}

/** A new value of the watched attribute (threshold, rateOfChange, deviceOffline) or an update (noData). */
export interface ValueSample {
  kind: 'value';
  at: number;
  value: unknown;
}

/** The clock: the engine's timer (noData only). */
export interface TickSample {
  kind: 'tick';
  at: number;
}

export type Sample = ValueSample | TickSample;

/** An episode begins (`fire`) or ends (`clear`), at `at`, because of `value`. */
export interface Transition {
  to: 'fire' | 'clear';
  at: number;
  value: unknown;
}

export interface Step {
  state: EvalState;
  transition?: Transition;
}

/** The state of a (rule, source) never seen. */
export const IDLE: EvalState = Object.freeze({ active: false });

/** One step of the state machine. Never throws; never mutates `state`. */
export function step(condition: Condition, state: EvalState, sample: Sample): Step {
  if (sample.kind === 'tick')
    return condition.kind === 'noData' ? noDataTick(condition.forMs, state, sample.at) : { state };
  if (state.lastAt !== undefined && sample.at < state.lastAt) return { state };
  switch (condition.kind) {
    case 'threshold':
      return threshold(condition, state, sample);
    case 'rateOfChange':
      return rateOfChange(condition, state, sample);
    case 'deviceOffline':
      return deviceOffline(state, sample);
    case 'noData':
      // Any update ends a silence; it also restarts the wait.
      return state.active
        ? {
            state: { active: false, lastAt: sample.at },
            transition: { to: 'clear', at: sample.at, value: sample.value },
          }
        : { state: { active: false, lastAt: sample.at } };
  }
}

/** When a noData rule's source falls silent (epoch ms), or undefined when nothing is due. */
export function noDataDeadline(forMs: number, state: EvalState): number | undefined {
  return state.active || state.lastAt === undefined ? undefined : state.lastAt + forMs;
}

function noDataTick(forMs: number, state: EvalState, at: number): Step {
  const due = noDataDeadline(forMs, state);
  if (due === undefined || at < due) return { state };
  // The silence began at the deadline, whenever the tick noticed it: every process that saw the same
  // last update decides the same firing (and so the same alert id). Its value is when the entity was
  // last heard of.
  return {
    state: { ...state, active: true },
    transition: { to: 'fire', at: due, value: new Date(state.lastAt as number).toISOString() },
  };
}

function threshold(c: ThresholdCondition, state: EvalState, sample: ValueSample): Step {
  const v = numeric(sample.value);
  if (v === undefined) return { state };
  const at = sample.at;
  if (!state.active) {
    if (!compare(v, c.op, c.value)) return { state: { active: false, lastAt: at } };
    const since = state.pendingSince ?? at;
    if (at - since >= c.forMs)
      return { state: { active: true, lastAt: at }, transition: { to: 'fire', at, value: v } };
    return { state: { active: false, pendingSince: since, lastAt: at } };
  }
  // Still on the firing side of the clearing level: the episode goes on.
  if (compare(v, c.op, c.clear)) return { state: { active: true, lastAt: at } };
  const since = state.clearingSince ?? at;
  if (at - since >= c.clearForMs)
    return { state: { active: false, lastAt: at }, transition: { to: 'clear', at, value: v } };
  return { state: { active: true, clearingSince: since, lastAt: at } };
}

function rateOfChange(c: RateOfChangeCondition, state: EvalState, sample: ValueSample): Step {
  const v = numeric(sample.value);
  if (v === undefined) return { state };
  const at = sample.at;
  const earlier = (state.window ?? []).filter(([t]) => t >= at - c.withinMs);
  let holds = false;
  for (const [, w] of earlier) {
    const rise = v - w;
    if ((c.direction !== 'falling' && rise >= c.change) || (c.direction !== 'rising' && -rise >= c.change)) {
      holds = true;
      break;
    }
  }
  const window: Array<[number, number]> = [...earlier, [at, v]];
  if (window.length > MAX_WINDOW_SAMPLES) window.splice(0, window.length - MAX_WINDOW_SAMPLES);
  const next: EvalState = { active: holds, lastAt: at, window };
  if (holds === state.active) return { state: next };
  return { state: next, transition: { to: holds ? 'fire' : 'clear', at, value: v } };
}

function deviceOffline(state: EvalState, sample: ValueSample): Step {
  const at = sample.at;
  if (sample.value === 'offline' && !state.active)
    return { state: { active: true, lastAt: at }, transition: { to: 'fire', at, value: 'offline' } };
  if (sample.value === 'online' && state.active)
    return { state: { active: false, lastAt: at }, transition: { to: 'clear', at, value: 'online' } };
  return { state: { ...state, lastAt: at } };
}

/** A number, or a JSON-LD value object holding one; anything else is no reading. */
function numeric(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (value !== null && typeof value === 'object' && '@value' in value) return numeric(value['@value']);
  return undefined;
}

function compare(v: number, op: ThresholdOp, level: number): boolean {
  switch (op) {
    case '>':
      return v > level;
    case '>=':
      return v >= level;
    case '<':
      return v < level;
    case '<=':
      return v <= level;
  }
}
