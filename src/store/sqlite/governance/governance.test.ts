/**
 * The SQLite governance repositories on a file: two stores (two connections, as two processes
 * would have) over one file keep one audit chain and share policy versions and pseudonym keys
 * (the shared conformance tests), and a destroyed pseudonym key's secret is gone from the file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeGovernanceShared } from '../../conformance/governance.js';
import type { PseudonymKey } from '../../governance-port.js';
import { openSqliteStore } from '../index.js';
import type { SqliteStore } from '../sqlite-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'urbis-governance-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describeGovernanceShared(async () => {
  const path = join(dir, 'shared.db');
  // Opened one after the other: the second finds the schema migrated by the first.
  const a = openSqliteStore({ path, backgroundCheckpoint: false });
  const b = openSqliteStore({ path, backgroundCheckpoint: false });
  return [a, b];
});

describe('sqlite pseudonym keys on a file', () => {
  /** A secret no other byte sequence of the file could hold by chance. */
  const secret = Buffer.from('urbis-test-secret-4d1f0c9a7b3e2d18', 'utf8').toString('base64');
  const key: PseudonymKey = {
    id: 'pk-1',
    tenant: 'urn:t:a',
    secret,
    createdAt: '2026-01-01T00:00:00.000Z',
    notAfter: '2026-01-08T00:00:00.000Z',
  };
  const fileHas = (path: string, text: string): boolean => {
    const needle = Buffer.from(text, 'utf8');
    for (const f of [path, `${path}-wal`]) {
      try {
        if (readFileSync(f).includes(needle)) return true;
      } catch {
        // No WAL file after a clean close.
      }
    }
    return false;
  };

  it('runs the connection with secure_delete on', async () => {
    const store = openSqliteStore({ path: join(dir, 'pragma.db'), backgroundCheckpoint: false });
    // The setting is per connection: only the store's own connection can tell.
    const db = (store as unknown as { db: { pragma(s: string, o: { simple: true }): unknown } }).db;
    expect(db.pragma('secure_delete', { simple: true })).toBe(1);
    await store.close();
  });

  it('leaves no copy of a destroyed secret in the database file', async () => {
    const path = join(dir, 'keys.db');
    let store: SqliteStore = openSqliteStore({ path, backgroundCheckpoint: false });
    // Other rows around it, so the key shares its page with live data.
    for (let i = 0; i < 20; i++) {
      await store.governance.registry.put({
        tenant: 'urn:t:a',
        type: `https://example.org/T${i}`,
        document: { i },
        updatedAt: key.createdAt,
        updatedBy: 'x',
      });
    }
    await store.governance.pseudonymKeys.current('urn:t:a', key.createdAt, () => key);
    await store.close();
    // The test can see the secret when it is there.
    expect(fileHas(path, secret)).toBe(true);

    store = openSqliteStore({ path, backgroundCheckpoint: false });
    expect(await store.governance.pseudonymKeys.destroyExpired('2026-01-09T00:00:00Z')).toBe(1);
    await store.close();
    expect(fileHas(path, secret)).toBe(false);
    // The rows around it are intact.
    store = openSqliteStore({ path, backgroundCheckpoint: false });
    expect(await store.governance.registry.list('urn:t:a')).toHaveLength(20);
    await store.close();
  });
});
