import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isNgsiError } from '../../core/errors.js';
import {
  parseSignalPlanRule,
  planProblems,
  validateSignalPlan,
  type SignalPlan,
  type SignalPlanRule,
} from './signal-plan.js';

/** A four-arm junction: north-south against east-west. */
const rule = (extra: Record<string, unknown> = {}): SignalPlanRule =>
  parseSignalPlanRule(
    {
      kind: 'signal-plan',
      conflicts: [
        ['N', 'E'],
        ['N', 'W'],
        ['S', 'E'],
        ['S', 'W'],
      ],
      minGreen: 5,
      intergreen: 3,
      maxCycle: 180,
      ...extra,
    },
    'rule',
  );

const safe = (): SignalPlan => ({
  cycle: 66,
  phases: [
    { green: ['N', 'S'], duration: 30 },
    { green: [], duration: 3 },
    { green: ['E', 'W'], duration: 30 },
    { green: [], duration: 3 },
  ],
});

function refusal(r: SignalPlanRule, plan: unknown): string {
  try {
    validateSignalPlan(r, plan, 'signalPlan');
  } catch (e) {
    if (isNgsiError(e) && e.kind === 'BadRequestData') return e.detail;
    throw e;
  }
  throw new Error('accepted');
}

describe('signal plan validator', () => {
  it('accepts a safe plan and returns it', () => {
    expect(validateSignalPlan(rule(), safe())).toEqual(safe());
  });

  it('refuses conflicting movements green together, naming both, the phase and the seconds', () => {
    const plan = safe();
    plan.phases[2] = { green: ['E', 'W', 'N'], duration: 30 };
    expect(refusal(rule(), plan)).toBe(
      'signalPlan: movements N and E conflict but are both green in phase 3 (seconds 33–62 of the cycle)',
    );
  });

  it('refuses a green shorter than minGreen, across the wrap too', () => {
    const short = safe();
    short.phases[0] = { green: ['N', 'S'], duration: 4 };
    short.cycle = 40;
    expect(refusal(rule(), short)).toMatch(
      /movement N is green for 4 s from second 0 \(phase 1\), shorter than the minimum green of 5 s/,
    );
    // N green 2 s at the end and 2 s at the start: one green of 4 s across the wrap.
    const wrap: SignalPlan = {
      cycle: 40,
      phases: [
        { green: ['N'], duration: 2 },
        { green: [], duration: 3 },
        { green: ['E'], duration: 30 },
        { green: [], duration: 3 },
        { green: ['N'], duration: 2 },
      ],
    };
    expect(refusal(rule(), wrap)).toMatch(/movement N is green for 4 s from second 38 \(phase 5\)/);
    // The same wrap with 3 s at each end is a 6 s green: fine.
    const ok: SignalPlan = {
      cycle: 42,
      phases: [
        { green: ['N'], duration: 3 },
        { green: [], duration: 3 },
        { green: ['E'], duration: 30 },
        { green: [], duration: 3 },
        { green: ['N'], duration: 3 },
      ],
    };
    expect(validateSignalPlan(rule(), ok)).toEqual(ok);
  });

  it('refuses too short an intergreen, within the cycle and across its wrap', () => {
    const inside = safe();
    inside.phases[1] = { green: [], duration: 2 };
    inside.phases[2] = { green: ['E', 'W'], duration: 31 };
    expect(refusal(rule(), inside)).toBe(
      'signalPlan: movement E starts green at second 32 (phase 3), 2 s after conflicting movement N ends ' +
        'green at second 30; the intergreen is 3 s',
    );
    const wrap = safe();
    wrap.phases[3] = { green: [], duration: 1 };
    wrap.phases[2] = { green: ['E', 'W'], duration: 32 };
    expect(refusal(rule(), wrap)).toBe(
      'signalPlan: movement N starts green at second 0 (phase 1), 1 s after conflicting movement E ends ' +
        'green at second 65 (across the cycle wrap); the intergreen is 3 s',
    );
  });

  it('refuses a cycle over maxCycle and phases that do not fill the cycle', () => {
    const long = safe();
    long.phases[0] = { green: ['N', 'S'], duration: 150 };
    long.cycle = 186;
    expect(refusal(rule(), long)).toBe(
      "signalPlan: cycle is 186 s, longer than the controller's maximum of 180 s",
    );
    expect(refusal(rule(), { ...safe(), cycle: 70 })).toBe(
      'signalPlan: phases last 66 s in all, but the cycle is 70 s',
    );
  });

  it('refuses unknown movements and malformed plans with the member at fault', () => {
    const unknown = safe();
    unknown.phases[0] = { green: ['N', 'X'], duration: 30 };
    expect(refusal(rule(), unknown)).toBe(
      'signalPlan.phases[0] (phase 1).green names unknown movement "X"; the controller has N, E, W, S',
    );
    expect(refusal(rule(), null)).toBe('signalPlan must be an object {cycle, phases}');
    expect(refusal(rule(), { ...safe(), offset: 3 })).toBe('signalPlan: unknown member offset');
    expect(refusal(rule(), { cycle: 66, phases: [] })).toMatch(/phases must be an array of 1 to 64/);
    expect(refusal(rule(), { cycle: 66.5, phases: safe().phases })).toMatch(/cycle must be a whole number/);
    const frac = safe();
    (frac.phases[0] as { duration: number }).duration = 29.5;
    expect(refusal(rule(), frac)).toMatch(/phases\[0\] \(phase 1\)\.duration must be a whole number/);
    expect(refusal(rule(), { cycle: 66, phases: [{ green: ['N', 'N'], duration: 66 }] })).toMatch(
      /names N twice/,
    );
  });

  it('accepts a movement green all cycle long when nothing conflicts with it', () => {
    const r = rule({ movements: ['N', 'E', 'W', 'S', 'P'] });
    const plan = safe();
    for (const p of plan.phases) p.green.push('P');
    expect(validateSignalPlan(r, plan)).toEqual(plan);
  });

  it('parses rules strictly', () => {
    const bad = (raw: Record<string, unknown>) => {
      try {
        parseSignalPlanRule(
          { kind: 'signal-plan', conflicts: [['N', 'E']], minGreen: 5, intergreen: 3, maxCycle: 90, ...raw },
          'r',
        );
      } catch (e) {
        if (isNgsiError(e)) return e.detail;
        throw e;
      }
      return 'accepted';
    };
    expect(bad({})).toBe('accepted');
    expect(bad({ conflicts: [] })).toMatch(/conflicts must be a non-empty array/);
    expect(bad({ conflicts: [['N', 'N']] })).toMatch(/cannot conflict with itself/);
    expect(bad({ conflicts: [['N']] })).toMatch(/must be a pair/);
    expect(bad({ movements: ['N'] })).toBe('r.conflicts[0]: E is not in r.movements');
    expect(bad({ minGreen: 0 })).toMatch(/minGreen must be a whole number of seconds from 1/);
    expect(bad({ maxCycle: 4000 })).toMatch(/maxCycle must be a whole number of seconds from 1 to 3600/);
    expect(bad({ amber: 3 })).toBe('r: unknown member amber');
  });
});

// ── properties ──────────────────────────────────────────────────────────────────────────────────

const MOVES = ['A', 'B', 'C', 'D', 'E'];

/** A random rule over up to five movements. */
const ruleArb = fc
  .record({
    pairs: fc.uniqueArray(
      fc.tuple(fc.constantFrom(...MOVES), fc.constantFrom(...MOVES)).filter(([a, b]) => a < b),
      { minLength: 1, maxLength: 6, selector: ([a, b]) => `${a}${b}` },
    ),
    minGreen: fc.integer({ min: 1, max: 8 }),
    intergreen: fc.integer({ min: 0, max: 5 }),
    maxCycle: fc.integer({ min: 20, max: 120 }),
  })
  .map((r) =>
    parseSignalPlanRule(
      {
        kind: 'signal-plan',
        movements: MOVES,
        conflicts: r.pairs,
        minGreen: r.minGreen,
        intergreen: r.intergreen,
        maxCycle: r.maxCycle,
      },
      'rule',
    ),
  );

/** A random plan over the same movements (the cycle is the sum of its phases). */
const planArb = fc
  .array(fc.record({ green: fc.subarray(MOVES), duration: fc.integer({ min: 1, max: 20 }) }), {
    minLength: 1,
    maxLength: 8,
  })
  .map((phases): SignalPlan => ({ cycle: phases.reduce((s, p) => s + p.duration, 0), phases }));

/**
 * The rules checked the naive way, second by second: which movements are green at each second of
 * the cycle, then every instant, every green run and every clearance looked at directly.
 */
function simulateSafe(rule: SignalPlanRule, plan: SignalPlan): boolean {
  const C = plan.cycle;
  if (C > rule.maxCycle) return false;
  const green: Array<Set<string>> = [];
  for (const p of plan.phases) for (let i = 0; i < p.duration; i++) green.push(new Set(p.green));
  const g = (m: string, t: number) => (green[((t % C) + C) % C] as Set<string>).has(m);
  for (let t = 0; t < C; t++) for (const [a, b] of rule.conflicts) if (g(a, t) && g(b, t)) return false;
  for (const m of rule.movements) {
    if ([...Array(C).keys()].every((t) => g(m, t))) {
      if (C < rule.minGreen) return false;
      continue;
    }
    for (let t = 0; t < C; t++) {
      if (!g(m, t) || g(m, t - 1)) continue; // a green starts at t
      let len = 0;
      while (g(m, t + len)) len++;
      if (len < rule.minGreen) return false;
    }
  }
  for (const [x, y] of rule.conflicts)
    for (const [a, b] of [
      [x, y],
      [y, x],
    ] as const)
      for (let t = 0; t < C; t++) {
        if (!(g(a, t - 1) && !g(a, t))) continue; // a ends green at t
        for (let k = 0; k < rule.intergreen; k++) if (g(b, t + k)) return false;
      }
  return true;
}

describe('signal plan validator, properties', () => {
  it('no plan it accepts has an instant where two conflicting movements are green', () => {
    fc.assert(
      fc.property(ruleArb, planArb, (r, plan) => {
        if (planProblems(r, plan).length > 0) return;
        const C = plan.cycle;
        let t = 0;
        for (const p of plan.phases)
          for (let i = 0; i < p.duration; i++, t++)
            for (const [a, b] of r.conflicts)
              expect(p.green.includes(a) && p.green.includes(b), `second ${t} of ${C}`).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts exactly the plans that a second-by-second simulation finds safe', () => {
    let accepted = 0;
    fc.assert(
      fc.property(ruleArb, planArb, (r, plan) => {
        const ok = planProblems(r, plan).length === 0;
        if (ok) accepted++;
        expect(ok).toBe(simulateSafe(r, plan));
      }),
      { numRuns: 3000 },
    );
    // The property is not vacuous: some random plans are safe.
    expect(accepted).toBeGreaterThan(0);
  });

  it('accepts any plan built safely: one movement at a time, long greens, full clearances', () => {
    fc.assert(
      fc.property(
        ruleArb,
        fc.array(fc.constantFrom(...MOVES), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 10 }),
        (r, order, extra) => {
          const phases = order.flatMap((m) => [
            { green: [m], duration: r.minGreen + extra },
            { green: [], duration: Math.max(1, r.intergreen) },
          ]);
          const plan = { cycle: phases.reduce((s, p) => s + p.duration, 0), phases };
          fc.pre(plan.cycle <= r.maxCycle);
          expect(planProblems(r, plan)).toEqual([]);
        },
      ),
    );
  });
});
