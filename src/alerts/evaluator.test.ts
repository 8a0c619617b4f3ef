// The pure alert state machine: thresholds with and without `for`, hysteresis (no flapping at the
// threshold), clearFor, rate of change in each direction, device offline/online, noData by ticks,
// and late samples ignored.
import { describe, expect, it } from 'vitest';
import { IDLE, step, type EvalState, type Sample, type Transition } from './evaluator.js';
import type { Condition } from './rule.js';

const MIN = 60_000;

/** Feed samples in order; the transitions that came out, with their index. */
function run(condition: Condition, samples: Sample[], start: EvalState = IDLE) {
  let state = start;
  const out: Array<Transition & { i: number }> = [];
  samples.forEach((s, i) => {
    const r = step(condition, state, s);
    state = r.state;
    if (r.transition) out.push({ ...r.transition, i });
  });
  return { state, out };
}

const v = (at: number, value: unknown): Sample => ({ kind: 'value', at, value });
const tick = (at: number): Sample => ({ kind: 'tick', at });

const pm = (extra: Partial<Extract<Condition, { kind: 'threshold' }>> = {}): Condition => ({
  kind: 'threshold',
  attribute: 'pm25',
  op: '>',
  value: 35,
  forMs: 0,
  clear: 35,
  clearForMs: 0,
  ...extra,
});

describe('threshold', () => {
  it('fires when crossed and clears when back, once each', () => {
    const { out } = run(pm(), [v(0, 10), v(1, 36), v(2, 50), v(3, 35), v(4, 20)]);
    expect(out).toEqual([
      { to: 'fire', at: 1, value: 36, i: 1 },
      { to: 'clear', at: 3, value: 35, i: 3 },
    ]);
  });

  it('supports >=, < and <=', () => {
    expect(run(pm({ op: '>=' }), [v(0, 35)]).out).toHaveLength(1);
    expect(
      run(pm({ op: '<', value: 5, clear: 5 }), [v(0, 6), v(1, 4), v(2, 5)]).out.map((t) => t.to),
    ).toEqual(['fire', 'clear']);
    expect(run(pm({ op: '<=', value: 5, clear: 5 }), [v(0, 5), v(1, 5.1)]).out.map((t) => t.to)).toEqual([
      'fire',
      'clear',
    ]);
  });

  it('with `for`, fires only after the condition held that long, and restarts the wait when it breaks', () => {
    const c = pm({ forMs: 60 * MIN });
    const { out } = run(c, [
      v(0, 40),
      v(30 * MIN, 41),
      v(45 * MIN, 30), // broken: the hour starts again
      v(50 * MIN, 40),
      v(100 * MIN, 40), // 50 min held
      v(110 * MIN, 42), // 60 min held
      v(120 * MIN, 45),
    ]);
    expect(out).toEqual([{ to: 'fire', at: 110 * MIN, value: 42, i: 5 }]);
  });

  it('hysteresis: a value hovering at the threshold does not flap', () => {
    const c = pm({ clear: 30 });
    const hover = [34, 36, 34.5, 35.5, 34, 36, 33, 35.1, 31, 36];
    const { out, state } = run(
      c,
      hover.map((x, i) => v(i, x)),
    );
    expect(out).toEqual([{ to: 'fire', at: 1, value: 36, i: 1 }]);
    expect(state.active).toBe(true);
    // Crossing back past the clearing level ends it.
    expect(step(c, state, v(20, 29.9)).transition).toEqual({ to: 'clear', at: 20, value: 29.9 });
    // The clearing level itself is not past it (for >, clears at <= clear).
    expect(step(c, state, v(20, 30)).transition?.to).toBe('clear');
    expect(step(c, state, v(20, 30.1)).transition).toBeUndefined();
  });

  it('with clearFor, clears only after the value stayed back that long', () => {
    const c = pm({ clear: 30, clearForMs: 10 * MIN });
    const { out } = run(c, [
      v(0, 40),
      v(1 * MIN, 20),
      v(5 * MIN, 32),
      v(6 * MIN, 20),
      v(12 * MIN, 25),
      v(16 * MIN, 25),
    ]);
    expect(out.map((t) => [t.to, t.i])).toEqual([
      ['fire', 0],
      ['clear', 5],
    ]);
  });

  it('ignores non-numeric values and late samples; reads JSON-LD value objects', () => {
    const { out, state } = run(pm(), [v(10, 'high'), v(10, null), v(11, { '@value': 40 }), v(5, 10)]);
    expect(out).toEqual([{ to: 'fire', at: 11, value: 40, i: 2 }]);
    expect(state).toMatchObject({ active: true, lastAt: 11 });
  });
});

describe('rateOfChange', () => {
  const roc = (direction: 'rising' | 'falling' | 'any'): Condition => ({
    kind: 'rateOfChange',
    attribute: 'flow',
    change: 10,
    withinMs: 10 * MIN,
    direction,
  });

  it('rising: fires on a rise of `change` within the window, clears when the window no longer shows it', () => {
    const { out } = run(roc('rising'), [
      v(0, 100),
      v(5 * MIN, 105),
      v(8 * MIN, 111), // +11 within 8 min
      v(9 * MIN, 112),
      v(16 * MIN, 112), // the 100 and 105 left the window; 111 → 112 is +1
    ]);
    expect(out.map((t) => [t.to, t.i, t.value])).toEqual([
      ['fire', 2, 111],
      ['clear', 4, 112],
    ]);
  });

  it('a slow rise (the same change spread over more than `within`) does not fire', () => {
    const { out } = run(roc('rising'), [v(0, 100), v(6 * MIN, 105), v(12 * MIN, 110), v(18 * MIN, 115)]);
    expect(out).toEqual([]);
  });

  it('falling and any', () => {
    const drop = [v(0, 100), v(MIN, 85)];
    expect(run(roc('falling'), drop).out.map((t) => t.to)).toEqual(['fire']);
    expect(run(roc('rising'), drop).out).toEqual([]);
    expect(run(roc('any'), drop).out.map((t) => t.to)).toEqual(['fire']);
    expect(run(roc('falling'), [v(0, 100), v(MIN, 120)]).out).toEqual([]);
  });
});

describe('deviceOffline', () => {
  const c: Condition = { kind: 'deviceOffline', attribute: 'deviceState' };
  it('fires on offline, clears on online, ignores repeats and other values', () => {
    const { out } = run(c, [
      v(0, 'online'),
      v(1, 'offline'),
      v(2, 'offline'),
      v(3, 'unknown'),
      v(4, 'online'),
      v(5, 'online'),
    ]);
    expect(out).toEqual([
      { to: 'fire', at: 1, value: 'offline', i: 1 },
      { to: 'clear', at: 4, value: 'online', i: 4 },
    ]);
  });
});

describe('noData', () => {
  const c: Condition = { kind: 'noData', forMs: 30 * MIN };
  it('fires once on the first tick past the deadline and clears on the next update', () => {
    const { out, state } = run(c, [
      tick(0), // never heard of: nothing is due
      v(0, undefined),
      tick(29 * MIN),
      v(20 * MIN, undefined), // an update moves the deadline
      tick(49 * MIN),
      tick(50 * MIN),
      tick(60 * MIN),
      v(61 * MIN, undefined),
    ]);
    expect(out).toEqual([
      { to: 'fire', at: 50 * MIN, value: new Date(20 * MIN).toISOString(), i: 5 },
      { to: 'clear', at: 61 * MIN, value: undefined, i: 7 },
    ]);
    expect(state).toEqual({ active: false, lastAt: 61 * MIN });
  });

  it('ticks do nothing to other kinds', () => {
    expect(step(pm(), { active: true, lastAt: 1 }, tick(10 ** 12))).toEqual({
      state: { active: true, lastAt: 1 },
    });
  });
});
