/**
 * CPU per unit of work (a message, a request, an entity) against the machine's budget at a target
 * rate. A throughput target on a machine of `cores` cores allows at most `cores` CPU-seconds per
 * second for everything that runs there — the server and, in these benchmarks, the load generator
 * on the same machine. Divided by the target's rate, that is the CPU one unit may cost in all; a
 * measured cost (server + generator) above it says the target cannot be met on this machine by
 * spreading the same work over more threads, only by doing less work per unit.
 */
import { usage } from './proc-usage.js';

/**
 * Microseconds of CPU (summed over all cores) per unit, for the server, the generator and both.
 * @param {number} serverCpuS the server's CPU time over the phase (user + system)
 * @param {number} generatorCpuS the load generator's (this process) over the same phase
 * @param {number} count units done in the phase
 */
export function cpuPerUnit(serverCpuS, generatorCpuS, count) {
  if (!(count > 0)) throw new RangeError(`count must be > 0, not ${count}`);
  if (!(serverCpuS >= 0 && generatorCpuS >= 0)) throw new RangeError('CPU seconds must be ≥ 0');
  const server = (serverCpuS * 1e6) / count;
  const generator = (generatorCpuS * 1e6) / count;
  return { server, generator, total: server + generator };
}

/**
 * The machine's whole CPU per unit at a target rate: all cores, all the time (µs).
 * @param {{ cores: number, unitsPerSec: number }} o
 */
export function budgetMicrosPerUnit({ cores, unitsPerSec }) {
  if (!(cores > 0 && unitsPerSec > 0)) throw new RangeError('cores and the target rate must be > 0');
  return (cores * 1e6) / unitsPerSec;
}

/** CPU seconds (user + system) this process has used: the load generator's share. */
export function ownCpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * Run `fn` and measure the CPU that the server (process `pid`) and this process used meanwhile.
 * @template T
 * @param {number} pid
 * @param {() => Promise<T>} fn
 * @returns {Promise<{ result: T, serverCpuS: number, generatorCpuS: number }>}
 */
export async function withCpu(pid, fn) {
  const [s0, g0] = [usage(pid).cpuS, ownCpuSeconds()];
  const result = await fn();
  return { result, serverCpuS: usage(pid).cpuS - s0, generatorCpuS: ownCpuSeconds() - g0 };
}
