/**
 * Conformance: what governance keeps (GovernanceRepositories) — principals and API keys, policy
 * versions, the hash-chained audit log, the data-governance registry and pseudonymisation keys.
 * The audit chain is checked link by link with a real hash, and again as a verifier would: each
 * entry read back hashes to its own `hash`. `describeGovernanceShared` runs against two stores
 * over one database (two processes on one file, or two replicas on one server): whichever appends,
 * there is one unbroken chain.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ALL_TENANTS,
  GENESIS_HASH,
  type ApiKeyRecord,
  type AuditEntry,
  type AuditLink,
  type AuditRecord,
  type PrincipalRecord,
  type PseudonymKey,
} from '../governance-port.js';
import type { Store } from '../port.js';
import { rejectsWith, type MakeStore } from './fixtures.js';

/** A real link: SHA-256 over the previous hash, the sequence number and the record's JSON. */
export const sha256Link: AuditLink = (prevHash, seq, record) =>
  createHash('sha256')
    .update(`${prevHash}\n${seq}\n${JSON.stringify(record)}`)
    .digest('hex');

/** The record of an entry (what was linked), without its chain members. */
const recordOf = ({ seq: _s, prevHash: _p, hash: _h, ...record }: AuditEntry): AuditRecord => record;

/** Check that entries form one chain from the genesis: seq 1.., each linked to the one before. */
export function expectChain(entries: AuditEntry[], link: AuditLink = sha256Link): void {
  let prev = GENESIS_HASH;
  entries.forEach((e, i) => {
    expect(e.seq).toBe(i + 1);
    expect(e.prevHash).toBe(prev);
    expect(e.hash).toBe(link(e.prevHash, e.seq, recordOf(e)));
    prev = e.hash;
  });
}

const principal = (id: string, extra: Partial<PrincipalRecord> = {}): PrincipalRecord => ({
  id,
  tenant: 'urn:t:a',
  kind: 'user',
  roles: ['reader'],
  disabled: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

const key = (id: string, extra: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  id,
  principalId: 'alice',
  tenant: 'urn:t:a',
  hash: createHash('sha256').update(`secret-${id}`).digest('hex'),
  prefix: `urbis_${id.slice(0, 4)}`,
  scopes: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  bootstrap: false,
  ...extra,
});

const audit = (n: number, extra: Partial<AuditRecord> = {}): AuditRecord => ({
  at: `2026-01-01T00:00:${String(n % 60).padStart(2, '0')}.000Z`,
  tenant: 'urn:t:a',
  principal: 'alice',
  action: 'entity.create',
  target: `urn:e:${n}`,
  outcome: 'success',
  ...extra,
});

/** A key factory for pseudonymKeys.current: counts its calls. */
function keyMaker(tenant: string, createdAt: string, notAfter: string) {
  let n = 0;
  const make = vi.fn((): PseudonymKey => {
    n += 1;
    return {
      id: `pk-${tenant}-${createdAt}-${n}`,
      tenant,
      secret: randomBytes(32).toString('base64'),
      createdAt,
      notAfter,
    };
  });
  return make;
}

/** Register the governance repository tests for a store factory. */
export function describeGovernance(makeStore: MakeStore): void {
  describe('governance', () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('identity', () => {
      it('creates, reads, replaces and lists principals per tenant, ordered by id', async () => {
        const id = store.governance.identity;
        expect(await id.getPrincipal('urn:t:a', 'alice')).toBeUndefined();
        await id.putPrincipal(principal('carol', { kind: 'service', description: 'meter reader' }));
        await id.putPrincipal(principal('alice'));
        await id.putPrincipal(principal('root', { tenant: ALL_TENANTS, roles: ['admin'] }));
        await id.putPrincipal(principal('bob', { tenant: 'urn:t:b' }));
        expect(await id.getPrincipal('urn:t:a', 'alice')).toEqual(principal('alice'));
        expect(await id.getPrincipal('urn:t:a', 'carol')).toEqual(
          principal('carol', { kind: 'service', description: 'meter reader' }),
        );
        expect((await id.listPrincipals('urn:t:a')).map((p) => p.id)).toEqual(['alice', 'carol']);
        expect(await id.listPrincipals(ALL_TENANTS)).toEqual([
          principal('root', { tenant: ALL_TENANTS, roles: ['admin'] }),
        ]);
        expect(await id.getPrincipal('urn:t:b', 'alice')).toBeUndefined();
        // Replaced whole (same tenant and id).
        await id.putPrincipal(principal('alice', { roles: ['writer', 'reader'], disabled: true }));
        expect(await id.getPrincipal('urn:t:a', 'alice')).toEqual(
          principal('alice', { roles: ['writer', 'reader'], disabled: true }),
        );
        expect(await id.listPrincipals('urn:t:a')).toHaveLength(2);
      });

      it('deletes a principal and revokes its keys, only its own and only those not yet revoked', async () => {
        const id = store.governance.identity;
        await id.putPrincipal(principal('alice'));
        await id.putPrincipal(principal('bob'));
        await id.putKey(key('k_1'));
        await id.putKey(key('k_2', { revokedAt: '2026-01-02T00:00:00.000Z' }));
        await id.putKey(key('k_3', { principalId: 'bob' }));
        // Same principal id in another tenant: another principal.
        await id.putKey(key('k_4', { tenant: 'urn:t:b' }));
        expect(await id.deletePrincipal('urn:t:a', 'alice', '2026-01-05T00:00:00.000Z')).toBe(true);
        expect(await id.getPrincipal('urn:t:a', 'alice')).toBeUndefined();
        expect((await id.getKey('k_1'))?.revokedAt).toBe('2026-01-05T00:00:00.000Z');
        expect((await id.getKey('k_2'))?.revokedAt).toBe('2026-01-02T00:00:00.000Z');
        expect((await id.getKey('k_3'))?.revokedAt).toBeUndefined();
        expect((await id.getKey('k_4'))?.revokedAt).toBeUndefined();
        expect(await id.deletePrincipal('urn:t:a', 'alice', '2026-01-06T00:00:00.000Z')).toBe(false);
        expect(await id.deletePrincipal('urn:t:a', 'nobody', '2026-01-06T00:00:00.000Z')).toBe(false);
        expect(await id.getPrincipal('urn:t:a', 'bob')).toBeDefined();
      });

      it('finds keys by id and by hash, revoked or not, and refuses a second key with the same hash or id', async () => {
        const id = store.governance.identity;
        const full = key('k_full', {
          scopes: ['entity.read'],
          description: 'dashboard',
          expiresAt: '2027-01-01T00:00:00.000Z',
          bootstrap: true,
        });
        await id.putKey(full);
        await id.putKey(key('k_min'));
        expect(await id.getKey('k_full')).toEqual(full);
        expect(await id.getKey('k_min')).toEqual(key('k_min'));
        expect((await id.keyAndPrincipal(full.hash))?.key).toEqual(full);
        expect(await id.keyAndPrincipal('0'.repeat(64))).toBeUndefined();
        expect(await id.getKey('k_none')).toBeUndefined();
        expect(await rejectsWith(id.putKey(key('k_other', { hash: full.hash })))).toBe('AlreadyExists');
        expect(await rejectsWith(id.putKey(key('k_full', { hash: 'f'.repeat(64) })))).toBe('AlreadyExists');
        expect(await id.getKey('k_other')).toBeUndefined();
        expect(await id.revokeKey('k_full', '2026-02-01T00:00:00.000Z')).toBe(true);
        expect((await id.keyAndPrincipal(full.hash))?.key).toEqual({
          ...full,
          revokedAt: '2026-02-01T00:00:00.000Z',
        });
      });

      it('reads a key with its principal in one call; a deleted principal leaves the revoked key alone', async () => {
        const id = store.governance.identity;
        await id.putPrincipal(principal('alice', { description: 'clerk', roles: ['reader', 'writer'] }));
        await id.putPrincipal(principal('root', { tenant: ALL_TENANTS, roles: ['admin'] }));
        // Same principal id in another tenant: not alice's.
        await id.putPrincipal(principal('alice', { tenant: 'urn:t:b', disabled: true }));
        const mine = key('k_alice', { scopes: ['entity.read'] });
        const platform = key('k_root', { tenant: ALL_TENANTS, principalId: 'root', hash: 'e'.repeat(64) });
        await id.putKey(mine);
        await id.putKey(platform);
        expect(await id.keyAndPrincipal(mine.hash)).toEqual({
          key: mine,
          principal: principal('alice', { description: 'clerk', roles: ['reader', 'writer'] }),
        });
        expect(await id.keyAndPrincipal(platform.hash)).toEqual({
          key: platform,
          principal: principal('root', { tenant: ALL_TENANTS, roles: ['admin'] }),
        });
        expect(await id.keyAndPrincipal('0'.repeat(64))).toBeUndefined();
        await id.deletePrincipal('urn:t:a', 'alice', '2026-01-05T00:00:00.000Z');
        expect(await id.keyAndPrincipal(mine.hash)).toEqual({
          key: { ...mine, revokedAt: '2026-01-05T00:00:00.000Z' },
        });
      });

      it('revokes a key once, records its use, and lists keys by createdAt then id', async () => {
        const id = store.governance.identity;
        await id.putKey(key('k_b', { createdAt: '2026-01-02T00:00:00.000Z' }));
        await id.putKey(key('k_c', { createdAt: '2026-01-01T00:00:00.000Z' }));
        await id.putKey(key('k_a', { createdAt: '2026-01-02T00:00:00.000Z' }));
        await id.putKey(key('k_x', { tenant: ALL_TENANTS, createdAt: '2025-12-01T00:00:00.000Z' }));
        expect((await id.listKeys('urn:t:a')).map((k) => k.id)).toEqual(['k_c', 'k_a', 'k_b']);
        expect((await id.listKeys()).map((k) => k.id)).toEqual(['k_x', 'k_c', 'k_a', 'k_b']);
        expect(await id.listKeys('urn:t:none')).toEqual([]);
        expect(await id.revokeKey('k_a', '2026-03-01T00:00:00.000Z')).toBe(true);
        expect(await id.revokeKey('k_a', '2026-03-02T00:00:00.000Z')).toBe(false);
        expect((await id.getKey('k_a'))?.revokedAt).toBe('2026-03-01T00:00:00.000Z');
        expect(await id.revokeKey('k_none', '2026-03-02T00:00:00.000Z')).toBe(false);
        await id.touchKey('k_b', '2026-03-03T00:00:00.000Z');
        await id.touchKey('k_b', '2026-03-04T00:00:00.000Z');
        expect((await id.getKey('k_b'))?.lastUsedAt).toBe('2026-03-04T00:00:00.000Z');
        expect((await id.getKey('k_c'))?.lastUsedAt).toBeUndefined();
        await id.touchKey('k_none', '2026-03-04T00:00:00.000Z');
        expect(await id.getKey('k_none')).toBeUndefined();
      });
    });

    describe('policies', () => {
      it('numbers versions per tenant from 1, and reads the current one, any one and their list', async () => {
        const p = store.governance.policies;
        expect(await p.current('urn:t:a')).toBeUndefined();
        expect(await p.tenants()).toEqual([]);
        const doc1 = { roles: { reader: ['entity.read'] }, rules: [] };
        const doc2 = { roles: { reader: ['entity.read', 'temporal.read'] }, rules: [{ deny: 'x' }] };
        expect(await p.put('urn:t:a', doc1, 'alice', '2026-01-01T00:00:00.000Z')).toEqual({
          tenant: 'urn:t:a',
          version: 1,
          document: doc1,
          createdAt: '2026-01-01T00:00:00.000Z',
          createdBy: 'alice',
        });
        expect((await p.put('urn:t:a', doc2, 'bob', '2026-01-02T00:00:00.000Z')).version).toBe(2);
        expect((await p.put('urn:t:b', doc1, 'root', '2026-01-03T00:00:00.000Z')).version).toBe(1);
        expect((await p.put(ALL_TENANTS, doc1, 'root', '2026-01-03T00:00:00.000Z')).version).toBe(1);
        expect(await p.current('urn:t:a')).toEqual({
          tenant: 'urn:t:a',
          version: 2,
          document: doc2,
          createdAt: '2026-01-02T00:00:00.000Z',
          createdBy: 'bob',
        });
        expect((await p.get('urn:t:a', 1))?.document).toEqual(doc1);
        expect(await p.get('urn:t:a', 3)).toBeUndefined();
        expect(await p.get('urn:t:c', 1)).toBeUndefined();
        expect(await p.versions('urn:t:a')).toEqual([
          { tenant: 'urn:t:a', version: 2, createdAt: '2026-01-02T00:00:00.000Z', createdBy: 'bob' },
          { tenant: 'urn:t:a', version: 1, createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'alice' },
        ]);
        expect(await p.versions('urn:t:c')).toEqual([]);
        expect(await p.tenants()).toEqual([ALL_TENANTS, 'urn:t:a', 'urn:t:b']);
      });
    });

    describe('audit log', () => {
      it('chains appended entries from the genesis hash, calling link with each entry in turn', async () => {
        const a = store.governance.audit;
        expect(await a.head()).toBeUndefined();
        const link = vi.fn(sha256Link);
        const records = [audit(1, { requestId: 'r-1', status: 201 }), audit(2, { outcome: 'denied' })];
        const first = await a.append(records, link);
        expect(first.map((e) => e.seq)).toEqual([1, 2]);
        expect(first[0]!.prevHash).toBe(GENESIS_HASH);
        expect(first[1]!.prevHash).toBe(first[0]!.hash);
        expect(link.mock.calls).toEqual([
          [GENESIS_HASH, 1, records[0]],
          [first[0]!.hash, 2, records[1]],
        ]);
        expect(first.map((e) => e.hash)).toEqual(link.mock.results.map((r) => r.value));
        expect(first[0]).toEqual({ ...records[0], seq: 1, prevHash: GENESIS_HASH, hash: first[0]!.hash });
        // A later call goes on from the head.
        const [third] = await a.append([audit(3, { detail: { count: 2, versions: [1, 2] } })], link);
        expect(third).toMatchObject({
          seq: 3,
          prevHash: first[1]!.hash,
          detail: { count: 2, versions: [1, 2] },
        });
        expect(link).toHaveBeenLastCalledWith(
          first[1]!.hash,
          3,
          expect.objectContaining({ target: 'urn:e:3' }),
        );
        expect(await a.head()).toEqual(third);
        expect(await a.append([], link)).toEqual([]);
        expect(await a.head()).toEqual(third);
        const all = await a.read({ limit: 100 });
        expect(all).toEqual([...first, third]);
        expectChain(all);
      });

      it('links what it stores: a verifier re-hashing what it reads gets the same hashes', async () => {
        const a = store.governance.audit;
        // Members that JSON drops or changes (undefined, a Date) are linked as they are stored.
        const odd = audit(1, {
          target: undefined,
          detail: { kept: 1, dropped: undefined, when: new Date('2026-01-01T00:00:00Z') },
        });
        const [e] = await a.append([odd], sha256Link);
        expect(e!.detail).toEqual({ kept: 1, when: '2026-01-01T00:00:00.000Z' });
        expect(e).not.toHaveProperty('target');
        const read = await a.read({ limit: 10 });
        expect(read).toEqual([e]);
        expectChain(read);
      });

      it('appends nothing when link fails part-way or a record is malformed', async () => {
        const a = store.governance.audit;
        await a.append([audit(1)], sha256Link);
        let calls = 0;
        const failing: AuditLink = (p, s, r) => {
          calls += 1;
          if (calls === 2) throw new Error('hash failed');
          return sha256Link(p, s, r);
        };
        await expect(a.append([audit(2), audit(3)], failing)).rejects.toThrow('hash failed');
        expect((await a.read({ limit: 10 })).map((e) => e.seq)).toEqual([1]);
        // A malformed record fails the call, and nothing of it is kept either.
        const bad = { ...audit(5), outcome: 'maybe' } as unknown as AuditRecord;
        expect(await rejectsWith(a.append([audit(4), bad], sha256Link))).toBe('InternalError');
        const [next] = await a.append([audit(4)], sha256Link);
        expect(next!.seq).toBe(2);
        expectChain(await a.read({ limit: 10 }));
      });

      it('reads after a sequence number, one tenant, at most limit entries', async () => {
        const a = store.governance.audit;
        const records = Array.from({ length: 9 }, (_, i) =>
          audit(i + 1, { tenant: i % 3 === 0 ? 'urn:t:b' : 'urn:t:a' }),
        );
        await a.append(records.slice(0, 4), sha256Link);
        await a.append(records.slice(4), sha256Link);
        const seqs = (es: AuditEntry[]) => es.map((e) => e.seq);
        expect(seqs(await a.read({ limit: 100 }))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(seqs(await a.read({ afterSeq: 6, limit: 100 }))).toEqual([7, 8, 9]);
        expect(seqs(await a.read({ afterSeq: 2, limit: 3 }))).toEqual([3, 4, 5]);
        expect(seqs(await a.read({ tenant: 'urn:t:b', limit: 100 }))).toEqual([1, 4, 7]);
        expect(seqs(await a.read({ tenant: 'urn:t:b', afterSeq: 1, limit: 1 }))).toEqual([4]);
        expect(seqs(await a.read({ tenant: 'urn:t:none', limit: 100 }))).toEqual([]);
        expect(seqs(await a.read({ afterSeq: 9, limit: 100 }))).toEqual([]);
        expect(seqs(await a.read({ limit: 0 }))).toEqual([]);
        expect((await a.head())?.seq).toBe(9);
        expectChain(await a.read({ limit: 100 }));
      });
    });

    describe('registry', () => {
      it('puts, replaces, reads, lists by type and deletes entries per tenant', async () => {
        const r = store.governance.registry;
        const entry = (type: string, document: unknown, tenant = 'urn:t:a') => ({
          tenant,
          type: `https://example.org/${type}`,
          document,
          updatedAt: '2026-01-01T00:00:00.000Z',
          updatedBy: 'alice',
        });
        expect(await r.get('urn:t:a', 'https://example.org/Sensor')).toBeUndefined();
        await r.put(entry('Sensor', { attrs: { name: 'public' } }));
        await r.put(entry('Person', { attrs: { name: 'personal' } }));
        await r.put(entry('Sensor', { other: true }, 'urn:t:b'));
        expect(await r.get('urn:t:a', 'https://example.org/Sensor')).toEqual(
          entry('Sensor', { attrs: { name: 'public' } }),
        );
        await r.put({ ...entry('Sensor', { attrs: { name: 'internal' } }), updatedBy: 'bob' });
        expect(await r.get('urn:t:a', 'https://example.org/Sensor')).toEqual({
          ...entry('Sensor', { attrs: { name: 'internal' } }),
          updatedBy: 'bob',
        });
        expect((await r.list('urn:t:a')).map((e) => e.type)).toEqual([
          'https://example.org/Person',
          'https://example.org/Sensor',
        ]);
        expect(await r.list('urn:t:none')).toEqual([]);
        expect(await r.delete('urn:t:a', 'https://example.org/Sensor')).toBe(true);
        expect(await r.delete('urn:t:a', 'https://example.org/Sensor')).toBe(false);
        expect(await r.get('urn:t:a', 'https://example.org/Sensor')).toBeUndefined();
        expect(await r.get('urn:t:b', 'https://example.org/Sensor')).toEqual(
          entry('Sensor', { other: true }, 'urn:t:b'),
        );
      });
    });

    describe('pseudonym keys', () => {
      const day = (d: number): string => new Date(Date.UTC(2026, 0, d)).toISOString();

      it('creates a key once, returns it until notAfter, then destroys it and makes another', async () => {
        const pk = store.governance.pseudonymKeys;
        const first = keyMaker('urn:t:a', day(1), day(8));
        const k1 = await pk.current('urn:t:a', day(1), first);
        expect(first).toHaveBeenCalledTimes(1);
        expect(k1).toEqual(first.mock.results[0]!.value);
        // Before notAfter: the same key, nothing made; the same instant written otherwise is the same instant.
        expect(await pk.current('urn:t:a', day(7), first)).toEqual(k1);
        expect(await pk.current('urn:t:a', '2026-01-07T23:59:59Z', first)).toEqual(k1);
        expect(first).toHaveBeenCalledTimes(1);
        // Another tenant has its own.
        const other = keyMaker('urn:t:b', day(1), day(8));
        expect((await pk.current('urn:t:b', day(2), other)).tenant).toBe('urn:t:b');
        // At notAfter the key is no longer valid: destroyed, and a new one made.
        const second = keyMaker('urn:t:a', day(8), day(15));
        const k2 = await pk.current('urn:t:a', '2026-01-08T00:00:00Z', second);
        expect(second).toHaveBeenCalledTimes(1);
        expect(k2.id).not.toBe(k1.id);
        expect(k2.secret).not.toBe(k1.secret);
        // The old key is gone: asked again at an earlier instant, only the new one is there.
        expect(await pk.current('urn:t:a', day(2), second)).toEqual(k2);
        expect(second).toHaveBeenCalledTimes(1);
        // Nothing left to destroy for tenant a before day 15; tenant b's key expired on day 8.
        expect(await pk.destroyExpired(day(9))).toBe(1);
        expect(await pk.destroyExpired(day(9))).toBe(0);
      });

      it('destroys every expired key of every tenant and counts them', async () => {
        const pk = store.governance.pseudonymKeys;
        await pk.current('urn:t:a', day(1), keyMaker('urn:t:a', day(1), day(3)));
        await pk.current('urn:t:b', day(1), keyMaker('urn:t:b', day(1), day(5)));
        await pk.current(ALL_TENANTS, day(1), keyMaker(ALL_TENANTS, day(1), day(5)));
        expect(await pk.destroyExpired(day(2))).toBe(0);
        expect(await pk.destroyExpired(day(3))).toBe(1);
        expect(await pk.destroyExpired(day(4))).toBe(0);
        expect(await pk.destroyExpired(day(10))).toBe(2);
        const again = keyMaker('urn:t:b', day(10), day(20));
        await pk.current('urn:t:b', day(10), again);
        expect(again).toHaveBeenCalledTimes(1);
      });

      it('refuses an instant that is not one, and a made key of another tenant or already expired', async () => {
        const pk = store.governance.pseudonymKeys;
        expect(await rejectsWith(pk.destroyExpired('someday'))).toBe('BadRequestData');
        expect(await rejectsWith(pk.current('urn:t:a', 'someday', keyMaker('urn:t:a', day(1), day(2))))).toBe(
          'BadRequestData',
        );
        expect(await rejectsWith(pk.current('urn:t:a', day(1), keyMaker('urn:t:b', day(1), day(2))))).toBe(
          'InternalError',
        );
        expect(await rejectsWith(pk.current('urn:t:a', day(3), keyMaker('urn:t:a', day(1), day(2))))).toBe(
          'InternalError',
        );
        // Nothing was kept of the refused keys.
        const good = keyMaker('urn:t:a', day(3), day(9));
        await pk.current('urn:t:a', day(3), good);
        expect(good).toHaveBeenCalledTimes(1);
      });
    });
  });
}

/**
 * Register the tests of two stores sharing one database. `openTwo` opens both (migrated) over a
 * fresh database; the tests close them.
 */
export function describeGovernanceShared(openTwo: () => Promise<[Store, Store]>): void {
  describe('governance: two stores over one database', () => {
    let stores: [Store, Store];
    beforeEach(async () => {
      stores = await openTwo();
    });
    afterEach(async () => {
      for (const s of stores) await s.close();
    });

    it('appending alternately from both, they write one unbroken chain', async () => {
      const [a, b] = stores;
      const appended: AuditEntry[] = [];
      for (let round = 0; round < 12; round++) {
        const store = round % 2 === 0 ? a : b;
        const batch = Array.from({ length: (round % 3) + 1 }, (_, i) => audit(round * 10 + i));
        appended.push(...(await store.governance.audit.append(batch, sha256Link)));
      }
      // Appends issued together from both, without waiting in between.
      const together = await Promise.all([
        a.governance.audit.append([audit(900), audit(901)], sha256Link),
        b.governance.audit.append([audit(902)], sha256Link),
        a.governance.audit.append([audit(903)], sha256Link),
      ]);
      appended.push(...together.flat().sort((x, y) => x.seq - y.seq));
      const fromA = await a.governance.audit.read({ limit: 1000 });
      const fromB = await b.governance.audit.read({ limit: 1000 });
      expect(fromA).toEqual(fromB);
      expect(fromA).toEqual(appended);
      expect(fromA).toHaveLength(28);
      expectChain(fromA);
      expect(await b.governance.audit.head()).toEqual(fromA[fromA.length - 1]);
    });

    it('policy versions and pseudonym keys are shared, never taken twice', async () => {
      const [a, b] = stores;
      expect(
        (await a.governance.policies.put('urn:t:a', { v: 1 }, 'x', '2026-01-01T00:00:00Z')).version,
      ).toBe(1);
      expect(
        (await b.governance.policies.put('urn:t:a', { v: 2 }, 'x', '2026-01-02T00:00:00Z')).version,
      ).toBe(2);
      expect((await a.governance.policies.current('urn:t:a'))?.document).toEqual({ v: 2 });
      const made = keyMaker('urn:t:a', '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z');
      const ka = await a.governance.pseudonymKeys.current('urn:t:a', '2026-01-01T00:00:00Z', made);
      const kb = await b.governance.pseudonymKeys.current('urn:t:a', '2026-01-02T00:00:00Z', made);
      expect(kb).toEqual(ka);
      expect(made).toHaveBeenCalledTimes(1);
    });
  });
}
