/**
 * Reads a V8 .cpuprofile (as written by `node --cpu-prof`) and names the hot spots: the functions
 * and the files with the most self time. Enough to say where a missed target goes, without
 * opening a profiler UI.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from './processes.js';

/**
 * Time windows of the phases of a run, on the clock V8 stamps profile samples with
 * (`process.hrtime`, CLOCK_MONOTONIC, shared by all processes of the machine), so that the samples
 * of the server's profile can be sliced by what the benchmark was doing at the time.
 */
export class PhaseClock {
  constructor() {
    /** @type {Map<string, Array<[number, number]>>} phase → [fromUs, toUs] windows */
    this.phases = new Map();
  }

  /** The clock in microseconds. */
  static nowUs() {
    return Number(process.hrtime.bigint() / 1000n);
  }

  /**
   * Time `fn` as one window of `phase`.
   * @template T
   * @param {string} phase
   * @param {() => Promise<T>} fn
   * @returns {Promise<T>}
   */
  async time(phase, fn) {
    const from = PhaseClock.nowUs();
    try {
      return await fn();
    } finally {
      const list = this.phases.get(phase) ?? [];
      list.push([from, PhaseClock.nowUs()]);
      this.phases.set(phase, list);
    }
  }
}

/**
 * Self time by function and by file, over the whole profile or over some time windows, as shares
 * of the busy (non-idle) time.
 * @param {string} file a .cpuprofile
 * @param {{ top?: number, windows?: Array<[number, number]> }} [opts] windows in profile µs
 * @returns {{ totalMs: number, idlePct: number, functions: Array<{ name: string, where: string, ms: number, pct: number }>,
 *   files: Array<{ where: string, ms: number, pct: number }> }}
 */
export function hotSpots(file, { top = 15, windows } = {}) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const hits = hitsIn(profile, windows);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  let totalMs = 0;
  for (const [, ms] of hits) totalMs += ms;
  const byFn = new Map();
  const byFile = new Map();
  let idleMs = 0;
  for (const [id, ms] of hits) {
    const cf = byId.get(id).callFrame;
    if (cf.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const where = shortUrl(cf.url);
    const name = cf.functionName || `(${cf.url ? 'anonymous' : 'native'})`;
    const key = `${name} ${where}:${cf.lineNumber + 1}`;
    const f = byFn.get(key) ?? { name, where: `${where}:${cf.lineNumber + 1}`, ms: 0 };
    f.ms += ms;
    byFn.set(key, f);
    const fileKey = where || name;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + ms);
  }
  // Shares of the busy time: where the CPU went while the server was working.
  const busyMs = totalMs - idleMs;
  const pct = (ms) => (busyMs === 0 ? 0 : (100 * ms) / busyMs);
  const idlePct = totalMs === 0 ? 0 : (100 * idleMs) / totalMs;
  const functions = [...byFn.values()]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, top)
    .map((f) => ({ ...f, pct: pct(f.ms) }));
  const files = [...byFile.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, ms]) => ({ where, ms, pct: pct(ms) }));
  return { totalMs, idlePct, functions, files };
}

/**
 * Milliseconds of samples per node id, counting only samples inside the windows (all without).
 * Each sample stands for the time until the next one.
 */
function hitsIn(profile, windows) {
  const hits = new Map();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let t = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    t += deltas[i] ?? 0;
    const dur = (i + 1 < deltas.length ? deltas[i + 1] : 0) / 1000;
    if (windows !== undefined && !windows.some(([from, to]) => t >= from && t <= to)) continue;
    hits.set(samples[i], (hits.get(samples[i]) ?? 0) + dur);
  }
  return hits;
}

/** Repo-relative paths for project and node_modules files; node: internals as they are. */
function shortUrl(url) {
  if (!url) return '';
  if (!url.startsWith('file://')) return url;
  const p = fileURLToPath(url);
  const rel = relative(REPO_ROOT, p);
  return rel.startsWith('..') ? p : rel;
}

/** The .cpuprofile files in a directory. */
export function profilesIn(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(dir, f));
}

/** Hot spots as printable text. */
export function formatHotSpots(spots) {
  const line = (pct, ms, label) =>
    `  ${pct.toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(7)} ms  ${label}`;
  return [
    `${(spots.totalMs / 1000).toFixed(1)} s sampled, ${spots.idlePct.toFixed(0)} % idle; share of busy time by function:`,
    ...spots.functions.map((f) => line(f.pct, f.ms, `${f.name}  ${f.where}`)),
    'self time by file:',
    ...spots.files.map((f) => line(f.pct, f.ms, f.where)),
  ].join('\n');
}
