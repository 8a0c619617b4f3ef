import { describe, expect, it } from 'vitest';
import { emptyStats, snapshot, ThrottledLog } from './stats.js';

describe('ThrottledLog', () => {
  it('logs one line per kind per ten seconds and says how many it held back', () => {
    let now = 0;
    const lines: Array<{ obj: object; msg?: string }> = [];
    const log = new ThrottledLog(
      { info: () => {}, error: () => {}, warn: (obj, msg) => lines.push({ obj, ...(msg ? { msg } : {}) }) },
      () => now,
    );
    log.warn('http', { n: 1 }, 'failed');
    log.warn('http', { n: 2 }, 'failed');
    log.warn('http', { n: 3 }, 'failed');
    log.warn('mqtt', { n: 4 }, 'failed');
    expect(lines.map((l) => l.obj)).toEqual([{ n: 1 }, { n: 4 }]);
    now = 10_000;
    log.warn('http', { n: 5 }, 'failed');
    expect(lines[2]?.obj).toEqual({ n: 5, suppressed: 2 });
  });
});

describe('snapshot', () => {
  it('is a copy that does not change with the live counters', () => {
    const live = emptyStats();
    const copy = snapshot(live);
    live.sent.mqtt++;
    live.commands.received++;
    expect(copy.sent.mqtt).toBe(0);
    expect(copy.commands.received).toBe(0);
  });
});
