import { describe, expect, it } from 'vitest';
import { VirtualClock } from './clock.js';
import { ReportSchedule } from './schedule.js';

describe('VirtualClock', () => {
  it('runs the virtual clock speed times faster after the start, and equals real time before it', () => {
    let now = 1_000_000;
    const clock = new VirtualClock(60, now, () => now);
    expect(clock.virtualAt(now - 5_000)).toBe(now - 5_000);
    now += 1_000;
    expect(clock.virtualAt(now)).toBe(1_000_000 + 60_000);
    expect(clock.elapsedVirtualS()).toBe(60);
    expect(clock.realNow()).toBe(now);
  });

  it('spaces reports by the virtual interval divided by the speed, never under a second', () => {
    const clock = new VirtualClock(60, 0, () => 0);
    expect(clock.realIntervalMs(300)).toBe(5_000);
    expect(clock.realIntervalMs(30)).toBe(1_000);
    expect(new VirtualClock(1, 0).realIntervalMs(300)).toBe(300_000);
  });
});

describe('ReportSchedule', () => {
  it('hands out due entries earliest first and keeps the rest', () => {
    const s = new ReportSchedule();
    const times = [50, 10, 40, 30, 20, 60, 5];
    times.forEach((t, i) => s.push(t, i));
    expect(s.popDue(35).map((d) => d.at)).toEqual([5, 10, 20, 30]);
    expect(s.size).toBe(3);
    expect(s.popDue(35)).toEqual([]);
    s.push(1, 99);
    expect(s.popDue(100).map((d) => d.index)).toEqual([99, 2, 0, 5]);
    expect(s.size).toBe(0);
  });

  it('stays ordered over many random pushes', () => {
    const s = new ReportSchedule();
    for (let i = 0; i < 500; i++) s.push((i * 7919) % 1000, i);
    const out = s.popDue(Infinity).map((d) => d.at);
    expect(out).toEqual([...out].sort((a, b) => a - b));
    expect(out).toHaveLength(500);
  });
});
