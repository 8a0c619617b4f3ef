// Tests of the runner's command line (run with `node --test bench/`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const run = (...args) =>
  spawnSync(process.execPath, [fileURLToPath(new URL('./run.js', import.meta.url)), ...args], {
    encoding: 'utf8',
  });

describe('bench/run.js', () => {
  it('prints the usage and exits 2 for an unknown suite, no suite, or a bad option', () => {
    for (const args of [['nope'], [], ['ngsi-ld', '--bogus'], ['ngsi-ld', '--reps', '0']]) {
      const r = run(...args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, /usage: npm run bench -- <suite…>/);
    }
  });
  it('refuses a store other than sqlite or postgres, saying which are known', () => {
    const r = run('ngsi-ld', '--store', 'mysql');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--store must be sqlite or postgres/);
  });
  it('names the unknown suite', () => {
    assert.match(run('nope').stderr, /unknown suite "nope"/);
  });
});
