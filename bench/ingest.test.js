// Tests of the ingest suite's pure helpers (run with `node --test bench/`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchProfile, reading, sqliteRowsPerSec, timedLoops } from './ingest.js';
import { cpuSecondsOf, rssMiBOf, usage } from './lib/proc-usage.js';

describe('timedLoops', () => {
  it('counts every step of every concurrent loop (no update lost across awaits)', async () => {
    let steps = 0;
    const r = await timedLoops(8, 0.05, async () => {
      steps++;
      await new Promise((resolve) => setImmediate(resolve));
      return 2;
    });
    assert.equal(r.done, steps * 2);
    // Node's timers are millisecond-grained against performance.now(): one may fire a fraction early.
    assert.ok(r.seconds >= 0.049, `ran ${r.seconds} s`);
  });
});

describe('the simulated device', () => {
  it('sends four readings, all mapped by the bench profile', () => {
    const fields = Object.keys(reading(7));
    assert.equal(fields.length, 4);
    assert.deepEqual(fields.sort(), Object.keys(benchProfile().mapping).sort());
  });
});

describe('sqliteRowsPerSec', () => {
  it('inserts the rows and gives a positive rate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ingest-test-'));
    try {
      assert.ok(sqliteRowsPerSec(join(dir, 'b.sqlite'), 2500) > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('proc usage', () => {
  it('reads utime + stime after a command name holding spaces and parentheses', () => {
    const stat = '1234 (node (x) y) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0';
    assert.equal(cpuSecondsOf(stat), 3);
  });

  it('reads VmRSS in MiB, and refuses a status without it', () => {
    assert.equal(rssMiBOf('Name:\tnode\nVmRSS:\t  2048 kB\n'), 2);
    assert.throws(() => rssMiBOf('Name:\tnode\n'), /VmRSS/);
  });

  it('reads this process', () => {
    const u = usage(process.pid);
    assert.ok(u.cpuS > 0 && u.rssMiB > 1);
  });
});
