/**
 * File-backed behaviour of the SQLite store: WAL mode, data surviving a reopen, queued writes
 * flushed by close(), a killed writer leaving whole batches only, and side data rebuilt when the
 * index version changes.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cmp, entity, ids, iri, num, prop, put } from '../conformance/fixtures.js';
import { openSqliteStore } from './index.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'urbis-sqlite-'));
  file = join(dir, 'store.db');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('sqlite file store', () => {
  it('runs in WAL mode with synchronous NORMAL', async () => {
    const store = openSqliteStore({ path: file });
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    await store.close();
  });

  it('keeps data across close and reopen, with its indexes', async () => {
    const a = openSqliteStore({ path: file });
    await a.mutate('urn:t', [put(entity('urn:a', 'T', { v: prop(7) }))]);
    await a.close();
    const b = openSqliteStore({ path: file });
    expect(await b.getEntity('urn:t', 'urn:a')).toEqual(entity('urn:a', 'T', { v: prop(7) }));
    expect(await ids(b, { q: cmp('v', '==', num(7)) }, 'urn:t')).toEqual(['urn:a']);
    expect(await b.tenantExists('urn:t')).toBe(true);
    await b.close();
  });

  it('sees committed data from a second connection before any checkpoint', async () => {
    const a = openSqliteStore({ path: file });
    await a.mutate('', [put(entity('urn:a', 'T'))]);
    const b = openSqliteStore({ path: file });
    expect(await ids(b, {})).toEqual(['urn:a']);
    await b.close();
    await a.close();
  });

  it('commits queued writes when closing', async () => {
    const a = openSqliteStore({ path: file });
    const pending = a.mutate('', [put(entity('urn:a', 'T'))]);
    await a.close();
    expect((await pending)[0]?.ok).toBe(true);
    const b = openSqliteStore({ path: file });
    expect(await ids(b, {})).toEqual(['urn:a']);
    await b.close();
  });

  it('after a writer is killed, holds every acknowledged batch and no partial one', async () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const child = spawn(
      process.execPath,
      [
        join(root, 'node_modules/vite-node/vite-node.mjs'),
        join(root, 'src/store/sqlite/crash-writer.fixture.ts'),
        file,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let acknowledged = -1;
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.stdout.on('data', (chunk: Buffer) => {
        const lines = chunk.toString().trim().split('\n');
        acknowledged = Number(lines[lines.length - 1]);
        if (acknowledged >= 20) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => resolve());
    });
    await new Promise((r) => child.once('close', r));
    expect(acknowledged).toBeGreaterThanOrEqual(20);
    const store = openSqliteStore({ path: file });
    const all = await store.queryIds('', {});
    const batches = new Map<string, number>();
    for (const id of all) batches.set(id.split(':')[2]!, (batches.get(id.split(':')[2]!) ?? 0) + 1);
    expect(batches.size).toBeGreaterThan(acknowledged);
    for (const n of batches.values()) expect(n).toBe(100);
    const page = await store.queryEntities('', {
      limit: 0,
      offset: 0,
      count: true,
      q: cmp('n', '<=', num(acknowledged)),
    });
    expect(page.count).toBe((acknowledged + 1) * 100);
    await store.close();
  }, 60_000);

  it('rebuilds every side table when the index version changes', async () => {
    const a = openSqliteStore({ path: file });
    await a.mutate('', [
      put(
        entity('urn:a', 'T', {
          v: prop(1),
          location: [{ type: 'GeoProperty', value: { type: 'Point', coordinates: [1, 2] } }],
        }),
      ),
    ]);
    await a.close();
    const raw = new Database(file);
    raw.exec(
      "DELETE FROM attr_values; DELETE FROM geo_rtree; DELETE FROM shape_stats; UPDATE meta SET value = 'old' WHERE key = 'index_version'",
    );
    raw.close();
    const b = openSqliteStore({ path: file });
    expect(await ids(b, { q: cmp('v', '==', num(1)) })).toEqual(['urn:a']);
    const near = {
      georel: 'near' as const,
      maxDistance: 1,
      geometry: { type: 'Point' as const, coordinates: [1, 2] },
      geoproperty: iri('location'),
    };
    expect(await ids(b, { geoQ: near })).toEqual(['urn:a']);
    expect((await b.listTypes(''))[0]?.entityCount).toBe(1);
    await b.close();
  });
});
