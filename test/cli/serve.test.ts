// End-to-end: the real `urbis serve` process — flags, configuration errors, clean shutdown on
// SIGTERM, and data that survives a restart. Runs the built CLI (npm test builds first).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authHeader, freePort, serverEnv, waitReady } from '../support/serve-process.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function start(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['bin/urbis.js', 'serve', ...args], {
    cwd: ROOT,
    env: serverEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, output: () => out };
}

describe('urbis serve', () => {
  it('refuses a bad setting with one line naming it, and exit code 2', () => {
    const bad = spawnSync(process.execPath, ['bin/urbis.js', 'serve', '--port', 'eighty'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--port');
    const badEnv = spawnSync(process.execPath, ['bin/urbis.js', 'serve'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        URBIS_MAX_LIMIT: '-3',
        URBIS_MQTT_PORT: '0',
        URBIS_COAP_PORT: '0',
        URBIS_DEMO: 'false',
      },
    });
    expect(badEnv.status).toBe(2);
    expect(badEnv.stderr).toContain('URBIS_MAX_LIMIT');
  });

  it('serves on the port and data dir given, stops cleanly on SIGTERM, and keeps data across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'urbis-cli-'));
    dirs.push(dataDir);
    const port = await freePort();
    const first = start(['--port', String(port), '--data-dir', dataDir], { URBIS_LOG_LEVEL: 'warn' });
    await waitReady(port);
    const created = await fetch(`http://127.0.0.1:${port}/ngsi-ld/v1/entities`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeader() },
      body: JSON.stringify({
        id: 'urn:ngsi-ld:Bench:1',
        type: 'Bench',
        seats: { type: 'Property', value: 4 },
      }),
    });
    expect(created.status).toBe(201);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = start(['--port', String(port)], { URBIS_DATA_DIR: dataDir, URBIS_LOG_LEVEL: 'warn' });
    await waitReady(port);
    const back = await fetch(
      `http://127.0.0.1:${port}/ngsi-ld/v1/entities/urn:ngsi-ld:Bench:1?options=keyValues`,
      { headers: authHeader() },
    );
    expect(await back.json()).toEqual({ id: 'urn:ngsi-ld:Bench:1', type: 'Bench', seats: 4 });
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });
});
