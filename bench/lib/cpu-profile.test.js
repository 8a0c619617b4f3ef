// Tests of the CPU-profile hot spots and phase windows (run with `node --test bench/`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PhaseClock, hotSpots } from './cpu-profile.js';

/** A profile with samples every 1 ms from t = 1,000,000 µs: 4 × f, 2 × idle, 4 × g. */
function writeProfile(dir) {
  const frame = (functionName, url = '') => ({
    functionName,
    url,
    lineNumber: 0,
    columnNumber: 0,
    scriptId: '0',
  });
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 3, 4] },
      { id: 2, callFrame: frame('f', 'file:///x/a.js') },
      { id: 3, callFrame: frame('(idle)') },
      { id: 4, callFrame: frame('g', 'file:///x/b.js') },
    ],
    startTime: 1_000_000,
    endTime: 1_010_000,
    samples: [2, 2, 2, 2, 3, 3, 4, 4, 4, 4],
    timeDeltas: Array(10).fill(1000),
  };
  const file = join(dir, 'p.cpuprofile');
  writeFileSync(file, JSON.stringify(profile));
  return file;
}

describe('hotSpots', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-prof-test-'));
  const file = writeProfile(dir);

  it('shares busy time by function, leaving idle out', () => {
    const s = hotSpots(file);
    assert.equal(Math.round(s.idlePct), 22); // 2 of 9 counted intervals (the last sample has none)
    assert.deepEqual(
      s.functions.map((f) => [f.name, Math.round(f.pct)]),
      [
        ['f', 57],
        ['g', 43],
      ],
    );
  });

  it('counts only the samples inside the windows', () => {
    const s = hotSpots(file, { windows: [[1_006_500, 1_020_000]] });
    assert.deepEqual(
      s.functions.map((f) => f.name),
      ['g'],
    );
    assert.equal(s.idlePct, 0);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('PhaseClock', () => {
  it('records a window per call, also when the call fails', async () => {
    const clock = new PhaseClock();
    assert.equal(await clock.time('a', async () => 7), 7);
    await assert.rejects(
      clock.time('a', async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    const windows = clock.phases.get('a');
    assert.equal(windows.length, 2);
    assert.ok(windows.every(([from, to]) => to >= from));
  });
});
