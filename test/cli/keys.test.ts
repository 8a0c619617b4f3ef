/** `urbis keys`: create, list and revoke API keys on a data directory, audited as `cli`. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keysCommand } from '../../src/cli/keys-command.js';
import { IdentityService } from '../../src/governance/identity/identity-service.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { runCommand } from '../support/cli-run.js';

let dir: string;

const run = (...args: string[]) => runCommand(keysCommand, args, dir);

async function withStore<T>(f: (store: ReturnType<typeof openSqliteStore>) => Promise<T>): Promise<T> {
  const store = openSqliteStore({ path: join(dir, 'urbis.sqlite'), backgroundCheckpoint: false });
  await store.migrate();
  try {
    return await f(store);
  } finally {
    await store.close();
  }
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'urbis-keys-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('urbis keys', () => {
  it('refuses a data directory without a store, and bad usage, with exit code 2; explains itself on help', async () => {
    const missing = await run('list');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`no store at ${join(dir, 'urbis.sqlite')}`);
    await withStore(async () => undefined);
    expect((await run()).code).toBe(2);
    const unknown = await run('rotate');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^urbis keys: unknown verb "rotate"\nusage: urbis keys/);
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('usage: urbis keys');
    expect((await run('create', '--principal', 'x')).code).toBe(2);
    expect((await run('revoke')).code).toBe(2);
    expect((await run('create', '--tenant', 'city', '--principal', 'svc', '--scopes', 'fly')).err).toMatch(
      /scopes/,
    );
  });

  it('creates a principal and a key shown once, lists it without secrets, revokes it; all audited', async () => {
    await withStore(async () => undefined);
    const created = await run(
      'create',
      '--tenant',
      'city',
      '--principal',
      'svc',
      '--roles',
      'editor',
      '--scopes',
      'read,write',
    );
    expect(created.code).toBe(0);
    const secret = /(urbis_\S+)/.exec(created.out)?.[1];
    expect(secret).toBeDefined();
    const listed = await run('list', '--tenant', 'city');
    expect(listed.code).toBe(0);
    const rows = listed.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ principalId: 'svc', tenant: 'city', scopes: ['read', 'write'] });
    expect(listed.out).not.toContain(secret!.slice(10));
    expect(rows[0]).not.toHaveProperty('hash');
    const principal = await withStore((s) =>
      new IdentityService({ repo: s.governance.identity }).authenticate(secret!),
    );
    expect(principal).toMatchObject({
      id: 'svc',
      tenant: 'city',
      roles: ['editor'],
      scopes: ['read', 'write'],
    });
    expect((await run('revoke', rows[0]!.id as string)).code).toBe(0);
    expect((await run('revoke', rows[0]!.id as string)).code).toBe(2);
    await expect(
      withStore((s) => new IdentityService({ repo: s.governance.identity }).authenticate(secret!)),
    ).rejects.toMatchObject({ status: 401 });
    const audit = await withStore((s) => s.governance.audit.read({ limit: 100 }));
    expect(audit.map((a) => [a.principal, a.action])).toEqual([
      ['cli', 'principal.create'],
      ['cli', 'key.create'],
      ['cli', 'key.revoke'],
    ]);
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it('makes platform keys with --platform', async () => {
    await withStore(async () => undefined);
    const created = await run('create', '--platform', '--principal', 'ops', '--roles', 'admin');
    expect(created.code).toBe(0);
    const secret = /(urbis_\S+)/.exec(created.out)![1]!;
    const principal = await withStore((s) =>
      new IdentityService({ repo: s.governance.identity }).authenticate(secret),
    );
    expect(principal.tenant).toBe('*');
  });
});
