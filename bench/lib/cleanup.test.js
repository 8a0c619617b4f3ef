// Tests of the benchmark tear-down (run with `node --test bench/`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cleanup } from './cleanup.js';

describe('Cleanup', () => {
  it('runs steps newest first, each once, and goes on after a failing one', async () => {
    const c = new Cleanup();
    const order = [];
    c.add('a', async () => order.push('a'));
    const runB = c.add('b', async () => order.push('b'));
    c.add('bad', async () => {
      throw new Error('step failed');
    });
    c.add('c', async () => order.push('c'));
    await runB();
    await runB();
    await c.runAll();
    await c.runAll();
    assert.deepEqual(order, ['b', 'c', 'a']);
  });

  it('removes a directory, and has a synchronous path for process exit', () => {
    const c = new Cleanup();
    const dir = mkdtempSync(join(tmpdir(), 'bench-cleanup-test-'));
    c.removeDir(dir);
    c.add('async only', async () => assert.fail('not run by runAllSync'));
    c.runAllSync();
    assert.equal(existsSync(dir), false);
  });
});
