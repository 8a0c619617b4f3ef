// Tests of settle (run with `node --test bench/`): it waits out a busy process, and not an idle one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { settle } from './settle.js';

/** A child that spins for `busyMs`, then idles until killed. */
function child(busyMs) {
  return spawn(
    process.execPath,
    ['-e', `const end = Date.now() + ${busyMs}; while (Date.now() < end); setInterval(() => {}, 1000);`],
    { stdio: 'ignore' },
  );
}

describe('settle', () => {
  it('returns after one quiet window for an idle process, and waits while a process is busy', async () => {
    const idle = child(0);
    const busy = child(1500);
    try {
      await new Promise((r) => setTimeout(r, 300)); // both have started
      const a = await settle(idle.pid, { windowMs: 200, maxMs: 5000 });
      assert.equal(a.settled, true);
      assert.ok(a.ms < 1000, `idle process took ${a.ms} ms`);
      const b = await settle(busy.pid, { windowMs: 200, maxMs: 5000 });
      assert.equal(b.settled, true);
      assert.ok(b.ms >= 600, `busy process settled after only ${b.ms} ms`);
    } finally {
      idle.kill();
      busy.kill();
    }
  });

  it('gives up at maxMs and says so', async () => {
    const busy = child(10_000);
    try {
      const r = await settle(busy.pid, { windowMs: 200, maxMs: 700 });
      assert.equal(r.settled, false);
      assert.ok(r.ms >= 700 && r.ms < 2000);
    } finally {
      busy.kill();
    }
  });
});
