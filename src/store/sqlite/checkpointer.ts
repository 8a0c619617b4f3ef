/**
 * Background WAL checkpoints. A checkpoint copies committed pages from the WAL into the database
 * file and syncs both; run by the writing connection (SQLite's auto-checkpoint), it lands inside
 * whichever COMMIT crosses the threshold, and measured on the 2-core reference VM it was a third of
 * the write path's time. Here a worker thread with its own connection runs PASSIVE checkpoints
 * (they never block the writer nor wait for it), so that work runs on the other core.
 *
 * Durability is unchanged: with synchronous = NORMAL a commit is safe from a process crash once it is
 * in the WAL (an OS crash or power loss may lose the last commits; `synchronous = FULL` would not);
 * checkpoints only move pages already there. The writer keeps a (higher) auto-checkpoint as a backstop, so the
 * WAL stays bounded if the worker falls behind or is gone.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the worker looks for committed frames to copy. */
const INTERVAL_MS = 50;

// CommonJS, evaluated in the worker: better-sqlite3 is passed as a resolved path so that this file
// works the same from src/ (tests) and dist/.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
const step = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const timer = setInterval(() => {
  try {
    step.get();
  } catch (e) {
    clearInterval(timer);
    parentPort.postMessage({ error: String(e && e.message) });
  }
}, workerData.interval);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.postMessage({ closed: true });
});
`;

/** A worker thread that checkpoints one database file's WAL in the background. */
export class Checkpointer {
  private readonly worker: Worker;
  private stopped = false;

  /** Start checkpointing `path` (a file database already in WAL mode). */
  constructor(path: string, onError: (message: string) => void = () => {}) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER, { eval: true, workerData: { path, driver, interval: INTERVAL_MS } });
    // A stopped or failed worker leaves the writer's backstop auto-checkpoint in charge.
    this.worker.on('message', (m: { error?: string }) => {
      if (m.error !== undefined) onError(m.error);
    });
    this.worker.on('error', (e) => onError(e.message));
    this.worker.unref();
  }

  /** Stop the worker and close its connection (before the store's final checkpoint and close). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const closed = new Promise<void>((resolve) => {
      this.worker.on('message', (m: { closed?: boolean }) => m.closed && resolve());
      this.worker.once('exit', () => resolve());
    });
    // Unref'd while it runs; held now, or a process with nothing else left to do would exit
    // while waiting for the reply, before the store's final checkpoint and close.
    this.worker.ref();
    this.worker.postMessage('stop');
    await closed;
    await this.worker.terminate();
  }
}
