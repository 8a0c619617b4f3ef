// ETSI GS CIM 009 clause 4.14 (multi-tenancy) and 6.3.14 (NGSILD-Tenant header): derived from ETSI
// tests 414_01 and 5510_01.
import { describe, expect, it } from 'vitest';
import { expectProblem, expectStatus, tenant, uid, useBroker } from './harness.js';
import { building } from './fixtures.js';

const b = useBroker();
const enc = encodeURIComponent;

async function createIn(t: string | undefined, id: string): Promise<void> {
  const res = await b.call('POST', 'entities', { body: building(id), tenant: t });
  expectStatus(res, 201);
}

describe('414 tenancy', () => {
  it('414_01_01 Tenant information is isolated and the header is echoed', async () => {
    const a = tenant();
    const id = uid('Vehicle');
    const created = await b.call('POST', 'entities', { body: building(id), tenant: a });
    expectStatus(created, 201);
    expect(created.headers.get('ngsild-tenant')).toBe(a);
    const inA = await b.call('GET', `entities/${enc(id)}`, { tenant: a });
    expectStatus(inA, 200);
    expect(inA.headers.get('ngsild-tenant')).toBe(a);
    const inDefault = await b.call('GET', `entities/${enc(id)}`);
    expectProblem(inDefault, 404, 'ResourceNotFound');
  });

  it('414_01_02 Another (existing) tenant cannot see the entity', async () => {
    const [a, bt] = [tenant(), tenant()];
    const id = uid('Vehicle');
    await createIn(a, id);
    await createIn(bt, uid('Vehicle'));
    expectProblem(await b.call('GET', `entities/${enc(id)}`, { tenant: bt }), 404, 'ResourceNotFound');
    const q = await b.call('GET', `entities?type=Building&id=${enc(id)}`, { tenant: bt });
    expectStatus(q, 200);
    expect(q.body).toEqual([]);
  });

  it('414_01_x an entity of the default tenant is invisible in a named tenant', async () => {
    const [bt, id] = [tenant(), uid('Vehicle')];
    await createIn(undefined, id);
    await createIn(bt, uid('Vehicle'));
    expectProblem(await b.call('GET', `entities/${enc(id)}`, { tenant: bt }), 404, 'ResourceNotFound');
  });

  it('414_01_x the same id may exist in two tenants independently', async () => {
    const [a, bt, id] = [tenant(), tenant(), uid('Vehicle')];
    await createIn(a, id);
    await createIn(bt, id);
    expectStatus(await b.call('DELETE', `entities/${enc(id)}`, { tenant: a }), 204);
    expectStatus(await b.call('GET', `entities/${enc(id)}`, { tenant: bt }), 200);
  });

  it('414_01_x updates in one tenant never change another tenant', async () => {
    const [a, bt, id] = [tenant(), tenant(), uid('Vehicle')];
    await createIn(a, id);
    await createIn(bt, id);
    const patch = await b.call('PATCH', `entities/${enc(id)}/attrs`, {
      body: { name: { type: 'Property', value: 'Only A' } },
      tenant: a,
    });
    expectStatus(patch, 204);
    const other = await b.call('GET', `entities/${enc(id)}?options=keyValues`, { tenant: bt });
    expect(other.body.name).toBe('Tour Part-Dieu');
  });

  it('414_01_x batch operations stay inside their tenant', async () => {
    const [a, id] = [tenant(), uid('Vehicle')];
    const res = await b.call('POST', 'entityOperations/create', { body: [building(id)], tenant: a });
    expectStatus(res, 201);
    expectStatus(await b.call('GET', `entities/${enc(id)}`, { tenant: a }), 200);
    expectStatus(await b.call('GET', `entities/${enc(id)}`), 404);
  });

  it('5510_01_x reading an entity from a tenant that does not exist → 404 NonexistentTenant', async () => {
    const res = await b.call('GET', `entities/${enc(uid())}`, { tenant: tenant() });
    expectProblem(res, 404, 'NonexistentTenant');
  });

  it('5510_01_01 querying a tenant that does not exist → 404 NonexistentTenant, tenant echoed', async () => {
    const t = tenant();
    const res = await b.call('GET', 'entities?type=Building', { tenant: t });
    expectProblem(res, 404, 'NonexistentTenant');
    expect(res.headers.get('ngsild-tenant')).toBe(t);
  });

  it('5510_01_02 The Default Tenant Implicitly Exists', async () => {
    const res = await b.call('GET', 'entities?type=Building');
    expectStatus(res, 200);
    expect(res.text).not.toContain('NonexistentTenant');
  });

  it('5510_01_01b creating in a new tenant creates the tenant', async () => {
    const [a, id] = [tenant(), uid()];
    await createIn(a, id);
    const q = await b.call('GET', 'entities?type=Building', { tenant: a });
    expectStatus(q, 200);
    expect(q.body.map((e: { id: string }) => e.id)).toEqual([id]);
  });
});
