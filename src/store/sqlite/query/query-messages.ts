/** What the main thread and a query worker say to each other (query-workers.ts, query-worker.ts). */
import type { NgsiErrorKind } from '../../../core/errors.js';
import type { EntityQuery } from '../../../core/query/ast.js';
import type { StoredDoc } from './run-query.js';

/** The worker's `workerData`. */
export interface WorkerSetup {
  path: string;
  cacheSizeKiB: number;
  mmapSizeBytes: number;
  maxLimit: number;
}

/** One page to select: `n` numbers the answer; `size` is the tenant's size estimate for the planner. */
export interface PageRequest {
  n: number;
  tid: number;
  query: EntityQuery;
  size: number;
}

/** The page (stored documents, in order), a refusal (an NgsiError), or a fault (anything else). */
export type PageAnswer =
  | { n: number; docs: StoredDoc[]; count?: number }
  | { n: number; error: { kind: NgsiErrorKind; detail: string; status: number } }
  | { n: number; fault: string };
