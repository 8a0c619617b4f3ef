/**
 * Waits until a process has gone quiet: its CPU time grows by less than `idleShare` of a core over a
 * `windowMs` window. After a bulk load the server may still have work of its own (the background
 * checkpointer copying WAL into the database file, the collector sweeping the load's garbage), and
 * latency measured then would measure that backlog, not the queries. The wait is bounded and
 * reported with the figures (on the reference machine the server was quiet within a second).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { usage } from './proc-usage.js';

/**
 * @param {number} pid
 * @param {{ windowMs?: number, idleShare?: number, maxMs?: number }} [opts]
 * @returns {Promise<{ ms: number, settled: boolean }>} how long it waited, and whether it went quiet
 */
export async function settle(pid, { windowMs = 1000, idleShare = 0.05, maxMs = 60_000 } = {}) {
  const t0 = Date.now();
  let before = usage(pid).cpuS;
  while (Date.now() - t0 < maxMs) {
    await sleep(windowMs);
    const now = usage(pid).cpuS;
    if (now - before < (idleShare * windowMs) / 1000) return { ms: Date.now() - t0, settled: true };
    before = now;
  }
  return { ms: Date.now() - t0, settled: false };
}
