/**
 * The traffic-signal plan validator (issue #5): pure, no I/O. An unsafe plan is refused before it is
 * stored or sent, with a reason that names the movements, the phase and the second at fault.
 *
 * Representation (chosen for being what a signal engineer writes and what is easy to check): a fixed
 * cycle of whole seconds and an ordered list of phases that fill it, each naming the movements that
 * are green while it lasts. Time runs from second 0 of the cycle; phase 1 covers [0, d1), phase 2
 * [d1, d1 + d2), … and the plan repeats, so the last phase is followed by the first (the cycle wraps).
 * Clearance (amber and all-red) is a phase with fewer movements green, or none:
 *
 * ```json
 * { "cycle": 66, "phases": [ { "green": ["N", "S"], "duration": 30 }, { "green": [], "duration": 3 },
 *                            { "green": ["E", "W"], "duration": 30 }, { "green": [], "duration": 3 } ] }
 * ```
 *
 * Refused: phases not summing to the cycle, a cycle over `maxCycle`, unknown movements, two
 * conflicting movements green in one phase, a green (a maximal run of green seconds, measured across
 * the wrap) shorter than `minGreen`, and a movement starting green less than `intergreen` seconds after
 * a conflicting one ended green (across the wrap too). Whole seconds only: controllers schedule in
 * seconds, and it lets a test check the validator by simulating every second of the cycle.
 */
import { badRequest } from '../../core/errors.js';

/** The safety rules of a signal controller, from its actuator profile. */
export interface SignalPlanRule {
  kind: 'signal-plan';
  /** Every movement the controller has (those named in `conflicts`, plus any listed in the profile). */
  movements: string[];
  /** Pairs of movements that must never be green together. */
  conflicts: Array<[string, string]>;
  /** Shortest green, seconds. */
  minGreen: number;
  /** Least time between a movement's green ending and a conflicting movement's green starting, seconds. */
  intergreen: number;
  /** Longest cycle, seconds. */
  maxCycle: number;
}

/** One phase: the movements green while it lasts. */
export interface SignalPhase {
  green: string[];
  duration: number;
}

export interface SignalPlan {
  cycle: number;
  phases: SignalPhase[];
}

/** Most phases in a plan, and most movements a controller has: real plans have a handful. */
export const MAX_PHASES = 64;
export const MAX_MOVEMENTS = 64;
/** Longest cycle any rule may allow: an hour is already far beyond any real controller. */
export const MAX_CYCLE_LIMIT = 3600;
/** Movement names as engineers write them (N, NE-left, 2a, ped_3). */
const MOVEMENT = /^[A-Za-z0-9_.:-]{1,32}$/;

/** A maximal run of green of one movement: [start, end) in cycle seconds; end may exceed the cycle (wrap). */
interface GreenRun {
  start: number;
  end: number;
  /** 1-based phase where the run starts. */
  phase: number;
}

/** Parse the profile's rule (`profile.commands[name]` with kind signal-plan); BadRequestData naming `at`. */
export function parseSignalPlanRule(raw: Record<string, unknown>, at: string): SignalPlanRule {
  const allowed = new Set(['kind', 'movements', 'conflicts', 'minGreen', 'intergreen', 'maxCycle']);
  for (const k of Object.keys(raw)) if (!allowed.has(k)) throw badRequest(`${at}: unknown member ${k}`);
  const movements = new Set<string>();
  if (raw.movements !== undefined) {
    if (!Array.isArray(raw.movements)) throw badRequest(`${at}.movements must be an array of movement names`);
    for (const m of raw.movements) movements.add(movementName(m, `${at}.movements`));
  }
  if (!Array.isArray(raw.conflicts) || raw.conflicts.length === 0)
    throw badRequest(`${at}.conflicts must be a non-empty array of [movement, movement] pairs`);
  const conflicts: Array<[string, string]> = [];
  const seen = new Set<string>();
  raw.conflicts.forEach((pair: unknown, i) => {
    const where = `${at}.conflicts[${i}]`;
    if (!Array.isArray(pair) || pair.length !== 2)
      throw badRequest(`${where} must be a pair [movement, movement]`);
    const a = movementName(pair[0], where);
    const b = movementName(pair[1], where);
    if (a === b) throw badRequest(`${where}: a movement cannot conflict with itself (${a})`);
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (raw.movements !== undefined && !(movements.has(a) && movements.has(b)))
      throw badRequest(`${where}: ${movements.has(a) ? b : a} is not in ${at}.movements`);
    movements.add(a);
    movements.add(b);
    conflicts.push([a, b]);
  });
  if (movements.size > MAX_MOVEMENTS) throw badRequest(`${at}: at most ${MAX_MOVEMENTS} movements`);
  const minGreen = seconds(raw.minGreen, `${at}.minGreen`, 1, MAX_CYCLE_LIMIT);
  const intergreen = seconds(raw.intergreen, `${at}.intergreen`, 0, MAX_CYCLE_LIMIT);
  const maxCycle = seconds(raw.maxCycle, `${at}.maxCycle`, 1, MAX_CYCLE_LIMIT);
  return { kind: 'signal-plan', movements: [...movements], conflicts, minGreen, intergreen, maxCycle };
}

/**
 * Check a plan against the rule; returns it normalised or throws BadRequestData with the first
 * problem found (shape first, then each safety rule in turn), prefixed by `at` (the command's name).
 */
export function validateSignalPlan(rule: SignalPlanRule, raw: unknown, at = 'plan'): SignalPlan {
  const plan = parsePlan(rule, raw, at);
  const problem = planProblems(rule, plan)[0];
  if (problem !== undefined) throw badRequest(`${at}: ${problem}`);
  return plan;
}

/** Every safety problem of a well-formed plan, in a stable order; empty when the plan is safe. */
export function planProblems(rule: SignalPlanRule, plan: SignalPlan): string[] {
  const problems: string[] = [];
  if (plan.cycle > rule.maxCycle)
    problems.push(`cycle is ${plan.cycle} s, longer than the controller's maximum of ${rule.maxCycle} s`);
  const starts: number[] = [];
  let sum = 0;
  for (const p of plan.phases) {
    starts.push(sum);
    sum += p.duration;
  }
  if (sum !== plan.cycle) problems.push(`phases last ${sum} s in all, but the cycle is ${plan.cycle} s`);
  if (problems.length > 0) return problems; // the timing checks below assume the phases fill the cycle

  // Conflicting movements green in the same phase.
  plan.phases.forEach((p, i) => {
    const green = new Set(p.green);
    for (const [a, b] of rule.conflicts)
      if (green.has(a) && green.has(b))
        problems.push(
          `movements ${a} and ${b} conflict but are both green in phase ${i + 1} ` +
            `(seconds ${starts[i]}–${(starts[i] as number) + p.duration - 1} of the cycle)`,
        );
  });

  const runs = new Map(rule.movements.map((m) => [m, greenRuns(plan, starts, m)]));
  for (const [movement, list] of runs)
    for (const r of list) {
      const length = r.end - r.start;
      if (length < rule.minGreen)
        problems.push(
          `movement ${movement} is green for ${length} s from second ${r.start} (phase ${r.phase}), ` +
            `shorter than the minimum green of ${rule.minGreen} s`,
        );
    }

  // Intergreen: for each ordered conflicting pair, from every end of one to the next start of the other.
  const cycle = plan.cycle;
  for (const [x, y] of rule.conflicts)
    for (const [a, b] of [
      [x, y],
      [y, x],
    ] as const) {
      const ends = runs.get(a) ?? [];
      const startsOfB = runs.get(b) ?? [];
      for (const end of ends) {
        if (end.end - end.start >= cycle) continue; // green all cycle long: it never ends
        const endsAt = end.end % cycle;
        for (const s of startsOfB) {
          const gap = (((s.start - endsAt) % cycle) + cycle) % cycle;
          if (gap < rule.intergreen) {
            const wraps = s.start < endsAt || end.end > cycle;
            problems.push(
              `movement ${b} starts green at second ${s.start} (phase ${s.phase}), ${gap} s after ` +
                `conflicting movement ${a} ends green at second ${endsAt}` +
                `${wraps ? ' (across the cycle wrap)' : ''}; the intergreen is ${rule.intergreen} s`,
            );
          }
        }
      }
    }
  return problems;
}

/**
 * The maximal green runs of a movement over one cycle. A run that is green at the end of the cycle and
 * at its start is one run across the wrap (start in the last phases, end past the cycle). A movement
 * green all cycle long has one run of the whole cycle.
 */
function greenRuns(plan: SignalPlan, starts: number[], movement: string): GreenRun[] {
  const isGreen = plan.phases.map((p) => p.green.includes(movement));
  const n = plan.phases.length;
  if (isGreen.every(Boolean)) return [{ start: 0, end: plan.cycle, phase: 1 }];
  const runs: GreenRun[] = [];
  for (let i = 0; i < n; i++) {
    const before = (i - 1 + n) % n;
    if (!isGreen[i] || isGreen[before]) continue; // not the first phase of a run
    let end = starts[i] as number;
    let j = i;
    // Follow the run phase by phase, wrapping at most once.
    for (let k = 0; k < n && isGreen[j]; k++) {
      end += (plan.phases[j] as SignalPhase).duration;
      j = (j + 1) % n;
    }
    runs.push({ start: starts[i] as number, end, phase: i + 1 });
  }
  return runs;
}

/** Check the plan's shape (members, whole seconds, known movements) and copy it. */
function parsePlan(rule: SignalPlanRule, raw: unknown, at: string): SignalPlan {
  if (!isObject(raw)) throw badRequest(`${at} must be an object {cycle, phases}`);
  for (const k of Object.keys(raw))
    if (k !== 'cycle' && k !== 'phases') throw badRequest(`${at}: unknown member ${k}`);
  const cycle = seconds(raw.cycle, `${at}.cycle`, 1, MAX_CYCLE_LIMIT);
  if (!Array.isArray(raw.phases) || raw.phases.length === 0 || raw.phases.length > MAX_PHASES)
    throw badRequest(`${at}.phases must be an array of 1 to ${MAX_PHASES} phases`);
  const known = new Set(rule.movements);
  const phases = raw.phases.map((p: unknown, i): SignalPhase => {
    const where = `${at}.phases[${i}] (phase ${i + 1})`;
    if (!isObject(p)) throw badRequest(`${where} must be an object {green, duration}`);
    for (const k of Object.keys(p))
      if (k !== 'green' && k !== 'duration') throw badRequest(`${where}: unknown member ${k}`);
    const duration = seconds(p.duration, `${where}.duration`, 1, MAX_CYCLE_LIMIT);
    if (!Array.isArray(p.green)) throw badRequest(`${where}.green must be an array of movements`);
    const green: string[] = [];
    for (const m of p.green) {
      if (typeof m !== 'string' || !known.has(m))
        throw badRequest(
          `${where}.green names unknown movement ${JSON.stringify(m)}; the controller has ${rule.movements.join(', ')}`,
        );
      if (green.includes(m)) throw badRequest(`${where}.green names ${m} twice`);
      green.push(m);
    }
    return { green, duration };
  });
  return { cycle, phases };
}

function movementName(v: unknown, at: string): string {
  if (typeof v !== 'string' || !MOVEMENT.test(v))
    throw badRequest(`${at}: movement names are 1–32 letters, digits, _ . : or -`);
  return v;
}

function seconds(v: unknown, at: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw badRequest(`${at} must be a whole number of seconds from ${min} to ${max}`);
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
