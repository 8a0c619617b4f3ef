// The admin API for principals (issue #4): create, list, retrieve, change, delete — with validation
// errors as ProblemDetails, 404s, the effect of disabling and deleting on the principal's keys and
// subscriptions, and tenant isolation against a tenant administrator of another tenant.
import { describe, expect, it } from 'vitest';
import { adminClient, expectProblem, tenant } from './admin-client.js';

const { call, createPrincipal, principalWithKey, tenantAdmin, seed } = adminClient();

describe('create and read principals', () => {
  it('creates a principal: 201, Location, the record; it is listed and retrievable', async () => {
    const t = tenant();
    const res = await call('POST', '/admin/principals', {
      tenant: t,
      body: {
        id: 'ana@city.example',
        kind: 'user',
        roles: ['viewer', 'editor'],
        description: 'Ana, GIS team',
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers.location).toBe(`/admin/principals/${encodeURIComponent('ana@city.example')}`);
    const record = res.json();
    expect(record).toEqual({
      id: 'ana@city.example',
      tenant: t,
      kind: 'user',
      roles: ['viewer', 'editor'],
      description: 'Ana, GIS team',
      disabled: false,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const one = await call('GET', res.headers.location as string, { tenant: t });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual(record);
    await createPrincipal(t, 'ingest-svc', ['editor']);
    const list = await call('GET', '/admin/principals', { tenant: t });
    expect(list.statusCode).toBe(200);
    expect((list.json() as Array<{ id: string }>).map((p) => p.id)).toEqual([
      'ana@city.example',
      'ingest-svc',
    ]);
  });

  it('a service account without roles is allowed (it can do nothing until given one)', async () => {
    const t = tenant();
    const res = await call('POST', '/admin/principals', {
      tenant: t,
      body: { id: 'bot', kind: 'service', roles: [] },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'service', roles: [] });
  });

  it('refuses a second principal with the same id: 409', async () => {
    const t = tenant();
    await createPrincipal(t, 'dup', ['viewer']);
    const again = await call('POST', '/admin/principals', {
      tenant: t,
      body: { id: 'dup', kind: 'user', roles: [] },
    });
    expectProblem(again, 409, /already exists/);
  });

  it('refuses malformed bodies with 400 ProblemDetails that say what is wrong', async () => {
    const t = tenant();
    const cases: Array<[unknown, RegExp]> = [
      [{ kind: 'user', roles: [] }, /\bid\b/],
      [{ id: 'a', kind: 'user' }, /roles/],
      [{ id: 'a', kind: 'robot', roles: [] }, /kind.*user, service/],
      [{ id: 'a', kind: 'user', roles: ['viewer'], admin: true }, /unknown member admin/],
      [{ id: 'a', kind: 'user', roles: 'viewer' }, /roles/],
      [{ id: 'a', kind: 'user', roles: [42] }, /roles/],
      [{ id: 'has space', kind: 'user', roles: [] }, /principal id/],
      [{ id: '', kind: 'user', roles: [] }, /principal id/],
      [{ id: 'a', kind: 'user', roles: ['bad role!'] }, /role name/],
      [{ id: 'a', kind: 'user', roles: [], description: 'x'.repeat(501) }, /description/],
      [[{ id: 'a', kind: 'user', roles: [] }], /object/],
    ];
    for (const [body, detail] of cases) {
      expectProblem(await call('POST', '/admin/principals', { tenant: t, body }), 400, detail);
    }
    const list = await call('GET', '/admin/principals', { tenant: t });
    expect(list.json()).toEqual([]);
  });

  it('refuses unknown query parameters and a bad tenant name with 400', async () => {
    expectProblem(await call('GET', '/admin/principals?limit=5'), 400, /unknown query parameter limit/);
    expectProblem(await call('GET', '/admin/principals/x?pretty=1'), 400, /unknown query parameter pretty/);
    expectProblem(await call('GET', '/admin/principals', { tenant: '../etc' }), 400, /NGSILD-Tenant/);
  });

  it('answers 404 for a principal that does not exist', async () => {
    const t = tenant();
    expectProblem(await call('GET', '/admin/principals/ghost', { tenant: t }), 404, /ghost/);
    expectProblem(
      await call('PATCH', '/admin/principals/ghost', { tenant: t, body: { roles: ['viewer'] } }),
      404,
    );
    expectProblem(await call('DELETE', '/admin/principals/ghost', { tenant: t }), 404);
  });
});

describe('change principals', () => {
  it('changes roles and description; the new roles take effect on the next request', async () => {
    const t = tenant();
    await seed(t);
    const key = await principalWithKey(t, 'kim', []);
    expect((await call('GET', '/ngsi-ld/v1/types', { tenant: t, key })).statusCode).toBe(403);
    const res = await call('PATCH', '/admin/principals/kim', {
      tenant: t,
      body: { roles: ['viewer'], description: 'Kim, traffic centre' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: 'kim', roles: ['viewer'], description: 'Kim, traffic centre' });
    expect((await call('GET', '/ngsi-ld/v1/types', { tenant: t, key })).statusCode).toBe(200);
  });

  it('a disabled principal’s keys are refused (401); enabling it again lets them in', async () => {
    const t = tenant();
    await seed(t);
    const key = await principalWithKey(t, 'lee', ['viewer']);
    expect((await call('GET', '/ngsi-ld/v1/types', { tenant: t, key })).statusCode).toBe(200);
    const off = await call('PATCH', '/admin/principals/lee', { tenant: t, body: { disabled: true } });
    expect(off.json()).toMatchObject({ disabled: true });
    expectProblem(await call('GET', '/ngsi-ld/v1/types', { tenant: t, key }), 401);
    await call('PATCH', '/admin/principals/lee', { tenant: t, body: { disabled: false } });
    expect((await call('GET', '/ngsi-ld/v1/types', { tenant: t, key })).statusCode).toBe(200);
  });

  it('refuses an empty change, unknown members and wrong types with 400, changing nothing', async () => {
    const t = tenant();
    await createPrincipal(t, 'max', ['viewer']);
    const url = '/admin/principals/max';
    expectProblem(await call('PATCH', url, { tenant: t, body: {} }), 400);
    expectProblem(
      await call('PATCH', url, { tenant: t, body: { kind: 'service' } }),
      400,
      /unknown member kind/,
    );
    expectProblem(
      await call('PATCH', url, { tenant: t, body: { tenant: 'other' } }),
      400,
      /unknown member tenant/,
    );
    expectProblem(await call('PATCH', url, { tenant: t, body: { disabled: 'yes' } }), 400, /disabled/);
    expectProblem(await call('PATCH', url, { tenant: t, body: { roles: ['ok', 'not ok'] } }), 400, /role/);
    const back = await call('GET', url, { tenant: t });
    expect(back.json()).toMatchObject({ kind: 'user', tenant: t, roles: ['viewer'], disabled: false });
  });
});

describe('delete principals', () => {
  it('deletes it (204), revokes its keys and deletes its subscriptions', async () => {
    const t = tenant();
    await seed(t);
    const key = await principalWithKey(t, 'sam', ['viewer']);
    const sub = await call('POST', '/ngsi-ld/v1/subscriptions', {
      tenant: t,
      key,
      body: {
        id: 'urn:ngsi-ld:Subscription:sam',
        type: 'Subscription',
        entities: [{ type: 'Thing' }],
        notification: { endpoint: { uri: 'http://127.0.0.1:9/notify' } },
      },
    });
    expect(sub.statusCode, sub.body).toBe(201);
    // Another principal's subscription in the same tenant must survive.
    const other = await call('POST', '/ngsi-ld/v1/subscriptions', {
      tenant: t,
      body: {
        id: 'urn:ngsi-ld:Subscription:admin',
        type: 'Subscription',
        entities: [{ type: 'Thing' }],
        notification: { endpoint: { uri: 'http://127.0.0.1:9/notify' } },
      },
    });
    expect(other.statusCode, other.body).toBe(201);

    const res = await call('DELETE', '/admin/principals/sam', { tenant: t });
    expect(res.statusCode, res.body).toBe(204);
    expect(res.body).toBe('');
    expectProblem(await call('GET', '/admin/principals/sam', { tenant: t }), 404);
    expectProblem(await call('GET', '/ngsi-ld/v1/types', { tenant: t, key }), 401);
    const keys = (await call('GET', '/admin/keys', { tenant: t })).json() as Array<{
      principal: string;
      state: string;
    }>;
    expect(keys.filter((k) => k.principal === 'sam').map((k) => k.state)).toEqual(['revoked']);
    const subs = (await call('GET', '/ngsi-ld/v1/subscriptions', { tenant: t })).json() as Array<{
      id: string;
    }>;
    expect(subs.map((s) => s.id)).toEqual(['urn:ngsi-ld:Subscription:admin']);
    expectProblem(await call('DELETE', '/admin/principals/sam', { tenant: t }), 404);
  });

  it('a principal of the same id can be made again, without the old keys', async () => {
    const t = tenant();
    await seed(t);
    const old = await principalWithKey(t, 'reborn', ['viewer']);
    expect((await call('DELETE', '/admin/principals/reborn', { tenant: t })).statusCode).toBe(204);
    await createPrincipal(t, 'reborn', ['viewer']);
    expectProblem(await call('GET', '/ngsi-ld/v1/types', { tenant: t, key: old }), 401);
  });
});

describe('who may manage principals', () => {
  it('anonymous callers get 401, principals without the admin action 403', async () => {
    const t = tenant();
    expectProblem(await call('GET', '/admin/principals', { tenant: t, key: null }), 401);
    expectProblem(
      await call('POST', '/admin/principals', {
        tenant: t,
        key: null,
        body: { id: 'x', kind: 'user', roles: ['admin'] },
      }),
      401,
    );
    expectProblem(await call('GET', '/admin/principals', { tenant: t, key: 'urbis_not-a-real-key' }), 401);
    for (const role of ['viewer', 'editor', 'operator']) {
      const key = await principalWithKey(t, role, [role]);
      expectProblem(await call('GET', '/admin/principals', { tenant: t, key }), 403);
      expectProblem(
        await call('POST', '/admin/principals', {
          tenant: t,
          key,
          body: { id: `${role}-2`, kind: 'user', roles: ['admin'] },
        }),
        403,
      );
      expectProblem(
        await call('PATCH', `/admin/principals/${role}`, { tenant: t, key, body: { roles: ['admin'] } }),
        403,
      );
    }
    const roles = (await call('GET', '/admin/principals/viewer', { tenant: t })).json() as {
      roles: string[];
    };
    expect(roles.roles).toEqual(['viewer']);
  });

  it('a tenant administrator manages its own tenant’s principals', async () => {
    const t = tenant();
    const key = await tenantAdmin(t);
    await createPrincipal(t, 'new-hire', ['viewer'], { key });
    const list = await call('GET', '/admin/principals', { tenant: t, key });
    expect((list.json() as Array<{ id: string }>).map((p) => p.id)).toEqual(['new-hire', 'tenant-admin']);
    expect(
      (await call('PATCH', '/admin/principals/new-hire', { tenant: t, key, body: { roles: ['editor'] } }))
        .statusCode,
    ).toBe(200);
    expect((await call('DELETE', '/admin/principals/new-hire', { tenant: t, key })).statusCode).toBe(204);
  });

  it('a tenant administrator of A cannot see or touch the principals of B', async () => {
    const [a, b] = [tenant(), tenant()];
    const keyA = await tenantAdmin(a);
    await createPrincipal(b, 'b-user', ['viewer']);
    // Addressing B with A's credential: refused at the gate, no data.
    for (const [method, url, body] of [
      ['GET', '/admin/principals', undefined],
      ['GET', '/admin/principals/b-user', undefined],
      ['POST', '/admin/principals', { id: 'intruder', kind: 'user', roles: ['admin'] }],
      ['PATCH', '/admin/principals/b-user', { roles: ['admin'] }],
      ['DELETE', '/admin/principals/b-user', undefined],
    ] as const) {
      const res = await call(method, url, { tenant: b, key: keyA, body });
      expectProblem(res, 403);
      expect(res.body).not.toContain('b-user');
    }
    // Addressing its own tenant with B's principal id: it is simply not there.
    expectProblem(await call('GET', '/admin/principals/b-user', { tenant: a, key: keyA }), 404);
    expectProblem(
      await call('PATCH', '/admin/principals/b-user', { tenant: a, key: keyA, body: { roles: ['admin'] } }),
      404,
    );
    expectProblem(await call('DELETE', '/admin/principals/b-user', { tenant: a, key: keyA }), 404);
    const listA = (await call('GET', '/admin/principals', { tenant: a, key: keyA })).json() as Array<{
      id: string;
    }>;
    expect(listA.map((p) => p.id)).toEqual(['tenant-admin']);
    // B is unchanged.
    const listB = (await call('GET', '/admin/principals', { tenant: b })).json() as Array<{
      id: string;
      roles: string[];
    }>;
    expect(listB).toEqual([expect.objectContaining({ id: 'b-user', roles: ['viewer'] })]);
  });

  it('principals of the same id in two tenants are different principals', async () => {
    const [a, b] = [tenant(), tenant()];
    await seed(a);
    await seed(b);
    const keyA = await principalWithKey(a, 'same', ['viewer']);
    await createPrincipal(b, 'same', ['editor']);
    expectProblem(await call('GET', '/ngsi-ld/v1/types', { tenant: b, key: keyA }), 403);
    expect((await call('DELETE', '/admin/principals/same', { tenant: a })).statusCode).toBe(204);
    expect((await call('GET', '/admin/principals/same', { tenant: b })).json()).toMatchObject({
      roles: ['editor'],
    });
  });
});
