/**
 * A query worker (a worker thread; see query-workers.ts): its own connection to the store's file,
 * read-only, running the same QueryRunner as the main thread and sending back the page's stored
 * documents undecoded. Nothing here writes, and it shares no memory with the main thread: term ids
 * are read from the file (committed ids never change), the tenant's size comes with each request.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { isNgsiError } from '../../../core/errors.js';
import { Dictionary } from '../dictionary.js';
import { registerFunctions } from '../sql-functions.js';
import { StatementCache } from '../statement-cache.js';
import { QueryRunner } from './run-query.js';
import type { PageAnswer, PageRequest, WorkerSetup } from './query-messages.js';

const setup = workerData as WorkerSetup;
const db = new Database(setup.path, { fileMustExist: true });
db.pragma(`cache_size = ${-Math.trunc(setup.cacheSizeKiB)}`);
db.pragma(`mmap_size = ${Math.trunc(setup.mmapSizeBytes)}`);
db.pragma('temp_store = MEMORY');
db.pragma('busy_timeout = 5000');
// A guard, not a need: every statement here reads.
db.pragma('query_only = ON');
registerFunctions(db);

let size = 0;
const runner = new QueryRunner({
  statements: new StatementCache(db),
  terms: new Dictionary(db, 'terms'),
  maxLimit: setup.maxLimit,
  tenantSize: () => size,
});

parentPort!.on('message', (m: PageRequest | 'close') => {
  if (m === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  let answer: PageAnswer;
  try {
    size = m.size;
    answer = { n: m.n, ...runner.pageDocs(m.tid, m.query) };
  } catch (e) {
    answer = isNgsiError(e)
      ? { n: m.n, error: { kind: e.kind, detail: e.detail, status: e.status } }
      : { n: m.n, fault: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(answer);
});
