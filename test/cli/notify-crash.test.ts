// Fault test through the real `urbis serve`: notifications pending for a receiver that is down are
// kept across a SIGKILL of Urbis, and delivered — every change, in order per entity — when Urbis
// restarts and the receiver is back. Bounded: 40 changes, a few seconds.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authHeader, freePort, serverEnv, waitReady } from '../support/serve-process.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CHANGES = 40;
const dirs: string[] = [];
const children: Array<ReturnType<typeof spawn>> = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function start(port: number, dataDir: string) {
  const args = ['--port', String(port), '--data-dir', dataDir, '--allow-private-endpoints', '127.0.0.1'];
  const child = spawn(process.execPath, ['bin/urbis.js', 'serve', ...args, '--log-level', 'warn'], {
    cwd: ROOT,
    env: serverEnv(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited };
}

const call = (port: number, method: string, path: string, body?: unknown) =>
  fetch(`http://127.0.0.1:${port}/ngsi-ld/v1/${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...authHeader() },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('notifier across a crash', () => {
  it('delivers every pending notification after SIGKILL and restart, in order per entity', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'urbis-crash-'));
    dirs.push(dataDir);
    const [port, receiverPort] = [await freePort(), await freePort()];
    let server = start(port, dataDir);
    await waitReady(port);

    // The receiver is down (nothing listens on its port) while the changes happen.
    const sub = await call(port, 'POST', 'subscriptions', {
      type: 'Subscription',
      entities: [{ type: 'Counter' }],
      notification: {
        format: 'keyValues',
        endpoint: { uri: `http://127.0.0.1:${receiverPort}/n`, accept: 'application/json' },
      },
    });
    expect(sub.status).toBe(201);
    const ids = ['urn:ngsi-ld:Counter:a', 'urn:ngsi-ld:Counter:b'];
    for (const id of ids) {
      const res = await call(port, 'POST', 'entities', {
        id,
        type: 'Counter',
        n: { type: 'Property', value: 0 },
      });
      expect(res.status).toBe(201);
    }
    for (let i = 1; i <= CHANGES; i++) {
      const res = await call(port, 'PATCH', `entities/${ids[i % 2]}/attrs`, {
        n: { type: 'Property', value: i },
      });
      expect(res.status).toBe(204);
    }
    // Every change was acknowledged (204) before the kill: none of them may be lost.
    server.child.kill('SIGKILL');
    await server.exited;

    const got: Array<{ id: string; n: number }> = [];
    const receiver: Server = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as {
          data: Array<{ id: string; n: number }>;
        };
        for (const e of body.data) got.push({ id: e.id, n: e.n });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((ok) => receiver.listen(receiverPort, '127.0.0.1', ok));
    try {
      server = start(port, dataDir);
      await waitReady(port);
      const expected = ids.length + CHANGES; // two creations, then the updates
      const deadline = Date.now() + 20_000;
      while (got.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      // Each entity's values arrive in the order they were written (duplicates would show here too).
      for (const id of ids) {
        const seen = got.filter((g) => g.id === id).map((g) => g.n);
        const written = [
          0,
          ...Array.from({ length: CHANGES }, (_, k) => k + 1).filter((i) => ids[i % 2] === id),
        ];
        expect(seen).toEqual(written);
      }
      server.child.kill('SIGTERM');
      await server.exited;
    } finally {
      await new Promise<void>((ok) => receiver.close(() => ok()));
    }
  }, 60_000);
});
