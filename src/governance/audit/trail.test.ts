// The trail writer against the in-memory repository: order kept, bursts batched into few appends,
// flush and close waiting for the store, nothing lost when an append fails, a bounded buffer.
import { describe, expect, it } from 'vitest';
import type { AuditEntry, AuditLink, AuditRecord } from '../../store/governance-port.js';
import { MemoryAuditRepository } from './memory-audit.js';
import { AuditOverflowError, AuditTrail } from './trail.js';
import { verifyAudit, type AuditHead } from './verify.js';

const rec = (i: number, extra: Partial<AuditRecord> = {}): AuditRecord => ({
  at: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
  tenant: 'city',
  principal: 'svc',
  action: 'entity.create',
  target: `urn:ngsi-ld:Thing:${i}`,
  outcome: 'success',
  ...extra,
});

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A repository whose next `failures` appends fail (some of them by throwing instead of rejecting). */
class FlakyRepository extends MemoryAuditRepository {
  failures = 0;
  throwSync = false;
  override append(records: AuditRecord[], link: AuditLink): Promise<AuditEntry[]> {
    if (this.failures > 0) {
      this.failures -= 1;
      this.appendCalls += 1;
      if (this.throwSync) throw new Error('disk full');
      return Promise.reject(new Error('disk full'));
    }
    return super.append(records, link);
  }
}

const targets = (repo: MemoryAuditRepository) => repo.entries.map((e) => e.target);
const verify = (repo: MemoryAuditRepository) =>
  verifyAudit((afterSeq, limit) => repo.read({ afterSeq, limit }));

describe('AuditTrail', () => {
  it('stores records in the order they were recorded, as a sound chain', async () => {
    const repo = new MemoryAuditRepository();
    const trail = new AuditTrail({ repo });
    for (let i = 1; i <= 30; i++) {
      trail.record(rec(i));
      if (i % 7 === 0) await tick();
    }
    await trail.flush();
    expect(targets(repo)).toEqual(Array.from({ length: 30 }, (_, i) => `urn:ngsi-ld:Thing:${i + 1}`));
    expect(repo.entries.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(await verify(repo)).toMatchObject({ ok: true, entries: 30 });
  });

  it('buffers: nothing is stored until the next tick, then a burst is one append', async () => {
    const repo = new MemoryAuditRepository();
    const trail = new AuditTrail({ repo });
    for (let i = 1; i <= 5000; i++) trail.record(rec(i));
    expect(repo.appendCalls).toBe(0);
    expect(trail.pending).toBe(5000);
    await tick();
    await trail.flush();
    expect(repo.appendCalls).toBe(1);
    expect(repo.entries).toHaveLength(5000);
    expect(trail.pending).toBe(0);
  });

  it('splits a very large burst into batches of maxBatch', async () => {
    const repo = new MemoryAuditRepository();
    const trail = new AuditTrail({ repo, maxBatch: 100 });
    for (let i = 1; i <= 250; i++) trail.record(rec(i));
    await trail.flush();
    expect(repo.appendCalls).toBe(3);
    expect(repo.entries).toHaveLength(250);
  });

  it('flush waits for everything recorded so far, and resolves at once when nothing is pending', async () => {
    const repo = new MemoryAuditRepository();
    const trail = new AuditTrail({ repo });
    await trail.flush();
    trail.record(rec(1));
    trail.record(rec(2));
    const flushed = trail.flush();
    trail.record(rec(3));
    await flushed;
    expect(repo.entries.length).toBeGreaterThanOrEqual(2);
    await trail.flush();
    expect(targets(repo)).toEqual(['urn:ngsi-ld:Thing:1', 'urn:ngsi-ld:Thing:2', 'urn:ngsi-ld:Thing:3']);
  });

  it('keeps what a caller changes after recording out of the log', async () => {
    const repo = new MemoryAuditRepository();
    const trail = new AuditTrail({ repo });
    const r = rec(1, { detail: { count: 1 } });
    trail.record(r);
    (r.detail as { count: number }).count = 99;
    r.principal = 'mallory';
    await trail.flush();
    expect(repo.entries[0]).toMatchObject({ principal: 'svc', detail: { count: 1 } });
  });

  it('refuses a malformed record at once, with a TypeError', async () => {
    const trail = new AuditTrail({ repo: new MemoryAuditRepository() });
    expect(() => trail.record({ ...rec(1), outcome: 'maybe' } as unknown as AuditRecord)).toThrow(TypeError);
    await expect(trail.recordNow({ ...rec(1), tenant: 3 } as unknown as AuditRecord)).rejects.toThrow(
      /record\.tenant/,
    );
  });

  it('recordNow stores at once, after what was recorded before, and resolves to its entry', async () => {
    const repo = new MemoryAuditRepository();
    const trail = new AuditTrail({ repo });
    trail.record(rec(1));
    const entry = await trail.recordNow(rec(2, { action: 'key.revoke' }));
    expect(entry).toMatchObject({ seq: 2, action: 'key.revoke', prevHash: repo.entries[0]?.hash });
    expect(repo.appendCalls).toBe(1);
    expect(targets(repo)).toEqual(['urn:ngsi-ld:Thing:1', 'urn:ngsi-ld:Thing:2']);
  });

  it('recordNow while an append is in flight is stored right after it', async () => {
    const repo = new MemoryAuditRepository();
    const trail = new AuditTrail({ repo });
    const first = trail.recordNow(rec(1));
    const second = trail.recordNow(rec(2));
    expect((await first).seq).toBe(1);
    expect((await second).seq).toBe(2);
  });

  it('reports the new head after each append', async () => {
    const repo = new MemoryAuditRepository();
    const heads: AuditHead[] = [];
    const trail = new AuditTrail({ repo, onHead: (h) => heads.push(h) });
    trail.record(rec(1));
    trail.record(rec(2));
    await trail.flush();
    trail.record(rec(3));
    await trail.flush();
    expect(heads).toEqual([
      { seq: 2, hash: repo.entries[1]?.hash },
      { seq: 3, hash: repo.entries[2]?.hash },
    ]);
  });

  it('routes an onHead that throws to onError and carries on', async () => {
    const repo = new MemoryAuditRepository();
    const errors: unknown[] = [];
    const trail = new AuditTrail({
      repo,
      onHead: () => {
        throw new Error('logger down');
      },
      onError: (e) => errors.push(e),
    });
    trail.record(rec(1));
    await trail.flush();
    trail.record(rec(2));
    await trail.flush();
    expect(repo.entries).toHaveLength(2);
    expect(errors.map((e) => (e as Error).message)).toEqual(['logger down', 'logger down']);
  });

  it('keeps the records of a failing append and retries them first, on the next tick', async () => {
    for (const throwSync of [false, true]) {
      const repo = new FlakyRepository();
      repo.failures = 1;
      repo.throwSync = throwSync;
      const errors: unknown[] = [];
      const trail = new AuditTrail({ repo, onError: (e) => errors.push(e) });
      for (let i = 1; i <= 5; i++) trail.record(rec(i));
      // flush says that what it waited for was not stored (yet)…
      await expect(trail.flush()).rejects.toThrow('disk full');
      expect(repo.entries).toHaveLength(0);
      expect(trail.pending).toBe(5);
      trail.record(rec(6));
      // …and the retry, on the next tick, stores it ahead of what came later.
      await tick();
      await trail.flush();
      expect(targets(repo)).toEqual(Array.from({ length: 6 }, (_, i) => `urn:ngsi-ld:Thing:${i + 1}`));
      expect(repo.appendCalls).toBe(2);
      expect(errors.map((e) => (e as Error).message)).toEqual(['disk full']);
      expect(await verify(repo)).toMatchObject({ ok: true, entries: 6 });
    }
  });

  it('keeps retrying, with a growing delay, until the store comes back', async () => {
    const repo = new FlakyRepository();
    repo.failures = 6;
    const errors: unknown[] = [];
    const trail = new AuditTrail({ repo, onError: (e) => errors.push(e), maxRetryDelayMs: 20 });
    trail.record(rec(1));
    trail.record(rec(2));
    const started = Date.now();
    while (repo.entries.length < 2) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(Date.now() - started).toBeLessThan(5000);
    }
    expect(repo.appendCalls).toBe(7);
    expect(errors).toHaveLength(6);
    expect(targets(repo)).toEqual(['urn:ngsi-ld:Thing:1', 'urn:ngsi-ld:Thing:2']);
  });

  it('recordNow rejects when its append fails, and the record is still stored on the retry', async () => {
    const repo = new FlakyRepository();
    repo.failures = 1;
    const trail = new AuditTrail({ repo, onError: () => {} });
    await expect(trail.recordNow(rec(1))).rejects.toThrow('disk full');
    await tick();
    await trail.flush();
    expect(targets(repo)).toEqual(['urn:ngsi-ld:Thing:1']);
  });

  it('bounds the buffer: beyond it the oldest records are dropped, counted and reported once', async () => {
    const repo = new FlakyRepository();
    repo.failures = 1;
    const errors: unknown[] = [];
    const trail = new AuditTrail({ repo, maxBuffered: 10, onError: (e) => errors.push(e) });
    for (let i = 1; i <= 4; i++) trail.record(rec(i));
    await expect(trail.flush()).rejects.toThrow('disk full');
    // The failed four are buffered again (the retry waits for the next tick); eight more overflow the
    // bound by two.
    for (let i = 5; i <= 12; i++) trail.record(rec(i));
    await trail.flush();
    expect(trail.dropped).toBe(2);
    expect(targets(repo)).toEqual(Array.from({ length: 10 }, (_, i) => `urn:ngsi-ld:Thing:${i + 3}`));
    expect(errors.map((e) => (e as Error).message)).toEqual([
      'disk full',
      expect.stringMatching(/buffer full/),
    ]);
    expect(errors[1]).toBeInstanceOf(AuditOverflowError);
  });

  it('rejects the flush and recordNow whose records were dropped', async () => {
    const repo = new FlakyRepository();
    repo.failures = 1;
    const trail = new AuditTrail({ repo, maxBuffered: 2, onError: () => {} });
    trail.record(rec(1));
    await expect(trail.flush()).rejects.toThrow('disk full');
    const now = trail.recordNow(rec(2));
    // The retry (rec 1 and 2) is in flight: what follows fills the buffer and pushes rec 3 and 4 out.
    const pushedOut = trail.recordNow(rec(3));
    const flushed = trail.flush();
    trail.record(rec(4));
    trail.record(rec(5));
    trail.record(rec(6));
    await expect(pushedOut).rejects.toBeInstanceOf(AuditOverflowError);
    await expect(flushed).rejects.toBeInstanceOf(AuditOverflowError);
    await expect(now).resolves.toMatchObject({ seq: 2 });
    await trail.flush();
    expect(targets(repo)).toEqual([
      'urn:ngsi-ld:Thing:1',
      'urn:ngsi-ld:Thing:2',
      'urn:ngsi-ld:Thing:5',
      'urn:ngsi-ld:Thing:6',
    ]);
    expect(trail.dropped).toBe(2);
  });

  it('close flushes and then refuses new records', async () => {
    const repo = new MemoryAuditRepository();
    const trail = new AuditTrail({ repo });
    trail.record(rec(1));
    await trail.close();
    expect(repo.entries).toHaveLength(1);
    expect(() => trail.record(rec(2))).toThrow(/closed/);
    await expect(trail.recordNow(rec(2))).rejects.toThrow(/closed/);
  });

  it('close gives up on a store that keeps failing, saying how much was not stored', async () => {
    const repo = new FlakyRepository();
    repo.failures = Number.POSITIVE_INFINITY;
    const trail = new AuditTrail({ repo, onError: () => {} });
    trail.record(rec(1));
    trail.record(rec(2));
    await expect(trail.close()).rejects.toThrow('audit trail closed with 2 record(s) not stored: disk full');
    const calls = repo.appendCalls;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(repo.appendCalls).toBe(calls);
  });

  it('refuses nonsensical bounds', () => {
    const repo = new MemoryAuditRepository();
    expect(() => new AuditTrail({ repo, maxBuffered: 0 })).toThrow(/maxBuffered/);
    expect(() => new AuditTrail({ repo, maxBatch: 1.5 })).toThrow(/maxBatch/);
  });
});
