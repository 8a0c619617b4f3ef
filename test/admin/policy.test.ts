// The admin API for a tenant's access policy (issue #4): the built-in default until a tenant writes
// its own, PUT validated (400 naming the member) then stored as a new version and applied at once,
// the versions listed and readable, and a tenant administrator confined to its own tenant's policy.
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_DOCUMENT } from '../../src/governance/policy/default-policy.js';
import { adminClient, expectProblem, tenant } from './admin-client.js';

const { call, principalWithKey } = adminClient();

async function entity(t: string, type: string, n: number): Promise<string> {
  const id = `urn:ngsi-ld:${type}:${n}`;
  const res = await call('POST', '/ngsi-ld/v1/entities', {
    tenant: t,
    body: { id, type, name: { type: 'Property', value: `${type} ${n}` } },
  });
  expect(res.statusCode, res.body).toBe(201);
  return id;
}

/** The built-in admin rule, kept in test policies so that tenant administrators keep their access. */
const adminRule = { id: 'admin', roles: ['admin'], actions: ['read', 'write', 'command', 'admin'] };

const policy = (...rules: unknown[]) => ({ description: 'test policy', rules: [adminRule, ...rules] });

interface View {
  tenant: string;
  version: number;
  source: string;
  document: unknown;
  createdAt?: string;
  createdBy?: string;
}

describe('reading the policy', () => {
  it('a tenant without a policy of its own has the built-in default, version 0', async () => {
    const t = tenant();
    const res = await call('GET', '/admin/policy', { tenant: t });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      tenant: t,
      version: 0,
      source: 'default',
      document: DEFAULT_POLICY_DOCUMENT,
    });
    expect((await call('GET', '/admin/policy/versions', { tenant: t })).json()).toEqual([]);
    const v0 = await call('GET', '/admin/policy/versions/0', { tenant: t });
    expect(v0.json()).toMatchObject({ version: 0, source: 'default' });
  });
});

describe('writing the policy', () => {
  it('PUT stores the next version, answers it, and every version stays readable', async () => {
    const t = tenant();
    const first = policy({ id: 'viewers', roles: ['viewer'], actions: ['read'] });
    const put1 = await call('PUT', '/admin/policy', { tenant: t, body: first });
    expect(put1.statusCode, put1.body).toBe(200);
    expect(put1.json()).toEqual({
      tenant: t,
      version: 1,
      source: 'stored',
      document: first,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      createdBy: 'admin',
    });
    const second = policy({ id: 'viewers', roles: ['viewer'], actions: ['read'], types: ['Bin'] });
    const put2 = await call('PUT', '/admin/policy', { tenant: t, body: second });
    expect((put2.json() as View).version).toBe(2);

    const current = (await call('GET', '/admin/policy', { tenant: t })).json() as View;
    expect(current).toMatchObject({ version: 2, source: 'stored', document: second, createdBy: 'admin' });
    const versions = (await call('GET', '/admin/policy/versions', { tenant: t })).json() as View[];
    expect(versions.map((v) => v.version)).toEqual([2, 1]);
    expect(versions[0]).toEqual({ tenant: t, version: 2, createdAt: expect.any(String), createdBy: 'admin' });
    expect(versions[0]).not.toHaveProperty('document');
    const v1 = (await call('GET', '/admin/policy/versions/1', { tenant: t })).json() as View;
    expect(v1).toMatchObject({ version: 1, document: first });
    expectProblem(await call('GET', '/admin/policy/versions/3', { tenant: t }), 404, /version 3/);
  });

  it('refuses an invalid document with 400 naming the member, and keeps the policy in force', async () => {
    const t = tenant();
    await call('PUT', '/admin/policy', { tenant: t, body: policy() });
    const cases: Array<[unknown, RegExp]> = [
      [{ rulez: [] }, /unknown member rulez/],
      [{ rules: 'all' }, /policy\.rules must be an array/],
      [{ rules: [{ roles: ['x'], actions: ['fly'] }] }, /policy\.rules\[0\]\.actions.*"fly"/],
      [{ rules: [adminRule, { actions: ['read'] }] }, /policy\.rules\[1\] must name who/],
      [
        { rules: [{ public: true, actions: ['write'] }] },
        /policy\.rules\[0\]: a public rule may only allow read/,
      ],
      [{ rules: [{ roles: ['x'], actions: ['admin'], types: ['T'] }] }, /admin is tenant-wide/],
      [{ rules: [{ roles: ['x'], actions: ['read'], idPattern: '(' }] }, /policy\.rules\[0\]\.idPattern/],
      [
        { rules: [{ roles: ['x'], actions: ['read'], colour: 'red' }] },
        /policy\.rules\[0\]: unknown member colour/,
      ],
      [{ rules: [{ roles: [], actions: ['read'] }] }, /policy\.rules\[0\]\.roles/],
      [['not', 'an', 'object'], /object/],
    ];
    for (const [body, detail] of cases) {
      expectProblem(await call('PUT', '/admin/policy', { tenant: t, body }), 400, detail);
    }
    expectProblem(
      await call('PUT', '/admin/policy?dryRun=true', { tenant: t, body: policy() }),
      400,
      /dryRun/,
    );
    expectProblem(await call('GET', '/admin/policy/versions/one', { tenant: t }), 400, /version/);
    expectProblem(await call('GET', '/admin/policy/versions/-1', { tenant: t }), 400);
    const versions = (await call('GET', '/admin/policy/versions', { tenant: t })).json() as View[];
    expect(versions.map((v) => v.version)).toEqual([1]);
  });

  it('a new policy takes effect at once: a role granted only type X sees only X', async () => {
    const t = tenant();
    const bins = [await entity(t, 'Bin', 1), await entity(t, 'Bin', 2)];
    const light = await entity(t, 'Lamp', 1);
    const key = await principalWithKey(t, 'waste-analyst', ['waste']);
    const query = (q: string) => call('GET', `/ngsi-ld/v1/entities?${q}`, { tenant: t, key });

    // The built-in policy knows no role `waste`: nothing may be read.
    expectProblem(await query('type=Bin,Lamp'), 403);

    const put = await call('PUT', '/admin/policy', {
      tenant: t,
      body: policy({ id: 'waste', roles: ['waste'], actions: ['read'], types: ['Bin'] }),
    });
    expect(put.statusCode, put.body).toBe(200);
    const seen = await query('type=Bin,Lamp');
    expect(seen.statusCode, seen.body).toBe(200);
    expect((seen.json() as Array<{ id: string }>).map((e) => e.id).sort()).toEqual(bins.sort());
    const lamps = await query('type=Lamp');
    expect(lamps.statusCode).toBe(200);
    expect(lamps.json()).toEqual([]);
    const direct = await call('GET', `/ngsi-ld/v1/entities/${encodeURIComponent(light)}`, { tenant: t, key });
    expect([403, 404]).toContain(direct.statusCode);
    expect(direct.body).not.toContain('Lamp 1');
    // Read only: writing a Bin is still refused.
    const write = await call('POST', '/ngsi-ld/v1/entities', {
      tenant: t,
      key,
      body: { id: 'urn:ngsi-ld:Bin:9', type: 'Bin' },
    });
    expectProblem(write, 403);

    // The next version widens it, again at once.
    await call('PUT', '/admin/policy', {
      tenant: t,
      body: policy({ roles: ['waste'], actions: ['read'], types: ['Bin', 'Lamp'] }),
    });
    const both = (await query('type=Bin,Lamp')).json() as Array<{ id: string }>;
    expect(both.map((e) => e.id).sort()).toEqual([...bins, light].sort());
  });

  it('attribute rules apply: a denied attribute is left out of what the role reads', async () => {
    const t = tenant();
    const id = await entity(t, 'Bin', 1);
    const key = await principalWithKey(t, 'reader', ['viewer']);
    await call('PUT', '/admin/policy', {
      tenant: t,
      body: policy(
        { roles: ['viewer'], actions: ['read'] },
        { effect: 'deny', roles: ['viewer'], actions: ['read'], types: ['Bin'], attrs: ['name'] },
      ),
    });
    const res = await call('GET', `/ngsi-ld/v1/entities/${encodeURIComponent(id)}`, { tenant: t, key });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).not.toHaveProperty('name');
    expect(res.json()).toMatchObject({ id, type: 'Bin' });
  });
});

describe('who may read and write the policy', () => {
  it('principals without admin get 403, anonymous callers 401', async () => {
    const t = tenant();
    const viewer = await principalWithKey(t, 'v', ['viewer']);
    expectProblem(await call('GET', '/admin/policy', { tenant: t, key: viewer }), 403);
    expectProblem(await call('PUT', '/admin/policy', { tenant: t, key: viewer, body: policy() }), 403);
    expectProblem(await call('GET', '/admin/policy', { tenant: t, key: null }), 401);
    expectProblem(await call('PUT', '/admin/policy', { tenant: t, key: null, body: policy() }), 401);
    expect((await call('GET', '/admin/policy/versions', { tenant: t })).json()).toEqual([]);
  });

  it('a tenant administrator writes its own tenant’s policy, and cannot read or write B’s', async () => {
    const [a, b] = [tenant(), tenant()];
    const adminA = await principalWithKey(a, 'boss', ['admin']);
    const bPolicy = policy({ id: 'b-secret-rule', roles: ['viewer'], actions: ['read'] });
    await call('PUT', '/admin/policy', { tenant: b, body: bPolicy });

    const own = await call('PUT', '/admin/policy', { tenant: a, key: adminA, body: policy() });
    expect(own.statusCode, own.body).toBe(200);
    expect(own.json()).toMatchObject({ tenant: a, version: 1, createdBy: 'boss' });

    for (const [method, url] of [
      ['GET', '/admin/policy'],
      ['GET', '/admin/policy/versions'],
      ['GET', '/admin/policy/versions/1'],
      ['PUT', '/admin/policy'],
    ] as const) {
      const res = await call(method, url, {
        tenant: b,
        key: adminA,
        ...(method === 'PUT' ? { body: policy({ roles: ['*'], actions: ['read'] }) } : {}),
      });
      expectProblem(res, 403);
      expect(res.body).not.toContain('b-secret-rule');
    }
    // A's view never shows B's policy; B's is unchanged.
    const seenFromA = await call('GET', '/admin/policy', { tenant: a, key: adminA });
    expect(seenFromA.body).not.toContain('b-secret-rule');
    const bNow = (await call('GET', '/admin/policy', { tenant: b })).json() as View;
    expect(bNow).toMatchObject({ version: 1, document: bPolicy });
  });

  it('a tenant administrator who writes itself out of admin loses the admin API (the platform admin keeps it)', async () => {
    const t = tenant();
    const boss = await principalWithKey(t, 'boss', ['admin']);
    const put = await call('PUT', '/admin/policy', {
      tenant: t,
      key: boss,
      body: { rules: [{ roles: ['admin'], actions: ['read'] }] },
    });
    expect(put.statusCode, put.body).toBe(200);
    expectProblem(await call('GET', '/admin/policy', { tenant: t, key: boss }), 403);
    const restored = await call('PUT', '/admin/policy', { tenant: t, body: policy() });
    expect(restored.statusCode).toBe(200);
    expect((await call('GET', '/admin/policy', { tenant: t, key: boss })).statusCode).toBe(200);
  });
});
