/**
 * The background checkpointer: committed pages reach the database file without the writer
 * checkpointing, the store closes cleanly with it running, and the data is all there on reopen.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { entity, prop, seed } from '../conformance/fixtures.js';
import { Checkpointer } from './checkpointer.js';
import { openSqliteStore } from './index.js';

const dirs: string[] = [];
const tempFile = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'urbis-ckpt-'));
  dirs.push(dir);
  return join(dir, 'store.sqlite');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Bytes left in the WAL file (none when it was removed on close). */
const walBytes = (path: string): number => (existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0);

describe('background checkpointer', () => {
  it('copies committed frames into the database file while the writer never checkpoints', async () => {
    const path = tempFile();
    const writer = new Database(path);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('CREATE TABLE t (x)');
    const cp = new Checkpointer(path, (m) => {
      throw new Error(m);
    });
    const insert = writer.prepare('INSERT INTO t VALUES (?)');
    writer.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run('x'.repeat(200));
    })();
    // Pages reach the database file only through a checkpoint; the writer never runs one.
    expect(statSync(path).size).toBeLessThan(100_000);
    for (let i = 0; i < 40 && statSync(path).size < 400_000; i++) await new Promise((r) => setTimeout(r, 50));
    expect(statSync(path).size).toBeGreaterThan(400_000);
    await cp.stop();
    await cp.stop(); // idempotent
    writer.close();
  });

  it('runs under a file store: data survives close and reopen, nothing left in the WAL', async () => {
    const path = tempFile();
    const store = openSqliteStore({ path });
    const entities = Array.from({ length: 300 }, (_, i) => entity(`urn:c:${i}`, 'Thing', { level: prop(i) }));
    await seed(store, entities);
    await Promise.all([store.close(), store.close()]);
    expect(walBytes(path)).toBe(0);
    const again = openSqliteStore({ path });
    expect((await again.getEntity('', 'urn:c:299'))?.attrs).toEqual(entities[299]!.attrs);
    await again.close();
  });

  it('can be turned off', async () => {
    const path = tempFile();
    const store = openSqliteStore({ path, backgroundCheckpoint: false });
    await seed(store, [entity('urn:c:1', 'Thing', { level: prop(1) })]);
    await store.close();
    const again = openSqliteStore({ path });
    expect((await again.getEntity('', 'urn:c:1'))?.id).toBe('urn:c:1');
    await again.close();
  });
});
