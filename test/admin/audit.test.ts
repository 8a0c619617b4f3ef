// The admin API for the audit log (issue #4): every admin call is recorded with the right action,
// target, outcome and request id — failures and refusals included; reading the log is itself
// audited; paging by sequence number; a tenant administrator reads only its own tenant's entries;
// only the platform administrator reads all tenants or verifies the chain, which catches tampering.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/store/governance-port.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { testKit } from '../support/app.js';
import { adminClient, expectProblem, tenant, type Call, type Method } from './admin-client.js';

const { call, createPrincipal, principalWithKey } = adminClient();

async function readAudit(t: string, qs = '', key?: string): Promise<AuditEntry[]> {
  const res = await call('GET', `/admin/audit${qs}`, { tenant: t, key });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as AuditEntry[];
}

const policy = {
  rules: [{ roles: ['admin'], actions: ['read', 'write', 'command', 'admin'] }],
};

describe('every admin call is audited', () => {
  it('records action, target, outcome, status, principal and request id of each call', async () => {
    const t = tenant();
    const boss = await principalWithKey(t, 'boss', ['admin']);
    let n = 0;
    const expected: Array<{ requestId: string; entry: Record<string, unknown> }> = [];
    /** Make the call with a known request id, and say what its entry must hold. */
    const step = async (
      method: Method,
      url: string,
      status: number,
      entry: Record<string, unknown>,
      o: Call = {},
    ): Promise<LightMyRequestResponse> => {
      const requestId = `req-${t}-${++n}`;
      const res = await call(method, url, { tenant: t, requestId, ...o });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(status);
      expect(res.headers['x-request-id']).toBe(requestId);
      expected.push({
        requestId,
        entry: {
          tenant: t,
          principal: 'admin',
          outcome: status < 400 ? 'success' : status === 401 || status === 403 ? 'denied' : 'failure',
          ...(status >= 400 ? { status } : {}),
          ...entry,
        },
      });
      return res;
    };

    const body = { id: 'pat', kind: 'user', roles: ['viewer'] };
    await step(
      'POST',
      '/admin/principals',
      201,
      { action: 'principal.create', target: 'pat', detail: { kind: 'user', roles: ['viewer'] } },
      { body },
    );
    await step('POST', '/admin/principals', 409, { action: 'principal.create', target: 'pat' }, { body });
    await step(
      'POST',
      '/admin/principals',
      400,
      { action: 'principal.create' },
      { body: { id: 'x', kind: 'robot', roles: [] } },
    );
    await step(
      'POST',
      '/admin/principals',
      400,
      { action: 'principal.create' },
      { body: { ...body, id: 'y', extra: 1 } },
    );
    await step('GET', '/admin/principals', 200, { action: 'principal.list', detail: { count: 2 } });
    await step('GET', '/admin/principals?page=2', 400, { action: 'principal.list' });
    await step('GET', '/admin/principals/pat', 200, { action: 'principal.read', target: 'pat' });
    await step('GET', '/admin/principals/ghost', 404, { action: 'principal.read', target: 'ghost' });
    await step(
      'PATCH',
      '/admin/principals/pat',
      200,
      {
        action: 'principal.update',
        target: 'pat',
        detail: { changed: ['roles'], roles: ['editor'], disabled: false },
      },
      { body: { roles: ['editor'] } },
    );
    const created = await step(
      'POST',
      '/admin/keys',
      201,
      { action: 'key.create', target: 'pat' },
      { body: { principal: 'pat', scopes: ['read'] } },
    );
    const keyId = (created.json() as { id: string }).id;
    expected.at(-1)!.entry.detail = { key: keyId, principal: 'pat', scopes: ['read'] };
    await step(
      'POST',
      '/admin/keys',
      404,
      { action: 'key.create', target: 'nobody' },
      { body: { principal: 'nobody' } },
    );
    await step('GET', '/admin/keys', 200, { action: 'key.list', detail: { count: 2 } });
    await step('GET', `/admin/keys/${keyId}`, 200, { action: 'key.read', target: keyId });
    await step('DELETE', `/admin/keys/${keyId}`, 204, {
      action: 'key.revoke',
      target: keyId,
      detail: { principal: 'pat', keyTenant: t },
    });
    await step('DELETE', `/admin/keys/${keyId}`, 400, { action: 'key.revoke', target: keyId });
    await step('GET', '/admin/policy', 200, { action: 'policy.read', detail: { version: 0 } });
    await step(
      'PUT',
      '/admin/policy',
      200,
      { action: 'policy.put', detail: { version: 1 } },
      { body: policy },
    );
    await step(
      'PUT',
      '/admin/policy',
      400,
      { action: 'policy.put' },
      { body: { rules: [{ actions: ['read'] }] } },
    );
    await step('GET', '/admin/policy/versions', 200, { action: 'policy.versions', detail: { count: 1 } });
    await step('GET', '/admin/policy/versions/1', 200, { action: 'policy.read', target: 'version 1' });
    await step('DELETE', '/admin/principals/pat', 204, {
      action: 'principal.delete',
      target: 'pat',
      detail: { keysRevoked: 0, subscriptionsDeleted: 0 },
    });
    await step('GET', '/admin/audit?limit=0', 400, { action: 'audit.read' });
    await step(
      'GET',
      '/admin/audit?allTenants=true',
      403,
      { action: 'audit.read', principal: 'boss' },
      { key: boss },
    );
    await step(
      'GET',
      '/admin/audit/verify',
      403,
      { action: 'audit.verify', principal: 'boss' },
      { key: boss },
    );

    const entries = await readAudit(t, '?limit=1000');
    const byRequest = new Map(entries.map((e) => [e.requestId, e]));
    for (const { requestId, entry } of expected) {
      const found = byRequest.get(requestId);
      expect(found, `no audit entry for ${requestId} (${String(entry.action)})`).toBeDefined();
      expect(found).toMatchObject(entry);
      expect(found?.at).toMatch(/^\d{4}-\d\d-\d\dT/);
      if (entry.outcome === 'success') expect(found).not.toHaveProperty('status');
    }
    // One entry per call, no more.
    const ours = entries.filter((e) => e.requestId?.startsWith(`req-${t}-`));
    expect(ours).toHaveLength(expected.length);
    // In the order the calls were made.
    expect(ours.map((e) => e.requestId)).toEqual(expected.map((x) => x.requestId));
  });

  it('reading the log is itself audited, with what was asked', async () => {
    const t = tenant();
    await principalWithKey(t, 'p', ['viewer']);
    const first = await readAudit(t, '?limit=5');
    expect(first.map((e) => e.action)).toEqual(['principal.create', 'key.create']);
    const second = await readAudit(t, `?after=${first.at(-1)?.seq}`);
    expect(second).toHaveLength(1);
    expect(second[0]).toMatchObject({
      action: 'audit.read',
      tenant: t,
      principal: 'admin',
      outcome: 'success',
      detail: { after: 0, limit: 5, allTenants: false, returned: 2 },
    });
  });
});

describe('reading the log', () => {
  it('pages by sequence number: after and limit', async () => {
    const t = tenant();
    for (let i = 0; i < 5; i++) await createPrincipal(t, `p${i}`, []);
    const page1 = await readAudit(t, '?limit=2');
    expect(page1.map((e) => e.target)).toEqual(['p0', 'p1']);
    const page2 = await readAudit(t, `?limit=2&after=${page1[1]?.seq}`);
    expect(page2.map((e) => e.target)).toEqual(['p2', 'p3']);
    expect(page2[0]!.seq).toBeGreaterThan(page1[1]!.seq);
    const all = await readAudit(t);
    for (const [a, b] of all.slice(1).map((e, i) => [all[i]!, e] as const))
      expect(b.seq).toBeGreaterThan(a.seq);
    // Entries carry their chain links.
    expect(all[0]).toMatchObject({ seq: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('refuses bad paging and unknown parameters with 400', async () => {
    const t = tenant();
    for (const qs of [
      'limit=0',
      'limit=1001',
      'limit=abc',
      'limit=-1',
      'after=x',
      'after=-3',
      'allTenants=yes',
    ])
      expectProblem(await call('GET', `/admin/audit?${qs}`, { tenant: t }), 400);
    expectProblem(
      await call('GET', '/admin/audit?tenant=other', { tenant: t }),
      400,
      /unknown query parameter tenant/,
    );
    expectProblem(await call('GET', '/admin/audit/verify?fast=1'), 400, /unknown query parameter fast/);
    expect((await readAudit(t, '?limit=1000')).length).toBeLessThanOrEqual(1000);
  });

  it('a tenant administrator reads only its own tenant’s entries, never B’s', async () => {
    const [a, b] = [tenant(), tenant()];
    const adminA = await principalWithKey(a, 'boss', ['admin']);
    await principalWithKey(b, 'b-secret-user', ['viewer']);
    const own = await readAudit(a, '?limit=1000', adminA);
    expect(own.length).toBeGreaterThan(0);
    expect(own.every((e) => e.tenant === a)).toBe(true);
    expect(JSON.stringify(own)).not.toContain('b-secret-user');
    for (const url of ['/admin/audit', '/admin/audit?allTenants=true', '/admin/audit/verify']) {
      const res = await call('GET', url, { tenant: b, key: adminA });
      expectProblem(res, 403);
      expect(res.body).not.toContain('b-secret-user');
    }
    const all = await call('GET', '/admin/audit?allTenants=true', { tenant: a, key: adminA });
    expectProblem(all, 403, /platform administrator/);
    expect(all.body).not.toContain('b-secret-user');
    // A viewer of A has no admin action: 403; no credential: 401.
    const viewer = await principalWithKey(a, 'v', ['viewer']);
    expectProblem(await call('GET', '/admin/audit', { tenant: a, key: viewer }), 403);
    expectProblem(await call('GET', '/admin/audit', { tenant: a, key: null }), 401);
  });

  it('the platform administrator reads every tenant’s entries with allTenants=true', async () => {
    const [a, b] = [tenant(), tenant()];
    await principalWithKey(a, 'pa', []);
    await principalWithKey(b, 'pb', []);
    const all = await readAudit(a, '?allTenants=true&limit=1000');
    const tenants = new Set(all.map((e) => e.tenant));
    expect(tenants.has(a) && tenants.has(b)).toBe(true);
    const only = await readAudit(a, '?allTenants=false&limit=1000');
    expect(only.every((e) => e.tenant === a)).toBe(true);
  });
});

describe('verifying the chain', () => {
  it('the platform administrator gets ok, the count and the head', async () => {
    const t = tenant();
    await principalWithKey(t, 'p', []);
    const res = await call('GET', '/admin/audit/verify', { tenant: t });
    expect(res.statusCode, res.body).toBe(200);
    const verdict = res.json() as { ok: boolean; entries: number; head: { seq: number; hash: string } };
    expect(verdict.ok).toBe(true);
    const everything = await readAudit(t, '?allTenants=true&limit=1000');
    // Every entry before this read (the read itself is recorded after it answered).
    const last = everything.filter((e) => e.seq <= verdict.head.seq).at(-1);
    expect(verdict.entries).toBe(verdict.head.seq);
    expect(verdict.head).toEqual({ seq: last?.seq, hash: last?.hash });
    expect(everything.some((e) => e.action === 'audit.verify' && e.detail?.ok === true)).toBe(true);
  });

  it('names the first broken entry when the stored log was edited', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'urbis-admin-audit-'));
    const file = join(dir, 'urbis.sqlite');
    const store = openSqliteStore({ path: file, backgroundCheckpoint: false });
    await store.migrate();
    const kit = await testKit({ store });
    try {
      const t = tenant();
      for (const id of ['a', 'b', 'c']) {
        const res = await call('POST', '/admin/principals', {
          on: kit.app,
          tenant: t,
          body: { id, kind: 'user', roles: [] },
        });
        expect(res.statusCode).toBe(201);
      }
      const before = await call('GET', '/admin/audit/verify', { on: kit.app });
      expect(before.json()).toMatchObject({ ok: true, entries: 3 });
      // An intruder with access to the file changes who did entry #2.
      const db = new Database(file);
      try {
        db.prepare("UPDATE audit_log SET principal = 'someone-else' WHERE seq = 2").run();
      } finally {
        db.close();
      }
      const after = await call('GET', '/admin/audit/verify', { on: kit.app });
      expect(after.statusCode, after.body).toBe(200);
      expect(after.json()).toEqual({
        ok: false,
        entries: 1,
        broken: { seq: 2, reason: expect.stringMatching(/edited/) },
      });
    } finally {
      await kit.app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
