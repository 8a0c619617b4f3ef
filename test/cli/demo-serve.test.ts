// `urbis serve` with its demo city (issue #7): the dashboard's URL printed on start; the city alive in
// tenant `demo` and readable anonymously; a restart on the same data directory runs it again with a
// fresh key for its own principal, the previous one revoked (no key piles up, none is written down);
// `--no-demo` leaves the tenant untouched. Runs the built CLI (npm test builds first).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authHeader, freePort, serverEnv, waitReady } from '../support/serve-process.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'urbis-demo-serve-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function serve(port: number, args: string[]) {
  const child = spawn(
    process.execPath,
    ['bin/urbis.js', 'serve', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn', ...args],
    { cwd: ROOT, env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitReady(port);
  return {
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

const demoArgs = async () => [
  '--demo',
  '--demo-size',
  'small',
  '--demo-speed',
  '600',
  '--mqtt-port',
  String(await freePort()),
];

async function get(port: number, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    headers: { 'ngsild-tenant': 'demo', ...headers },
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

/** Poll until `check` holds (or fail after `ms`). */
async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('urbis serve with the demo city', () => {
  it('prints the dashboard URL, runs the city (open data readable anonymously), and restarts cleanly', async () => {
    const port = await freePort();
    const first = await serve(port, await demoArgs());
    await until(async () => first.output().includes('Dashboard: http://127.0.0.1:'), 10_000);
    // Street lights are open data in the demo; their entities exist and fill with readings.
    const lights =
      '/ngsi-ld/v1/entities?type=https://smartdatamodels.org/dataModel.Streetlighting/Streetlight&limit=1000';
    await until(async () => {
      const r = await get(port, lights);
      return r.status === 200 && (r.body as unknown[]).length > 0;
    }, 30_000);
    // Devices are not open data: the administrator reads them, an anonymous query finds none.
    const devices =
      '/ngsi-ld/v1/entities?type=https://smartdatamodels.org/dataModel.Device/Device&limit=1000';
    expect(((await get(port, devices, authHeader())).body as unknown[]).length).toBeGreaterThan(0);
    expect((await get(port, devices)).body).toEqual([]);
    const keys = async () =>
      (
        (await get(port, '/admin/keys', authHeader())).body as Array<{
          principal?: string;
          principalId?: string;
          revokedAt?: string;
        }>
      ).filter((k) => (k.principal ?? k.principalId) === 'demo-city');
    expect((await keys()).filter((k) => k.revokedAt === undefined)).toHaveLength(1);
    expect(await first.stop()).toBe(0);

    const second = await serve(port, await demoArgs());
    await until(async () => second.output().includes('Dashboard: http://127.0.0.1:'), 10_000);
    const all = await keys();
    expect(all).toHaveLength(2);
    expect(all.filter((k) => k.revokedAt === undefined)).toHaveLength(1);
    // The city goes on: a new reading arrives after the restart.
    const before = Date.now();
    await until(async () => {
      const r = await get(port, `${lights}&options=sysAttrs`);
      return (r.body as Array<{ modifiedAt?: string }>).some((e) => Date.parse(e.modifiedAt ?? '') > before);
    }, 30_000);
    expect(second.output()).not.toMatch(/"level":50/);
    expect(await second.stop()).toBe(0);
  });

  it('with --no-demo prints the URL without the demo and leaves the tenant alone', async () => {
    const port = await freePort();
    const without = await serve(port, ['--no-demo', '--mqtt-port', '0']);
    await until(async () => without.output().includes('Dashboard: http://127.0.0.1:'), 10_000);
    expect(without.output()).not.toContain('demo city');
    const config = await get(port, '/dashboard/config');
    expect(config.body).toMatchObject({ demo: false, defaultTenant: '' });
    expect(await without.stop()).toBe(0);
  });
});
