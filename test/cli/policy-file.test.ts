// `urbis serve --policy-file`: policies as code, applied at start-up. Here the file opens air quality
// to anonymous readers of tenant "city" (open data) and nothing else.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authHeader, freePort, serverEnv, waitReady } from '../support/serve-process.js';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'urbis-policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('urbis serve --policy-file', () => {
  it('applies the file at start-up: public data readable anonymously, the rest not', async () => {
    const file = join(dir, 'policies.json');
    writeFileSync(
      file,
      JSON.stringify({
        tenants: {
          city: {
            rules: [
              { roles: ['admin'], actions: ['read', 'write', 'command', 'admin'] },
              { public: true, actions: ['read'], types: ['AirQualityObserved'] },
            ],
          },
        },
      }),
    );
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        'bin/urbis.js',
        'serve',
        '--port',
        String(port),
        '--data-dir',
        dir,
        '--policy-file',
        file,
        '--log-level',
        'warn',
      ],
      { cwd: ROOT, env: serverEnv(), stdio: 'ignore' },
    );
    const exited = new Promise((ok) => child.once('exit', ok));
    try {
      await waitReady(port);
      const base = `http://127.0.0.1:${port}/ngsi-ld/v1`;
      const h = { 'ngsild-tenant': 'city', 'content-type': 'application/json' };
      for (const [id, type] of [
        ['urn:ngsi-ld:AirQualityObserved:1', 'AirQualityObserved'],
        ['urn:ngsi-ld:ParkingSpot:1', 'ParkingSpot'],
      ]) {
        const res = await fetch(`${base}/entities`, {
          method: 'POST',
          headers: { ...h, ...authHeader() },
          body: JSON.stringify({ id, type, v: { type: 'Property', value: 1 } }),
        });
        expect(res.status).toBe(201);
      }
      const open = await fetch(`${base}/entities/urn:ngsi-ld:AirQualityObserved:1`, { headers: h });
      expect(open.status).toBe(200);
      expect((await fetch(`${base}/entities/urn:ngsi-ld:ParkingSpot:1`, { headers: h })).status).toBe(404);
      expect((await fetch(`${base}/types`, { headers: { 'ngsild-tenant': 'other' } })).status).toBe(401);
      const policy = await fetch(`http://127.0.0.1:${port}/admin/policy`, {
        headers: { ...h, ...authHeader() },
      });
      expect(await policy.json()).toMatchObject({ version: 1, source: 'stored', createdBy: 'policy-file' });
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
