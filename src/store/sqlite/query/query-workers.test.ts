/**
 * Entity queries in worker threads: the store's query conformance features run against a file
 * store whose queries go to a worker (the worker runs dist's build of query-worker.ts, which
 * `npm test` makes first); a query sees the writes committed before it; a refusal keeps its kind; a
 * worker that cannot run fails its queries with InternalError and says why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isNgsiError } from '../../../core/errors.js';
import type { Entity } from '../../../core/model/entity.js';
import type { EntityQuery } from '../../../core/query/ast.js';
import {
  describeQueryGeo,
  describeQueryQ,
  describeQueryTypeScopeOrder,
  describeQueryVisibility,
  describeRobustness,
} from '../../conformance/index.js';
import { openSqliteStore } from '../index.js';
import type { SqliteStore } from '../sqlite-store.js';
import { QueryWorkers } from './query-workers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
/** A fresh file store whose queries run in `workers` worker threads. */
const fileStore = (workers: number): SqliteStore => {
  const dir = mkdtempSync(join(tmpdir(), 'urbis-query-workers-'));
  dirs.push(dir);
  return openSqliteStore({
    path: join(dir, 'urbis.sqlite'),
    queryWorkers: workers,
    backgroundCheckpoint: false,
  });
};

describe('store conformance: sqlite (file, queries in a worker thread)', () => {
  const makeStore = async () => fileStore(1);
  describeQueryQ(makeStore);
  describeQueryTypeScopeOrder(makeStore);
  describeQueryGeo(makeStore);
  describeQueryVisibility(makeStore);
  describeRobustness(makeStore);
});

const T = 'https://example.org/Sensor';
const V = 'https://example.org/v';
const sensor = (n: number): Entity => ({
  id: `urn:ngsi-ld:Sensor:${String(n).padStart(4, '0')}`,
  type: [T],
  attrs: { [V]: [{ type: 'Property', value: n }] },
});
const put = (e: Entity) => ({ id: e.id, decide: () => ({ action: 'put' as const, entity: e }) });
const byType = (extra: Partial<EntityQuery> = {}): EntityQuery => ({
  type: { kind: 'type', name: T },
  limit: 100,
  offset: 0,
  count: true,
  ...extra,
});

describe('queries in worker threads', () => {
  it('run in the workers, and see every write committed before them', async () => {
    const store = fileStore(2);
    try {
      expect(store.queryWorkers).toBe(0); // started by the first query
      for (let round = 1; round <= 5; round++) {
        await store.mutate('', [put(sensor(round))]);
        // Several at once: both workers answer, each after the commit above.
        const pages = await Promise.all([1, 2, 3, 4].map(() => store.queryEntities('', byType())));
        for (const page of pages) {
          expect(page.count).toBe(round);
          expect(page.entities.map((e) => e.attrs[V]![0]!.value)).toEqual(
            Array.from({ length: round }, (_, i) => i + 1),
          );
        }
      }
      expect(store.queryWorkers).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('keep the kind of a refusal (an NgsiError) made in the worker', async () => {
    const store = fileStore(1);
    try {
      await store.mutate('', [put(sensor(1))]);
      const refused = await store.queryEntities('', byType({ limit: 5000 })).catch((e: unknown) => e);
      expect(isNgsiError(refused) && refused.kind).toBe('BadRequestData');
      expect(store.queryWorkers).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('fail with InternalError when a worker cannot run, and say why', async () => {
    const reasons: string[] = [];
    const workers = new QueryWorkers(
      {
        path: join(tmpdir(), 'urbis-no-such-dir', 'none.sqlite'),
        cacheSizeKiB: 1024,
        mmapSizeBytes: 0,
        maxLimit: 10,
      },
      1,
      (why) => reasons.push(why),
    );
    const failed = await workers.page(0, byType(), 0).catch((e: unknown) => e);
    expect(isNgsiError(failed) && failed.kind).toBe('InternalError');
    expect(workers.alive).toBe(false);
    expect(reasons.join(' ')).toMatch(/not exist|unable to open|SQLITE_CANTOPEN|directory/i);
    await workers.close();
  });
});
