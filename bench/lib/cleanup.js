/**
 * Tear-down that always runs: the benchmark starts servers and writes temp directories, and
 * must leave neither behind — on success, on error, on Ctrl-C and on its own time limit.
 */
import { rmSync } from 'node:fs';

/**
 * A stack of tear-down steps, run last-in first-out. Each step has an async form (used on a normal
 * end or a signal: lets a server flush its CPU profile) and an optional synchronous last resort
 * (run from `process.on('exit')`, where nothing asynchronous can happen any more).
 */
export class Cleanup {
  constructor() {
    /** @type {Array<{ name: string, run: () => Promise<void>, sync?: () => void, done: boolean }>} */
    this.steps = [];
  }

  /**
   * Register a step. Returns a function that runs it now (and only once), for phases that end a
   * resource early.
   * @param {string} name for error messages
   * @param {() => Promise<void>} run
   * @param {() => void} [sync]
   * @returns {() => Promise<void>}
   */
  add(name, run, sync) {
    const step = { name, run, sync, done: false };
    this.steps.push(step);
    return async () => {
      if (step.done) return;
      step.done = true;
      await run();
    };
  }

  /** A step that removes a directory tree (a temp dir). */
  removeDir(dir) {
    const rm = () => rmSync(dir, { recursive: true, force: true });
    return this.add(`remove ${dir}`, async () => rm(), rm);
  }

  /** Run every pending step, newest first; a failing step is reported and the rest still run. */
  async runAll() {
    while (this.steps.length > 0) {
      const step = this.steps.pop();
      if (step.done) continue;
      step.done = true;
      try {
        await step.run();
      } catch (e) {
        console.error(`cleanup: ${step.name} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  /** Synchronous last resort for `process.on('exit')`: kill what is left, remove what is left. */
  runAllSync() {
    for (const step of [...this.steps].reverse()) {
      if (step.done || step.sync === undefined) continue;
      step.done = true;
      try {
        step.sync();
      } catch (e) {
        console.error(`cleanup: ${step.name} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}
