/**
 * Entity queries on the other cores: worker threads, each with its own read-only connection to the
 * store's file, select the page (plan, SQL, documents) while the main thread goes on serving.
 *
 * Why: one event loop ran every query, so concurrent queries queued behind each other on one core
 * while the second sat idle; the SQL step is half to two thirds of a query's time (bench
 * `ngsi-ld --cpu-prof`). SQLite in WAL mode lets readers on other connections run beside the
 * writer, and each read sees every transaction committed before it began, so a query sent after a
 * write's commit sees that write. The main thread decodes the documents it gets back (a JSON.parse
 * per entity, cheaper than cloning decoded objects across threads).
 *
 * A worker that dies takes its pending queries with it (they fail with InternalError); the store
 * then runs queries on the main thread again (`alive` is false once none is left).
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { NgsiError } from '../../../core/errors.js';
import type { EntityQuery } from '../../../core/query/ast.js';
import type { StoredDoc } from './run-query.js';
import type { PageAnswer, PageRequest, WorkerSetup } from './query-messages.js';

interface Pending {
  resolve(page: { docs: StoredDoc[]; count?: number }): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  dead: boolean;
}

/**
 * The worker's compiled file. Under dist/ it sits beside this module; when the sources run (the
 * tests, through vitest) it is dist's copy, which `npm test` builds first: a worker thread runs
 * plain JavaScript only.
 */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.ts') ? here.replace(/[/\\]src[/\\](?=store[/\\])/, '/dist/') : here;
  return file.replace(/query-workers\.(ts|js)$/, 'query-worker.js');
}

/** A fixed set of query workers over one database file. */
export class QueryWorkers {
  private readonly slots: Slot[];
  private next = 0;
  private closed = false;

  constructor(
    setup: WorkerSetup,
    count: number,
    private readonly onError: (message: string) => void = () => {},
  ) {
    const file = workerFile();
    this.slots = Array.from({ length: count }, () => this.start(file, setup));
  }

  /** Some worker still runs. */
  get alive(): boolean {
    return this.running > 0;
  }

  /** Workers still running. */
  get running(): number {
    return this.closed ? 0 : this.slots.filter((s) => !s.dead).length;
  }

  /** The page of `query` in tenant `tid` (of about `size` entities), selected by the least busy worker. */
  page(tid: number, query: EntityQuery, size: number): Promise<{ docs: StoredDoc[]; count?: number }> {
    const slot = this.pick();
    if (slot === undefined)
      return Promise.reject(new NgsiError('InternalError', 'no query worker is running'));
    const n = this.next++;
    const request: PageRequest = { n, tid, query, size };
    return new Promise((resolve, reject) => {
      // A busy worker keeps the process alive until it answers; an idle one does not.
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(n, { resolve, reject });
      try {
        slot.worker.postMessage(request);
      } catch (e) {
        // Not clonable (the caller checks depth first; this is the backstop): this query fails alone.
        slot.pending.delete(n);
        if (slot.pending.size === 0) slot.worker.unref();
        reject(new NgsiError('InternalError', `query failed: ${(e as Error).message}`, { cause: e }));
      }
    });
  }

  /** Stop every worker (after their pending queries are answered or failed). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(
      this.slots.map(async (s) => {
        if (s.dead) return;
        const exited = new Promise((resolve) => s.worker.once('exit', resolve));
        s.worker.postMessage('close');
        await exited;
      }),
    );
  }

  private pick(): Slot | undefined {
    let best: Slot | undefined;
    for (const s of this.slots) {
      if (s.dead) continue;
      if (best === undefined || s.pending.size < best.pending.size) best = s;
    }
    return this.closed ? undefined : best;
  }

  private start(file: string, setup: WorkerSetup): Slot {
    const slot: Slot = { worker: new Worker(file, { workerData: setup }), pending: new Map(), dead: false };
    slot.worker.on('message', (m: PageAnswer) => {
      const p = slot.pending.get(m.n);
      if (p === undefined) return;
      slot.pending.delete(m.n);
      if (slot.pending.size === 0) slot.worker.unref();
      if ('error' in m) p.reject(new NgsiError(m.error.kind, m.error.detail, { status: m.error.status }));
      else if ('fault' in m) p.reject(new NgsiError('InternalError', `query failed: ${m.fault}`));
      else p.resolve(m);
    });
    const fail = (why: string) => {
      if (slot.dead) return;
      slot.dead = true;
      if (!this.closed) this.onError(why);
      const error = new NgsiError('InternalError', `the query worker stopped: ${why}`);
      for (const p of slot.pending.values()) p.reject(error);
      slot.pending.clear();
    };
    slot.worker.on('error', (e) => fail(e.message));
    slot.worker.on('exit', (code) => fail(`exit code ${code}`));
    slot.worker.unref();
    return slot;
  }
}
