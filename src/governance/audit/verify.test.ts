// The verifier against chains of random length tampered with at a random entry, the way someone with
// write access to the store would: each kind of tampering must be found and the right seq named.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, type AuditEntry, type AuditRecord } from '../../store/governance-port.js';
import { auditLink } from './chain.js';
import { MemoryAuditRepository } from './memory-audit.js';
import { verifyAnchor, verifyAudit, verifyHead, type AuditReader } from './verify.js';

function recordNo(i: number): AuditRecord {
  return {
    at: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
    tenant: i % 3 === 0 ? 'north' : 'south',
    principal: `user-${i % 5}`,
    action: 'entity.update',
    target: `urn:ngsi-ld:Streetlight:${i}`,
    outcome: 'success',
    status: 204,
    detail: { attrs: i % 4, i },
  };
}

async function chain(length: number): Promise<MemoryAuditRepository> {
  const repo = new MemoryAuditRepository();
  // Several appends, as the trail makes them: links between batches are checked too.
  for (let i = 0; i < length; i += 7) {
    await repo.append(
      Array.from({ length: Math.min(7, length - i) }, (_, j) => recordNo(i + j + 1)),
      auditLink,
    );
  }
  return repo;
}

const reader =
  (repo: MemoryAuditRepository): AuditReader =>
  (afterSeq, limit) =>
    repo.read({ afterSeq, limit });

/** Content of an entry: everything but its place in the chain. */
function content(e: AuditEntry): AuditRecord {
  const { seq: _seq, ...rest } = e;
  return rest;
}

function rehash(e: AuditEntry): void {
  e.hash = auditLink(e.prevHash, e.seq, e);
}

const PAGE_SIZES = [1, 3, 1000];
const lengthAndPage = fc.record({
  n: fc.integer({ min: 3, max: 40 }),
  pageSize: fc.constantFrom(...PAGE_SIZES),
});

/** A chain of random length, a tampered position k in [1, n - tailSpare], a page size. */
const tamperCase = (tailSpare: number, pageSizes: number[]) =>
  fc
    .record({ n: fc.integer({ min: 3, max: 40 }), pageSize: fc.constantFrom(...pageSizes) })
    .chain(({ n, pageSize }) =>
      fc.record({
        n: fc.constant(n),
        pageSize: fc.constant(pageSize),
        k: fc.integer({ min: 1, max: n - tailSpare }),
      }),
    );

async function check(
  tamper: (entries: AuditEntry[], k: number, n: number) => void,
  expected: (k: number, n: number) => { seq: number; reason: RegExp; entries?: number },
  tailSpare = 0,
  pageSizes = PAGE_SIZES,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(tamperCase(tailSpare, pageSizes), async ({ n, k, pageSize }) => {
      const repo = await chain(n);
      tamper(repo.entries, k, n);
      const verdict = await verifyAudit(reader(repo), { pageSize });
      const want = expected(k, n);
      expect(verdict.ok).toBe(false);
      if (verdict.ok) return;
      expect(verdict.broken.seq).toBe(want.seq);
      expect(verdict.broken.reason).toMatch(want.reason);
      expect(verdict.broken.reason).not.toContain('\n');
      expect(verdict.entries).toBe(want.entries ?? Math.min(want.seq - 1, n));
    }),
    { numRuns: 60 },
  );
}

describe('verifyAudit', () => {
  it('accepts a clean chain of any length and reports its head', async () => {
    await fc.assert(
      fc.asyncProperty(lengthAndPage, async ({ n, pageSize }) => {
        const repo = await chain(n);
        const last = repo.entries.at(-1) as AuditEntry;
        expect(await verifyAudit(reader(repo), { pageSize })).toEqual({
          ok: true,
          entries: n,
          head: { seq: n, hash: last.hash },
        });
      }),
      { numRuns: 30 },
    );
  });

  it('accepts an empty log, without a head', async () => {
    expect(await verifyAudit(reader(new MemoryAuditRepository()))).toEqual({ ok: true, entries: 0 });
  });

  it('reads in pages of 1,000 by default', async () => {
    const repo = await chain(2500);
    const calls: Array<[number, number]> = [];
    const verdict = await verifyAudit((after, limit) => {
      calls.push([after, limit]);
      return repo.read({ afterSeq: after, limit });
    });
    expect(verdict).toMatchObject({ ok: true, entries: 2500 });
    expect(calls).toEqual([
      [0, 1000],
      [1000, 1000],
      [2000, 1000],
      [2500, 1000],
    ]);
  });

  it('names an edited entry', () =>
    check(
      (entries, k) => {
        (entries[k - 1] as AuditEntry).principal = 'mallory';
      },
      (k) => ({ seq: k, reason: /edited/ }),
    ));

  it('names an edited detail, however deep', () =>
    check(
      (entries, k) => {
        (entries[k - 1] as AuditEntry).detail = { attrs: -1, i: k };
      },
      (k) => ({ seq: k, reason: /edited/ }),
    ));

  it('names the entry after one edited and re-hashed (its link no longer holds)', () =>
    check(
      (entries, k) => {
        const e = entries[k - 1] as AuditEntry;
        e.outcome = 'denied';
        rehash(e);
      },
      (k) => ({ seq: k + 1, reason: /prevHash/ }),
      1,
    ));

  it('names a deleted entry (seq gap)', () =>
    check(
      (entries, k) => {
        entries.splice(k - 1, 1);
      },
      (k) => ({ seq: k, reason: new RegExp(`entry #${k} is missing`) }),
      1,
    ));

  it('names the first of several deleted entries', () =>
    check(
      (entries, k) => {
        entries.splice(k - 1, 2);
      },
      (k) => ({ seq: k, reason: new RegExp(`entries #${k}–#${k + 1} are missing`) }),
      2,
    ));

  it('names a deleted entry whose successors were renumbered to hide the gap', () =>
    check(
      (entries, k) => {
        entries.splice(k - 1, 1);
        for (const e of entries.slice(k - 1)) e.seq -= 1;
      },
      (k) => ({ seq: k, reason: k === 1 ? /genesis/ : /prevHash/ }),
      1,
    ));

  it('names the first of a reordered pair (contents swapped)', () =>
    check(
      (entries, k) => {
        const a = entries[k - 1] as AuditEntry;
        const b = entries[k] as AuditEntry;
        const ca = content(a);
        Object.assign(a, content(b));
        Object.assign(b, ca);
      },
      (k) => ({ seq: k, reason: k === 1 ? /genesis/ : /prevHash/ }),
      1,
    ));

  it('names the first of a reordered pair (seq numbers swapped)', () =>
    check(
      (entries, k) => {
        const a = entries[k - 1] as AuditEntry;
        const b = entries[k] as AuditEntry;
        [a.seq, b.seq] = [b.seq, a.seq];
      },
      (k) => ({ seq: k, reason: k === 1 ? /genesis/ : /prevHash/ }),
      1,
    ));

  it('names the first of a reordered pair whose records alone were swapped', () =>
    check(
      (entries, k) => {
        const a = entries[k - 1] as AuditEntry;
        const b = entries[k] as AuditEntry;
        const ra = { principal: a.principal, target: a.target, at: a.at, detail: a.detail, tenant: a.tenant };
        Object.assign(a, {
          principal: b.principal,
          target: b.target,
          at: b.at,
          detail: b.detail,
          tenant: b.tenant,
        });
        Object.assign(b, ra);
      },
      (k) => ({ seq: k, reason: /edited/ }),
      1,
    ));

  it('names a forged first entry not chained to the genesis hash', async () => {
    await fc.assert(
      fc.asyncProperty(
        lengthAndPage,
        fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
        async ({ n, pageSize }, h) => {
          fc.pre(h !== GENESIS_HASH);
          const repo = await chain(n);
          const first = repo.entries[0] as AuditEntry;
          first.prevHash = h;
          rehash(first);
          const verdict = await verifyAudit(reader(repo), { pageSize });
          expect(verdict).toEqual({
            ok: false,
            entries: 0,
            broken: { seq: 1, reason: 'the first entry is not chained to the genesis hash' },
          });
        },
      ),
      { numRuns: 30 },
    );
  });

  it('names #1 when the log no longer starts at #1', () =>
    check(
      (entries, k) => {
        entries.splice(0, k);
      },
      () => ({ seq: 1, reason: /#1 is missing|#1–#\d+ are missing/ }),
      1,
    ));

  // Only when both copies come in one page: the next page starts after that seq. A store keeps seq
  // unique (a key), so this is the memory fake's or a broken reader's case.
  it('names a duplicated entry stored again under its own seq', () =>
    check(
      (entries, k) => {
        entries.splice(k, 0, structuredClone(entries[k - 1] as AuditEntry));
      },
      (k) => ({ seq: k, reason: /twice/, entries: k }),
      0,
      [1000],
    ));

  it('names a duplicated entry appended again under the next seq', () =>
    check(
      (entries, k, n) => {
        entries.push({ ...structuredClone(entries[k - 1] as AuditEntry), seq: n + 1 });
      },
      (_k, n) => ({ seq: n + 1, reason: /prevHash/ }),
    ));

  it('names an entry read out of order and an invalid seq', async () => {
    const repo = await chain(3);
    const [e1, e2, e3] = repo.entries as [AuditEntry, AuditEntry, AuditEntry];
    const once = (page: AuditEntry[]): AuditReader => {
      let done = false;
      return async () => (done ? [] : ((done = true), page));
    };
    expect(await verifyAudit(once([e1, e2, e3, e2]))).toMatchObject({
      ok: false,
      entries: 3,
      broken: { seq: 2, reason: 'entry #2 comes after #3 (out of order)' },
    });
    expect(await verifyAudit(once([e1, { ...e2, seq: 1.5 }]))).toMatchObject({
      ok: false,
      entries: 1,
      broken: { seq: 2, reason: 'an entry has an invalid seq 1.5' },
    });
  });

  it('refuses a page size that is not a positive integer', async () => {
    await expect(verifyAudit(async () => [], { pageSize: 0 })).rejects.toThrow(/pageSize/);
  });
});

describe('verifyHead / verifyAnchor', () => {
  it('passes when the anchored entry is still there with its hash', async () => {
    const repo = await chain(10);
    const anchor = { seq: 6, hash: (repo.entries[5] as AuditEntry).hash };
    await repo.append([recordNo(11)], auditLink);
    expect(verifyHead(anchor, { seq: 6, hash: anchor.hash })).toEqual({ ok: true });
    expect(await verifyAnchor(reader(repo), () => repo.head(), anchor)).toEqual({ ok: true });
  });

  it('catches a truncated tail, which the chain alone cannot', async () => {
    const repo = await chain(10);
    const anchor = { seq: 10, hash: (repo.entries[9] as AuditEntry).hash };
    repo.entries.splice(7);
    expect(await verifyAudit(reader(repo))).toMatchObject({ ok: true, entries: 7 });
    const verdict = await verifyAnchor(reader(repo), () => repo.head(), anchor);
    expect(verdict).toEqual({
      ok: false,
      reason: 'the log ends at #7, but entry #10 was recorded (tail truncated)',
    });
    repo.entries.splice(0);
    expect(await verifyAnchor(reader(repo), () => repo.head(), anchor)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/empty/),
    });
  });

  it('catches a log rewritten and re-hashed up to the anchor', async () => {
    const repo = await chain(10);
    const anchor = { seq: 8, hash: (repo.entries[7] as AuditEntry).hash };
    // Rewrite #3 and re-chain everything after it: the chain itself is sound again.
    (repo.entries[2] as AuditEntry).principal = 'mallory';
    for (const [i, e] of repo.entries.entries()) {
      if (i > 0) e.prevHash = (repo.entries[i - 1] as AuditEntry).hash;
      rehash(e);
    }
    expect(await verifyAudit(reader(repo))).toMatchObject({ ok: true });
    expect(await verifyAnchor(reader(repo), () => repo.head(), anchor)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/#8 has a different hash/),
    });
  });

  it('says when the anchored entry itself is missing', async () => {
    const repo = await chain(10);
    const anchor = { seq: 5, hash: (repo.entries[4] as AuditEntry).hash };
    repo.entries.splice(4, 1);
    expect(await verifyAnchor(reader(repo), () => repo.head(), anchor)).toEqual({
      ok: false,
      reason: 'entry #5 is missing (the next entry stored is #6)',
    });
  });

  it('refuses to compare an anchor with another entry', () => {
    expect(() => verifyHead({ seq: 2, hash: 'a' }, { seq: 3, hash: 'b' })).toThrow(RangeError);
  });
});
