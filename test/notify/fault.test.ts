// Fault tests of the notifier (issue #3, "the notifier loses nothing"), bounded in count and time:
// (1) the receiver is down for a few seconds while 200 updates happen, then comes back: all 200
// arrive, in order per entity, no notification id twice; (2) a process with pending notifications is
// killed with SIGKILL and restarted on the same data: they are delivered.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { Harness, Receiver, sensor, sleep, subscriptionTo, waitFor, write } from './kit.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Every notification id the receiver accepted, and how often. */
function idCounts(receiver: Receiver): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of receiver.delivered) counts.set(r.body.id, (counts.get(r.body.id) ?? 0) + 1);
  return counts;
}

describe('fault: receiver down', () => {
  it('delivers all 200 updates made while the receiver was down for ~3 s, in order per entity, each id once', async () => {
    const receiver = await new Receiver().start();
    cleanups.push(() => receiver.stop());
    const h = new Harness({ baseBackoffMs: 100, maxBackoffMs: 1_000, maxAttempts: 100, batchSize: 50 });
    cleanups.push(() => h.close());
    const SUB = 'urn:ngsi-ld:Subscription:fault';
    await h.subscribe(subscriptionTo(SUB, `${receiver.url}/notify`));
    await h.dispatcher.start();

    await receiver.stop();
    const downAt = Date.now();
    const entities = Array.from({ length: 20 }, (_, i) => `urn:ngsi-ld:Sensor:${i}`);
    // 200 updates: 10 rounds over 20 entities, spread over ~2 s of the outage.
    for (let v = 0; v < 10; v++) {
      await write(
        h.store,
        entities.map((id) => sensor(id, v)),
      );
      await sleep(200);
    }
    await waitFor(async () => (await h.status(SUB)).timesFailed > 0, 'failed attempts while down');
    await sleep(Math.max(0, 3_000 - (Date.now() - downAt)));
    expect(receiver.requests).toHaveLength(0);
    await receiver.start(receiver.port);

    await waitFor(
      () => [...receiver.valuesByEntity().values()].reduce((n, vs) => n + vs.length, 0) >= 200,
      'all 200 updates',
      20_000,
    );
    await waitFor(async () => (await h.store.outbox.size()) === 0, 'an empty outbox');
    const values = receiver.valuesByEntity();
    expect(values.size).toBe(20);
    for (const id of entities) expect(values.get(id)).toEqual([...Array(10).keys()]);
    for (const [id, n] of idCounts(receiver)) expect(n, id).toBe(1);
    const status = await h.status(SUB);
    expect(status.deadLetters).toBe(0);
    expect(status.timesSent).toBe(receiver.delivered.length);
  }, 40_000);
});

describe('fault: process killed', () => {
  /** Start the fixture; resolves its lines as they come through `lines`. */
  function fixture(args: string[]): { child: ChildProcess; lines: string[]; exited: Promise<unknown> } {
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'node_modules/vite-node/vite-node.mjs'),
        join(ROOT, 'test/notify/notifier-crash.fixture.ts'),
        ...args,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const lines: string[] = [];
    let rest = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString()).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts);
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    return { child, lines, exited };
  }

  it('delivers, after a SIGKILL and a restart on the same data, every notification pending at the kill', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'urbis-notify-crash-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'store.db');
    const receiver = await new Receiver().start();
    cleanups.push(() => receiver.stop());
    receiver.delayMs = 30; // slower than the writer: notifications pile up

    const N = 100;
    const first = fixture([file, receiver.url, 'write', String(N)]);
    await waitFor(() => first.lines.includes(`committed ${N - 1}`), 'every change committed', 30_000);
    first.child.kill('SIGKILL');
    await first.exited;
    const beforeRestart = new Set(receiver.delivered.flatMap((r) => r.body.data.map((e) => e.id)));
    expect(beforeRestart.size).toBeLessThan(N); // some were still pending when killed

    receiver.delayMs = 0;
    const second = fixture([file, receiver.url, 'deliver']);
    await waitFor(() => second.lines.includes('drained'), 'the outbox drained after the restart', 30_000);
    const delivered = new Set(receiver.delivered.flatMap((r) => r.body.data.map((e) => e.id)));
    expect(delivered.size).toBe(N);
    for (const [id, n] of idCounts(receiver)) expect(n, id).toBe(1);
    second.child.kill('SIGTERM');
    await second.exited;

    const store = openSqliteStore({ path: file });
    try {
      expect(await store.outbox.size()).toBe(0);
      const record = await store.subscriptions.get('', 'urn:ngsi-ld:Subscription:crash');
      expect(record?.status.deadLetters).toBe(0);
      expect(record?.status.timesSent).toBeGreaterThanOrEqual(N - beforeRestart.size);
    } finally {
      await store.close();
    }
  }, 90_000);
});
