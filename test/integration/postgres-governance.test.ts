/**
 * Integration: the PostgreSQL governance repositories (issue #6) against the machine's PostgreSQL
 * (URBIS_TEST_POSTGRES, default postgres://postgres@127.0.0.1:5432/postgres). One fresh database per
 * run (`urbis_it_gov_<random>`, dropped at the end), migrated; the governance conformance suite runs
 * against one pool, the shared suite against two pools (two replicas on one server). Then what
 * replicas do at the same moment: concurrent audit appends from two pools keep one chain that the
 * audit verifier accepts (and a tampered entry it rejects), the append lock queues writers but not
 * readers, policy versions and pseudonym keys are never taken twice.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { auditLink } from '../../src/governance/audit/chain.js';
import { verifyAudit } from '../../src/governance/audit/verify.js';
import { describeGovernance, describeGovernanceShared } from '../../src/store/conformance/governance.js';
import type { AuditRecord, PseudonymKey } from '../../src/store/governance-port.js';
import type { Store } from '../../src/store/port.js';
import { AUDIT_LOCK_SQL } from '../../src/store/postgres/governance/audit.js';
import { postgresGovernance } from '../../src/store/postgres/governance/index.js';
import { freshDatabase } from './postgres-database.js';
import { createPostgresPool } from '../../src/store/postgres/pool.js';

const URL_OF_RUN = freshDatabase('urbis_it_gov');

/** The tables of migration 0002, emptied before each conformance test ("a fresh, empty store"). */
const TABLES = [
  'principals',
  'api_keys',
  'policies',
  'policy_heads',
  'audit_log',
  'registry',
  'pseudonym_keys',
];

async function emptyTables(): Promise<void> {
  const pool = createPostgresPool({ url: URL_OF_RUN, max: 1 });
  try {
    await pool.query(`TRUNCATE ${TABLES.join(', ')}`);
  } finally {
    await pool.end();
  }
}

/**
 * Test-only: an object with the governance repositories over its own pool and close(), cast to
 * Store so the conformance suites can take it (they touch nothing else); the full PostgresStore
 * comes in a later step.
 */
function storeOver(applicationName: string): Store {
  const pool = createPostgresPool({ url: URL_OF_RUN, max: 4, applicationName });
  const partial = { governance: postgresGovernance(pool), close: () => pool.end() };
  return partial as unknown as Store;
}

describe('postgres governance: conformance', () => {
  describeGovernance(async () => {
    await emptyTables();
    return storeOver('urbis-it');
  });
  describeGovernanceShared(async () => {
    await emptyTables();
    return [storeOver('urbis-it-a'), storeOver('urbis-it-b')];
  });
});

const record = (n: number, tenant: string): AuditRecord => ({
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  tenant,
  principal: `p${n % 5}`,
  action: 'entity.update',
  target: `urn:e:${n}`,
  outcome: n % 7 === 0 ? 'denied' : 'success',
  ...(n % 3 === 0 ? { detail: { n, tags: ['a', 'b'] } } : {}),
});

describe('postgres governance shared by replicas', () => {
  it('concurrent audit appends from two pools keep one unbroken chain', async () => {
    await emptyTables();
    const replicas = [storeOver('urbis-it-a'), storeOver('urbis-it-b')];
    try {
      // 60 appends of 1–4 records, all issued at once, half from each replica, for three tenants.
      const calls = Array.from({ length: 60 }, (_, i) => {
        const store = replicas[i % 2]!;
        const batch = Array.from({ length: (i % 4) + 1 }, (_, j) =>
          record(i * 10 + j, ['city-a', 'city-b', ''][i % 3]!),
        );
        return store.governance.audit.append(batch, auditLink);
      });
      const appended = (await Promise.all(calls)).flat();
      const total = Array.from({ length: 60 }, (_, i) => (i % 4) + 1).reduce((a, b) => a + b, 0);
      expect(appended).toHaveLength(total);
      // Each call got consecutive numbers; together they are 1..total, each once.
      expect(appended.map((e) => e.seq).sort((a, b) => a - b)).toEqual(
        Array.from({ length: total }, (_, i) => i + 1),
      );
      const audit = replicas[0]!.governance.audit;
      const verdict = await verifyAudit((after, limit) => audit.read({ afterSeq: after, limit }), {
        pageSize: 17,
      });
      expect(verdict).toEqual({ ok: true, entries: total, head: expect.objectContaining({ seq: total }) });
      // What each caller was handed is what is stored.
      const stored = await audit.read({ limit: 1000 });
      expect(stored).toEqual([...appended].sort((a, b) => a.seq - b.seq));

      // The verifier is not vacuous: an entry edited behind the store's back is found.
      const pool = createPostgresPool({ url: URL_OF_RUN, max: 1 });
      try {
        await pool.query(`UPDATE audit_log SET target = 'urn:e:forged' WHERE seq = 42`);
      } finally {
        await pool.end();
      }
      const tampered = await verifyAudit((after, limit) => audit.read({ afterSeq: after, limit }));
      expect(tampered).toMatchObject({ ok: false, entries: 41, broken: { seq: 42 } });
    } finally {
      for (const s of replicas) await s.close();
    }
  });

  it('the append lock queues appenders but never blocks readers', async () => {
    await emptyTables();
    const store = storeOver('urbis-it');
    const holder = new pg.Client({ connectionString: URL_OF_RUN });
    await holder.connect();
    try {
      const audit = store.governance.audit;
      await audit.append([record(1, 'city-a')], auditLink);
      // Another session holds the lock an append takes, as a replica in the middle of one would.
      await holder.query('BEGIN');
      await holder.query(AUDIT_LOCK_SQL);
      let done = false;
      const waiting = audit.append([record(2, 'city-a')], auditLink).then((es) => {
        done = true;
        return es;
      });
      // Readers go on meanwhile.
      expect((await audit.read({ limit: 10 })).map((e) => e.seq)).toEqual([1]);
      expect((await audit.head())?.seq).toBe(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(done).toBe(false);
      // The holder appends (as the replica would) and commits: the waiting append chains after it.
      const [head] = (await holder.query<{ hash: string }>('SELECT hash FROM audit_log WHERE seq = 1')).rows;
      const mine = record(4, 'city-b'); // No detail: the INSERT below names only the columns it has.
      await holder.query(
        `INSERT INTO audit_log (seq, at, tenant, principal, action, target, outcome, prev_hash, hash)
         VALUES (2, $1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          mine.at,
          mine.tenant,
          mine.principal,
          mine.action,
          mine.target,
          mine.outcome,
          head!.hash,
          auditLink(head!.hash, 2, mine),
        ],
      );
      await holder.query('COMMIT');
      const [after] = await waiting;
      expect(after).toMatchObject({ seq: 3, target: 'urn:e:2' });
      const verdict = await verifyAudit((s, limit) => audit.read({ afterSeq: s, limit }));
      expect(verdict).toMatchObject({ ok: true, entries: 3 });
    } finally {
      await holder.end();
      await store.close();
    }
  });

  it('concurrent policy puts from two pools take consecutive versions, never the same one', async () => {
    await emptyTables();
    const replicas = [storeOver('urbis-it-a'), storeOver('urbis-it-b')];
    try {
      const puts = Array.from({ length: 30 }, (_, i) =>
        replicas[i % 2]!.governance.policies.put('city-a', { i }, `p${i}`, '2026-01-01T00:00:00Z'),
      );
      const versions = (await Promise.all(puts)).map((p) => p.version);
      expect([...versions].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      const list = await replicas[1]!.governance.policies.versions('city-a');
      expect(list.map((v) => v.version)).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
      // Each stored version holds the document put under it.
      const all = await Promise.all(puts);
      for (const p of all) {
        expect((await replicas[0]!.governance.policies.get('city-a', p.version))?.document).toEqual(
          p.document,
        );
      }
      expect(await replicas[0]!.governance.policies.tenants()).toEqual(['city-a']);
    } finally {
      for (const s of replicas) await s.close();
    }
  });

  it('concurrent requests for a pseudonym key from two pools create one key per tenant', async () => {
    await emptyTables();
    const replicas = [storeOver('urbis-it-a'), storeOver('urbis-it-b')];
    try {
      const makers = new Map<string, ReturnType<typeof vi.fn<() => PseudonymKey>>>();
      const maker = (tenant: string) => {
        let m = makers.get(tenant);
        if (!m) {
          m = vi.fn((): PseudonymKey => ({
            id: `pk-${tenant}-${randomBytes(4).toString('hex')}`,
            tenant,
            secret: randomBytes(32).toString('base64'),
            createdAt: '2026-01-01T00:00:00.000Z',
            notAfter: '2026-02-01T00:00:00.000Z',
          }));
          makers.set(tenant, m);
        }
        return m;
      };
      const tenants = ['city-a', 'city-b', ''];
      const asks = Array.from({ length: 24 }, (_, i) => {
        const tenant = tenants[i % 3]!;
        return replicas[i % 2]!.governance.pseudonymKeys.current(
          tenant,
          '2026-01-02T00:00:00Z',
          maker(tenant),
        );
      });
      const keys = await Promise.all(asks);
      for (const tenant of tenants) {
        expect(makers.get(tenant)).toHaveBeenCalledTimes(1);
        expect(new Set(keys.filter((k) => k.tenant === tenant).map((k) => k.id)).size).toBe(1);
      }
      // Destroyed once each, whoever destroys.
      const counts = await Promise.all(
        replicas.map((s) => s.governance.pseudonymKeys.destroyExpired('2026-03-01T00:00:00Z')),
      );
      expect(counts.reduce((a, b) => a + b, 0)).toBe(3);
    } finally {
      for (const s of replicas) await s.close();
    }
  });

  it('refuses values PostgreSQL cannot hold with BadRequestData, and reads odd versions as absent', async () => {
    await emptyTables();
    const store = storeOver('urbis-it');
    try {
      const g = store.governance;
      await expect(
        g.identity.putPrincipal({
          id: 'nul\u0000',
          tenant: 'city-a',
          kind: 'user',
          roles: [],
          disabled: false,
          createdAt: '2026-01-01T00:00:00Z',
        }),
      ).rejects.toMatchObject({ kind: 'BadRequestData' });
      await expect(g.audit.read({ limit: -1 })).rejects.toMatchObject({ kind: 'BadRequestData' });
      await expect(g.audit.read({ limit: 1, afterSeq: 0.5 })).rejects.toMatchObject({
        kind: 'BadRequestData',
      });
      await g.policies.put('city-a', { a: 1 }, 'x', '2026-01-01T00:00:00Z');
      expect(await g.policies.get('city-a', 2 ** 40)).toBeUndefined();
      expect(await g.policies.get('city-a', 1.5)).toBeUndefined();
      // A NUL inside an audit detail is kept (json is stored verbatim).
      const [e] = await g.audit.append([{ ...record(1, 'city-a'), detail: { note: 'x\u0000y' } }], auditLink);
      expect((await g.audit.read({ limit: 1 }))[0]).toEqual(e);
    } finally {
      await store.close();
    }
  });
});
