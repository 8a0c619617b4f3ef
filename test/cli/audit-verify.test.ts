// `urbis audit` against real store files: a log written through AuditTrail into SQLite, then tampered
// with through better-sqlite3 as an intruder with access to the file would (an edited column, a
// deleted row, two rows swapped, a cut-off tail), and the verdicts the operator sees.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditCommand } from '../../src/cli/audit-command.js';
import { AuditTrail } from '../../src/governance/audit/trail.js';
import type { AuditEntry, AuditRecord } from '../../src/store/governance-port.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { runCommand } from '../support/cli-run.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const ENTRIES = 20;

function recordNo(i: number): AuditRecord {
  return {
    at: new Date(Date.UTC(2025, 4, 1, 8, 0, i)).toISOString(),
    tenant: i % 2 === 0 ? 'north' : 'south',
    principal: i % 5 === 0 ? 'admin' : `svc-${i % 3}`,
    action: i % 5 === 0 ? 'key.revoke' : 'entity.update',
    ...(i % 4 !== 0 && { target: `urn:ngsi-ld:Streetlight:${i}` }),
    ...(i % 3 === 0 && { requestId: `req-${i}` }),
    outcome: i % 7 === 0 ? 'denied' : 'success',
    ...(i % 2 === 0 && { status: 204 }),
    ...(i % 3 !== 1 && { detail: { attrs: ['power', 'dim'], count: i, nested: { z: 1, a: [i, null] } } }),
  };
}

/** A data dir whose store holds ENTRIES audit entries, written by the trail and closed. */
async function dataDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'urbis-audit-'));
  dirs.push(dir);
  const store = openSqliteStore({ path: join(dir, 'urbis.sqlite'), backgroundCheckpoint: false });
  const trail = new AuditTrail({ repo: store.governance.audit });
  for (let i = 1; i <= ENTRIES; i++) {
    if (i % 5 === 0) await trail.recordNow(recordNo(i));
    else trail.record(recordNo(i));
  }
  await trail.close();
  await store.close();
  return dir;
}

/** Change the raw file, then let go of it. */
function tamper(dir: string, change: (db: Database.Database) => void): void {
  const db = new Database(join(dir, 'urbis.sqlite'));
  try {
    change(db);
  } finally {
    db.close();
  }
}

function rows(dir: string): AuditEntry[] {
  const db = new Database(join(dir, 'urbis.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq').all() as AuditEntry[];
  } finally {
    db.close();
  }
}

const run = (args: string[], dir: string) => runCommand(auditCommand, args, dir);

describe('urbis audit verify', () => {
  it('passes an untouched log and prints its head', async () => {
    const dir = await dataDir();
    const last = rows(dir).at(-1) as AuditEntry;
    const { code, out, err } = await run(['verify'], dir);
    expect(err).toBe('');
    expect(out).toBe(`audit log OK: ${ENTRIES} entries, head #${ENTRIES} ${last.hash}\n`);
    expect(code).toBe(0);
  });

  it('names an entry whose column was edited', async () => {
    for (const [column, value] of [
      ['principal', 'mallory'],
      ['outcome', 'success'],
      ['status', 200],
      ['detail', '{"count":7}'],
      ['at', '2025-05-01T09:00:00.000Z'],
    ] as const) {
      const dir = await dataDir();
      tamper(dir, (db) => db.prepare(`UPDATE audit_log SET ${column} = ? WHERE seq = 7`).run(value));
      const { code, out } = await run(['verify'], dir);
      expect(out).toBe(
        'audit log BROKEN at entry #7: the stored hash does not match the entry content (entry edited)\n',
      );
      expect(code).toBe(1);
    }
  });

  it('names a deleted entry', async () => {
    const dir = await dataDir();
    tamper(dir, (db) => db.prepare('DELETE FROM audit_log WHERE seq = 12').run());
    const { code, out } = await run(['verify'], dir);
    expect(out).toBe('audit log BROKEN at entry #12: entry #12 is missing (the next entry stored is #13)\n');
    expect(code).toBe(1);
  });

  it('names a deleted entry whose successors were renumbered', async () => {
    const dir = await dataDir();
    tamper(dir, (db) => {
      db.prepare('DELETE FROM audit_log WHERE seq = 12').run();
      // Ascending, so that no two rows ever hold the same seq.
      for (let seq = 13; seq <= ENTRIES; seq++)
        db.prepare('UPDATE audit_log SET seq = ? WHERE seq = ?').run(seq - 1, seq);
    });
    const { code, out } = await run(['verify'], dir);
    expect(out).toMatch(/^audit log BROKEN at entry #12: prevHash does not match the hash of entry #11/);
    expect(code).toBe(1);
  });

  it('names the first of two entries swapped so that they appear reordered', async () => {
    const dir = await dataDir();
    tamper(dir, (db) => {
      const cols =
        'at, tenant, principal, action, target, request_id, outcome, status, detail, prev_hash, hash';
      const get = db.prepare(`SELECT ${cols} FROM audit_log WHERE seq = ?`);
      const [a, b] = [get.get(5) as Record<string, unknown>, get.get(6) as Record<string, unknown>];
      const set = db.prepare(
        `UPDATE audit_log SET ${cols
          .split(', ')
          .map((c) => `${c} = @${c}`)
          .join(', ')} WHERE seq = @seq`,
      );
      db.transaction(() => {
        set.run({ ...b, seq: 5 });
        set.run({ ...a, seq: 6 });
      })();
    });
    const { code, out } = await run(['verify'], dir);
    expect(out).toMatch(/^audit log BROKEN at entry #5: prevHash does not match the hash of entry #4/);
    expect(code).toBe(1);
  });

  it('names a forged first entry', async () => {
    const dir = await dataDir();
    tamper(dir, (db) => db.prepare('UPDATE audit_log SET prev_hash = ? WHERE seq = 1').run('f'.repeat(64)));
    const { code, out } = await run(['verify'], dir);
    expect(out).toBe('audit log BROKEN at entry #1: the first entry is not chained to the genesis hash\n');
    expect(code).toBe(1);
  });

  it('locates a row that can no longer be read', async () => {
    const dir = await dataDir();
    tamper(dir, (db) => db.prepare("UPDATE audit_log SET detail = '{not json' WHERE seq = 9").run());
    const { code, out } = await run(['verify'], dir);
    expect(out).toMatch(/^audit log BROKEN after entry #8: the next entry cannot be read \(.+\)\n$/);
    expect(code).toBe(1);
  });

  it('catches a cut-off tail only against an anchor, and accepts a matching anchor', async () => {
    const dir = await dataDir();
    const all = rows(dir);
    const anchor = `${ENTRIES}:${(all.at(-1) as AuditEntry).hash}`;
    const earlier = `#15:${(all[14] as AuditEntry).hash}`;
    expect(await run(['verify', '--anchor', anchor], dir)).toMatchObject({
      code: 0,
      out: expect.stringMatching(
        new RegExp(`^audit log OK: ${ENTRIES} entries, .*; anchor #${ENTRIES} matches\n$`),
      ),
    });
    tamper(dir, (db) => db.prepare('DELETE FROM audit_log WHERE seq > 17').run());
    expect(await run(['verify'], dir)).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^audit log OK: 17 entries/),
    });
    expect(await run(['verify', '--anchor', earlier], dir)).toMatchObject({ code: 0 });
    expect(await run(['verify', '--anchor', anchor], dir)).toEqual({
      code: 1,
      out: `audit log BROKEN at entry #${ENTRIES}: the log ends at #17, but entry #${ENTRIES} was recorded (tail truncated)\n`,
      err: '',
    });
  });

  it('refuses a malformed anchor, an unknown verb or flag, and a missing store, with exit code 2', async () => {
    const dir = await dataDir();
    for (const args of [
      ['verify', '--anchor', '20:xyz'],
      ['verify', '--fast'],
      ['frobnicate'],
      [],
      ['list', '--limit', '0'],
    ]) {
      const { code, err } = await run(args, dir);
      expect(code).toBe(2);
      expect(err).toContain('usage: urbis audit');
    }
    const empty = mkdtempSync(join(tmpdir(), 'urbis-audit-none-'));
    dirs.push(empty);
    const { code, err } = await run(['verify'], empty);
    expect(code).toBe(2);
    expect(err).toContain(`no store at ${join(empty, 'urbis.sqlite')}`);
  });
});

describe('urbis audit head / list', () => {
  it('prints the head', async () => {
    const dir = await dataDir();
    const last = rows(dir).at(-1) as AuditEntry;
    expect(await run(['head'], dir)).toEqual({ code: 0, out: `#${ENTRIES} ${last.hash}\n`, err: '' });
  });

  it('lists entries as JSON lines, filtered by tenant, after a seq, up to a limit', async () => {
    const dir = await dataDir();
    const { code, out } = await run(['list', '--tenant', 'north', '--after', '4', '--limit', '3'], dir);
    expect(code).toBe(0);
    const listed = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEntry);
    expect(listed.map((e) => e.seq)).toEqual([6, 8, 10]);
    expect(listed[0]).toMatchObject({
      tenant: 'north',
      action: 'entity.update',
      requestId: 'req-6',
      status: 204,
    });
    const all = await run(['list'], dir);
    expect(all.out.trim().split('\n')).toHaveLength(ENTRIES);
  });
});
