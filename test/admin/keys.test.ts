// The admin API for API keys (issue #4): a created key authenticates, its secret is shown once and
// never again (not in listings, not in the audit log), scopes limit what it may do, revoked and
// expired keys get 401, bad input gets 400 ProblemDetails, and another tenant's keys are 404 to a
// tenant administrator (but reachable by the platform administrator).
import { describe, expect, it } from 'vitest';
import { hashKey } from '../../src/governance/identity/api-keys.js';
import { adminClient, expectProblem, tenant, thing, type CreatedKey } from './admin-client.js';

const admin = adminClient();
const { call, createKey, tenantAdmin, seed } = admin;

/** A service account of `t`. */
const principal = (t: string, id: string, roles: string[]) =>
  admin.createPrincipal(t, id, roles, { kind: 'service' });

const types = (t: string, key: string) => call('GET', '/ngsi-ld/v1/types', { tenant: t, key });

describe('create a key', () => {
  it('answers 201 with the secret once, no-store, a Location; the key authenticates', async () => {
    const t = tenant();
    await seed(t);
    await principal(t, 'ingest', ['editor']);
    const res = await call('POST', '/admin/keys', {
      tenant: t,
      body: { principal: 'ingest', description: 'weather station gateway' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const key = res.json() as CreatedKey & { hash?: string };
    expect(res.headers.location).toBe(`/admin/keys/${key.id}`);
    expect(key).toEqual({
      id: expect.stringMatching(/^k_/),
      secret: expect.stringMatching(/^urbis_[A-Za-z0-9_-]{40,}$/),
      prefix: key.secret.slice(0, 10),
      tenant: t,
      principal: 'ingest',
      scopes: [],
      description: 'weather station gateway',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      state: 'active',
    });
    expect(res.body).not.toContain(hashKey(key.secret));
    expect((await types(t, key.secret)).statusCode).toBe(200);
    const created = await call('POST', '/ngsi-ld/v1/entities', { tenant: t, key: key.secret, body: thing() });
    expect(created.statusCode, created.body).toBe(201);
  });

  it('never shows the secret or its hash again: not in listings, not in the audit log', async () => {
    const t = tenant();
    await principal(t, 'p', ['viewer']);
    const key = await createKey(t, { principal: 'p' });
    const hash = hashKey(key.secret);
    const reads = [
      await call('GET', '/admin/keys', { tenant: t }),
      await call('GET', `/admin/keys/${key.id}`, { tenant: t }),
      await call('GET', '/admin/audit?allTenants=true&limit=1000', { tenant: t }),
    ];
    for (const r of reads) {
      expect(r.statusCode, r.body).toBe(200);
      expect(r.body).not.toContain(key.secret);
      expect(r.body).not.toContain(hash);
      expect(r.body).not.toContain('"hash":"' + hash);
    }
    const listed = reads[0]?.json() as Array<Record<string, unknown>>;
    expect(listed).toHaveLength(1);
    expect(Object.keys(listed[0] ?? {}).sort()).toEqual(
      ['createdAt', 'id', 'prefix', 'principal', 'scopes', 'state', 'tenant'].sort(),
    );
    expect(reads[1]?.json()).toEqual(listed[0]);
    // The whole log, straight from the store: the secret is nowhere, the creation is there.
    const log = await admin.kit.store.governance.audit.read({ limit: 100_000 });
    expect(JSON.stringify(log)).not.toContain(key.secret);
    expect(JSON.stringify(log.map(({ hash: _h, prevHash: _p, ...r }) => r))).not.toContain(hash);
    const entry = log.find((e) => e.action === 'key.create' && e.tenant === t);
    expect(entry).toMatchObject({
      principal: 'admin',
      target: 'p',
      outcome: 'success',
      detail: { key: key.id, principal: 'p', scopes: [] },
    });
  });

  it('lists a tenant’s keys, filtered by principal when asked', async () => {
    const t = tenant();
    await principal(t, 'a', ['viewer']);
    await principal(t, 'b', ['viewer']);
    const k1 = await createKey(t, { principal: 'a' });
    const k2 = await createKey(t, { principal: 'b' });
    const k3 = await createKey(t, { principal: 'a', scopes: ['read'] });
    const all = (await call('GET', '/admin/keys', { tenant: t })).json() as CreatedKey[];
    expect(all.map((k) => k.id).sort()).toEqual([k1.id, k2.id, k3.id].sort());
    const ofA = (await call('GET', '/admin/keys?principal=a', { tenant: t })).json() as CreatedKey[];
    expect(ofA.map((k) => k.id).sort()).toEqual([k1.id, k3.id].sort());
    expect(ofA.find((k) => k.id === k3.id)?.scopes).toEqual(['read']);
  });

  it('refuses bad input with 400 ProblemDetails, creating nothing', async () => {
    const t = tenant();
    await principal(t, 'p', ['viewer']);
    const past = new Date(Date.now() - 60_000).toISOString();
    const cases: Array<[unknown, RegExp]> = [
      [{}, /principal/],
      [{ principal: 42 }, /principal/],
      [{ principal: 'p', scopes: ['fly'] }, /scopes.*read, write, command, admin/],
      [{ principal: 'p', scopes: 'read' }, /scopes/],
      [{ principal: 'p', expiresAt: 'tomorrow' }, /expiresAt.*ISO 8601/],
      [{ principal: 'p', expiresAt: past }, /expiresAt.*future/],
      [{ principal: 'p', secret: 'my-own-secret-value' }, /unknown member secret/],
      [{ principal: 'p', tenant: 'other' }, /unknown member tenant/],
      [{ principal: 'p', description: 'x'.repeat(501) }, /description/],
    ];
    for (const [body, detail] of cases) {
      expectProblem(await call('POST', '/admin/keys', { tenant: t, body }), 400, detail);
    }
    expectProblem(
      await call('GET', '/admin/keys?tenant=other', { tenant: t }),
      400,
      /unknown query parameter tenant/,
    );
    expect((await call('GET', '/admin/keys', { tenant: t })).json()).toEqual([]);
  });

  it('a key for a principal the tenant does not have is 404', async () => {
    const t = tenant();
    expectProblem(
      await call('POST', '/admin/keys', { tenant: t, body: { principal: 'nobody' } }),
      404,
      /nobody/,
    );
    // The platform administrator is not a principal of any one tenant.
    expectProblem(await call('POST', '/admin/keys', { tenant: t, body: { principal: 'admin' } }), 404);
  });
});

describe('what a key may do', () => {
  it('scopes limit the key below its principal’s roles: read-only cannot create an entity (403)', async () => {
    const t = tenant();
    await seed(t);
    await principal(t, 'editor', ['editor']);
    const readOnly = await createKey(t, { principal: 'editor', scopes: ['read'] });
    const full = await createKey(t, { principal: 'editor' });
    expect(readOnly.scopes).toEqual(['read']);
    expect((await types(t, readOnly.secret)).statusCode).toBe(200);
    expectProblem(
      await call('POST', '/ngsi-ld/v1/entities', { tenant: t, key: readOnly.secret, body: thing() }),
      403,
    );
    expect(
      (await call('POST', '/ngsi-ld/v1/entities', { tenant: t, key: full.secret, body: thing() })).statusCode,
    ).toBe(201);
  });

  it('scopes never widen the roles: a viewer’s key scoped to write still cannot write', async () => {
    const t = tenant();
    await seed(t);
    await principal(t, 'viewer', ['viewer']);
    const key = await createKey(t, { principal: 'viewer', scopes: ['write', 'admin'] });
    expectProblem(
      await call('POST', '/ngsi-ld/v1/entities', { tenant: t, key: key.secret, body: thing() }),
      403,
    );
    expectProblem(await call('GET', '/admin/keys', { tenant: t, key: key.secret }), 403);
  });

  it('an admin’s key scoped to read cannot use the admin API', async () => {
    const t = tenant();
    await principal(t, 'boss', ['admin']);
    const key = await createKey(t, { principal: 'boss', scopes: ['read'] });
    expectProblem(await call('GET', '/admin/keys', { tenant: t, key: key.secret }), 403);
    expectProblem(
      await call('POST', '/admin/keys', { tenant: t, key: key.secret, body: { principal: 'boss' } }),
      403,
    );
  });

  it('a revoked key gets 401 (204 on revoke; a second revoke is refused)', async () => {
    const t = tenant();
    await seed(t);
    await principal(t, 'p', ['viewer']);
    const key = await createKey(t, { principal: 'p' });
    expect((await types(t, key.secret)).statusCode).toBe(200);
    const res = await call('DELETE', `/admin/keys/${key.id}`, { tenant: t });
    expect(res.statusCode, res.body).toBe(204);
    const after = await types(t, key.secret);
    expectProblem(after, 401, /revoked/);
    expect(after.headers['www-authenticate']).toMatch(/^Bearer/);
    const shown = (await call('GET', `/admin/keys/${key.id}`, { tenant: t })).json() as CreatedKey & {
      revokedAt: string;
    };
    expect(shown.state).toBe('revoked');
    expect(shown.revokedAt).toMatch(/^\d{4}-/);
    expectProblem(await call('DELETE', `/admin/keys/${key.id}`, { tenant: t }), 400, /already revoked/);
  });

  it('an expired key gets 401 and shows as expired', async () => {
    const t = tenant();
    await seed(t);
    await principal(t, 'p', ['viewer']);
    const expiresAt = new Date(Date.now() + 1000).toISOString();
    const key = await createKey(t, { principal: 'p', expiresAt });
    expect(key.expiresAt).toBe(expiresAt);
    expect((await types(t, key.secret)).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expectProblem(await types(t, key.secret), 401, /expired/);
    const shown = (await call('GET', `/admin/keys/${key.id}`, { tenant: t })).json() as CreatedKey;
    expect(shown.state).toBe('expired');
  });

  it('an unknown key id is 404 to read and to revoke', async () => {
    const t = tenant();
    expectProblem(await call('GET', '/admin/keys/k_doesnotexist', { tenant: t }), 404);
    expectProblem(await call('DELETE', '/admin/keys/k_doesnotexist', { tenant: t }), 404);
  });
});

describe('tenant isolation of keys', () => {
  it('a tenant administrator of A cannot see, revoke or mint keys of B', async () => {
    const [a, b] = [tenant(), tenant()];
    await seed(b);
    const adminA = await tenantAdmin(a);
    await principal(b, 'b-svc', ['editor']);
    const keyB = await createKey(b, { principal: 'b-svc' });

    // Through its own tenant: B's key does not exist.
    expectProblem(await call('GET', `/admin/keys/${keyB.id}`, { tenant: a, key: adminA }), 404);
    expectProblem(await call('DELETE', `/admin/keys/${keyB.id}`, { tenant: a, key: adminA }), 404);
    const listA = await call('GET', '/admin/keys', { tenant: a, key: adminA });
    expect(listA.statusCode).toBe(200);
    expect(listA.body).not.toContain(keyB.id);
    expectProblem(
      await call('POST', '/admin/keys', { tenant: a, key: adminA, body: { principal: 'b-svc' } }),
      404,
    );

    // Addressing B: refused at the gate.
    for (const [method, url, body] of [
      ['GET', '/admin/keys', undefined],
      ['GET', `/admin/keys/${keyB.id}`, undefined],
      ['DELETE', `/admin/keys/${keyB.id}`, undefined],
      ['POST', '/admin/keys', { principal: 'b-svc' }],
    ] as const) {
      const res = await call(method, url, { tenant: b, key: adminA, body });
      expectProblem(res, 403);
      expect(res.body).not.toContain(keyB.id);
    }
    // B's key still works, and is still B's only one.
    expect((await types(b, keyB.secret)).statusCode).toBe(200);
    const listB = (await call('GET', '/admin/keys', { tenant: b })).json() as CreatedKey[];
    expect(listB.map((k) => k.id)).toEqual([keyB.id]);
  });

  it('a key of tenant A is refused in tenant B (403)', async () => {
    const [a, b] = [tenant(), tenant()];
    await seed(a);
    await seed(b);
    await principal(a, 'p', ['admin']);
    const key = await createKey(a, { principal: 'p' });
    expect((await types(a, key.secret)).statusCode).toBe(200);
    expectProblem(await types(b, key.secret), 403);
    expectProblem(await call('GET', '/ngsi-ld/v1/entities?type=Thing', { tenant: b, key: key.secret }), 403);
  });

  it('the platform administrator reaches any tenant’s key by id', async () => {
    const [a, b] = [tenant(), tenant()];
    await principal(b, 'b-svc', ['viewer']);
    const keyB = await createKey(b, { principal: 'b-svc' });
    const res = await call('GET', `/admin/keys/${keyB.id}`, { tenant: a });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: keyB.id, tenant: b, principal: 'b-svc' });
    expect((await call('DELETE', `/admin/keys/${keyB.id}`, { tenant: a })).statusCode).toBe(204);
    // Listing stays per tenant.
    expect((await call('GET', '/admin/keys', { tenant: a })).json()).toEqual([]);
  });
});
