import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { budgetMicrosPerUnit, cpuPerUnit, ownCpuSeconds, withCpu } from './cpu-budget.js';

const spin = (n) => {
  let x = 0;
  for (let i = 0; i < n; i++) x += Math.sqrt(i);
  return x;
};

describe('cpu budget', () => {
  it('gives CPU per unit in microseconds, for the server, the generator and both', () => {
    // 1.2 + 0.3 CPU-seconds over 12,000 messages: 100 + 25 µs each.
    assert.deepEqual(cpuPerUnit(1.2, 0.3, 12_000), { server: 100, generator: 25, total: 125 });
  });

  it('refuses a phase without units or with negative CPU', () => {
    assert.throws(() => cpuPerUnit(1, 0, 0), RangeError);
    assert.throws(() => cpuPerUnit(-1, 0, 10), RangeError);
  });

  it('gives the whole machine per unit at the target rate', () => {
    // 2 cores, 100,000 points/s at 4 points per message: 25,000 messages/s, 80 µs each.
    assert.equal(budgetMicrosPerUnit({ cores: 2, unitsPerSec: 100_000 / 4 }), 80);
    assert.throws(() => budgetMicrosPerUnit({ cores: 0, unitsPerSec: 1 }), RangeError);
  });

  it('reads the CPU of this process, growing as it works', () => {
    const before = ownCpuSeconds();
    assert.ok(spin(5e6) > 0);
    assert.ok(ownCpuSeconds() > before);
  });

  it('measures a phase of work: here server and generator are both this process', async () => {
    const m = await withCpu(process.pid, async () => spin(5e6));
    assert.ok(m.result > 0);
    assert.ok(m.serverCpuS >= 0 && m.generatorCpuS > 0);
  });
});
