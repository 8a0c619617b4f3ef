/** The page rules of reading instances: limit per attribute, trimming to the range complete for all. */
import { describe, expect, it } from 'vitest';
import type { StoredInstance, TemporalEntity } from '../../../core/temporal/model.js';
import { finishRead, readOrder, readPlan, runOf, type Run, type Timed } from './instance-page.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const timed = (t: number, iid = t): Timed<number> => ({ t, iid, row: t });
const decode = (t: number): StoredInstance => ({
  type: 'Property',
  value: t,
  instanceId: `i${t}`,
  createdAt: iso(t),
  modifiedAt: iso(t),
});
const heads = (n: number): TemporalEntity[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `urn:${i}`,
    type: [],
    attrs: {},
    createdAt: '',
    modifiedAt: '',
  }));

describe('instance pages', () => {
  it('plans a read: lastN reads backwards, and only a limit below lastN cuts', () => {
    expect(readPlan({ timeproperty: 'observedAt', limit: 3 })).toMatchObject({
      desc: false,
      want: 3,
      canCut: true,
    });
    expect(readPlan({ timeproperty: 'observedAt', limit: 3, lastN: 2 })).toMatchObject({
      desc: true,
      want: 2,
      canCut: false,
    });
    expect(readPlan({ timeproperty: 'observedAt', limit: 2, lastN: 5 })).toMatchObject({
      want: 2,
      canCut: true,
    });
  });

  it('orders rows of several series by time, then by row id', () => {
    const rows = [timed(2, 9), timed(1, 5), timed(2, 3)];
    expect([...rows].sort(readOrder(false)).map((r) => r.iid)).toEqual([5, 3, 9]);
    expect([...rows].sort(readOrder(true)).map((r) => r.iid)).toEqual([9, 3, 5]);
  });

  it('trims every attribute to the range complete for all when one is cut', () => {
    const plan = readPlan({ timeproperty: 'observedAt', limit: 2 });
    // Attribute a has 3 rows (one past the limit: cut at t=20); b has rows up to t=30.
    const runs = [
      runOf(0, 'a', [timed(10), timed(20), timed(40)], plan),
      runOf(0, 'b', [timed(5), timed(30)], plan),
      runOf(1, 'c', [], plan),
    ].filter((r): r is Run<number> => r !== undefined);
    expect(runs.map((r) => r.cut)).toEqual([true, false]);
    const read = finishRead(heads(2), runs, plan, decode);
    expect(read.partial).toEqual({ from: iso(5), to: iso(20) });
    expect(read.entities[0]!.attrs).toEqual({ a: [decode(10), decode(20)], b: [decode(5)] });
    expect(read.entities[1]!.attrs).toEqual({});
  });

  it('gives lastN back in ascending order, trimmed from the latest cut', () => {
    const plan = readPlan({ timeproperty: 'observedAt', limit: 2, lastN: 10 });
    const runs = [
      runOf(0, 'a', [timed(40), timed(30), timed(20)], plan),
      runOf(0, 'b', [timed(35), timed(5)], plan),
    ].filter((r): r is Run<number> => r !== undefined);
    const read = finishRead(heads(1), runs, plan, decode);
    expect(read.partial).toEqual({ from: iso(30), to: iso(40) });
    expect(read.entities[0]!.attrs).toEqual({ a: [decode(30), decode(40)], b: [decode(35)] });
  });

  it('is not partial when nothing was cut', () => {
    const plan = readPlan({ timeproperty: 'observedAt', limit: 5 });
    const run = runOf(0, 'a', [timed(1), timed(2)], plan)!;
    expect(finishRead(heads(1), [run], plan, decode)).toEqual({
      entities: [{ ...heads(1)[0], attrs: { a: [decode(1), decode(2)] } }],
    });
  });
});
