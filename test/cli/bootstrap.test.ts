// The first start without URBIS_ADMIN_KEY makes a platform administrator key and prints it once (on
// stdout, never in the JSON logs); later starts print nothing; a weak URBIS_ADMIN_KEY stops start-up.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exposureWarning } from '../../src/cli/serve.js';
import { freePort, waitReady } from '../support/serve-process.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Start with no URBIS_ADMIN_KEY, read what it prints until ready, stop it. */
async function firstOutput(dataDir: string): Promise<{ stdout: string; key?: string; status: number }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    URBIS_MQTT_PORT: '0',
    URBIS_COAP_PORT: '0',
    URBIS_DEMO: 'false',
  };
  delete env.URBIS_ADMIN_KEY;
  const child = spawn(
    process.execPath,
    ['bin/urbis.js', 'serve', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  const exited = new Promise((ok) => child.once('exit', ok));
  try {
    await waitReady(port);
    const key = /^\s+(urbis_[A-Za-z0-9_-]{40,})$/m.exec(stdout)?.[1];
    const status = key
      ? (
          await fetch(`http://127.0.0.1:${port}/ngsi-ld/v1/types`, {
            headers: { authorization: `Bearer ${key}` },
          })
        ).status
      : 0;
    return { stdout, ...(key ? { key } : {}), status };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

describe('bootstrap administrator', () => {
  it('prints a working key on the first start only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'urbis-boot-'));
    dirs.push(dir);
    const first = await firstOutput(dir);
    expect(first.key).toBeDefined();
    expect(first.status).toBe(200);
    const second = await firstOutput(dir);
    expect(second.key).toBeUndefined();
    expect(second.stdout).not.toContain(first.key!);
  });

  it('refuses a short URBIS_ADMIN_KEY with one line naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'urbis-boot-'));
    dirs.push(dir);
    const r = spawnSync(process.execPath, ['bin/urbis.js', 'serve', '--port', '0', '--data-dir', dir], {
      cwd: ROOT,
      env: {
        ...process.env,
        URBIS_ADMIN_KEY: 'admin',
        URBIS_MQTT_PORT: '0',
        URBIS_COAP_PORT: '0',
        URBIS_DEMO: 'false',
      },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/URBIS_ADMIN_KEY/);
    expect(r.stdout).not.toContain('admin');
  });

  it('warns when listening beyond loopback without TLS or a proxy', () => {
    const base = { tlsCert: '', behindProxy: false };
    expect(exposureWarning({ ...base, host: '127.0.0.1' })).toBeUndefined();
    expect(exposureWarning({ ...base, host: '::1' })).toBeUndefined();
    expect(exposureWarning({ ...base, host: 'localhost' })).toBeUndefined();
    expect(exposureWarning({ ...base, host: '0.0.0.0' })).toMatch(/without TLS/);
    expect(exposureWarning({ ...base, host: '10.1.2.3' })).toMatch(/without TLS/);
    expect(exposureWarning({ ...base, host: '0.0.0.0', behindProxy: true })).toBeUndefined();
    expect(exposureWarning({ ...base, host: '0.0.0.0', tlsCert: 'c.pem' })).toBeUndefined();
  });
});

describe('bootstrap by replicas starting together', () => {
  it('stores one key when several starts bootstrap the same URBIS_ADMIN_KEY at once', async () => {
    const { openSqliteStore } = await import('../../src/store/sqlite/index.js');
    const { IdentityService } = await import('../../src/governance/identity/identity-service.js');
    const store = openSqliteStore({ path: ':memory:' });
    try {
      const key = 'urbis_replica-admin-key-0123456789abcdefghijklmnop';
      const replicas = [1, 2, 3].map(() => new IdentityService({ repo: store.governance.identity }));
      const results = await Promise.all(replicas.map((r) => r.bootstrap(key)));
      expect(results).toEqual([{}, {}, {}]);
      const keys = await store.governance.identity.listKeys('*');
      expect(keys.filter((k) => k.revokedAt === undefined)).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});
