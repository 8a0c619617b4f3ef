// The alerts HTTP API in the app as wired (reactor → alerts.observe, routes, the security table): rules CRUD with 400s naming the member, alerts listed
// newest first with NGSILD-Results-Count, acknowledge and clear (audited), and a viewer may read but
// not change rules or alerts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Alerts } from '../../src/alerts/alerts.js';
import type { Governance } from '../../src/governance/governance.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { expectProblem } from '../admin/admin-client.js';
import { testKit } from '../support/app.js';

const TENANT = 'city-a';
const DC = 'https://uri.etsi.org/ngsi-ld/default-context/';
let app: FastifyInstance;
let store: SqliteStore;
let governance: Governance;
let alerts: Alerts;

beforeAll(async () => {
  const kit = await testKit();
  app = kit.app;
  governance = kit.governance;
  store = kit.store;
  alerts = app.alerts;
});
afterAll(async () => {
  await app.close();
});

const call = (
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  o: { body?: unknown; key?: string } = {},
) =>
  app.inject({
    method,
    url,
    headers: {
      'ngsild-tenant': TENANT,
      ...(o.key !== undefined ? { authorization: `Bearer ${o.key}` } : {}),
    },
    ...(o.body !== undefined ? { payload: o.body as object } : {}),
  });

async function keyWithRoles(id: string, roles: string[]): Promise<string> {
  await governance.identity.createPrincipal({ tenant: TENANT, id, kind: 'user', roles });
  return (await governance.identity.createKey({ tenant: TENANT, principalId: id })).secret;
}

const rule = {
  id: 'pm25-high',
  name: 'PM2.5 above 35 µg/m³',
  severity: 'high',
  scope: { type: 'AirQualityObserved' },
  condition: { kind: 'threshold', attribute: 'pm25', op: '>', value: 35, clear: 30 },
};

async function reading(id: string, pm25: number): Promise<void> {
  const res = await app.inject({
    method: 'POST',
    url: '/ngsi-ld/v1/entityOperations/upsert?options=update',
    headers: { 'ngsild-tenant': TENANT, 'content-type': 'application/json' },
    payload: [{ id, type: 'AirQualityObserved', pm25: { type: 'Property', value: pm25 } }],
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    await alerts.engine.idle();
  }
}

describe('rules', () => {
  it('POST 201 + Location, GET as written, PUT replaces (200) or creates (201), list, DELETE 204', async () => {
    const created = await call('POST', '/alerts/rules', { body: rule });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers.location).toBe('/alerts/rules/pm25-high');
    expect(created.json()).toEqual({
      ...rule,
      createdAt: expect.any(String),
      modifiedAt: expect.any(String),
    });
    expectProblem(await call('POST', '/alerts/rules', { body: rule }), 409);

    const read = await call('GET', '/alerts/rules/pm25-high');
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject(rule);

    const replaced = await call('PUT', '/alerts/rules/pm25-high', {
      body: { ...rule, id: undefined, severity: 'critical' },
    });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json()).toMatchObject({ id: 'pm25-high', severity: 'critical' });
    const put = await call('PUT', '/alerts/rules/offline', {
      body: {
        name: 'Offline',
        severity: 'medium',
        scope: { type: 'Device' },
        condition: { kind: 'deviceOffline' },
      },
    });
    expect(put.statusCode, put.body).toBe(201);
    expect(put.headers.location).toBe('/alerts/rules/offline');

    const list = await call('GET', '/alerts/rules');
    expect((list.json() as Array<{ id: string }>).map((r) => r.id)).toEqual(['offline', 'pm25-high']);
    // Rules are AlertRule entities, visible through NGSI-LD too.
    const entity = await app.inject({
      url: '/ngsi-ld/v1/entities/urn:ngsi-ld:AlertRule:offline',
      headers: { 'ngsild-tenant': TENANT },
    });
    expect(entity.statusCode).toBe(200);

    expect((await call('DELETE', '/alerts/rules/offline')).statusCode).toBe(204);
    expectProblem(await call('DELETE', '/alerts/rules/offline'), 404);
    expectProblem(await call('GET', '/alerts/rules/offline'), 404);
  });

  it('a rule with notify gets a subscription; an endpoint the SSRF guard refuses fails the request', async () => {
    const refused = await call('POST', '/alerts/rules', {
      body: { ...rule, id: 'ssrf', notify: { endpoint: 'http://10.1.2.3/hook' } },
    });
    expectProblem(refused, 400, /rule\.notify\.endpoint/);
    expectProblem(await call('GET', '/alerts/rules/ssrf'), 404);
    const ok = await call('POST', '/alerts/rules', {
      body: { ...rule, id: 'hooked', notify: { endpoint: 'http://127.0.0.1:9/hook' } },
    });
    expect(ok.statusCode, ok.body).toBe(201);
    const subs = await store.subscriptions.list(TENANT, 100, 0);
    expect(subs.items.map((r) => r.subscription.id)).toEqual([
      expect.stringMatching(/^urn:ngsi-ld:Subscription:AlertRule:hooked:/),
    ]);
    expect((await call('DELETE', '/alerts/rules/hooked')).statusCode).toBe(204);
    expect((await store.subscriptions.list(TENANT, 100, 0)).count).toBe(0);
  });

  it('refuses bad documents and URLs with 400 ProblemDetails naming the member', async () => {
    expectProblem(
      await call('POST', '/alerts/rules', { body: { ...rule, id: 'x', colour: 'red' } }),
      400,
      /unknown member colour/,
    );
    expectProblem(
      await call('POST', '/alerts/rules', {
        body: { ...rule, id: 'x', condition: { ...rule.condition, op: '!=' } },
      }),
      400,
      /rule\.condition\.op/,
    );
    expectProblem(
      await call('POST', '/alerts/rules', { body: { ...rule, id: 'x', scope: {} } }),
      400,
      /rule\.scope/,
    );
    expectProblem(await call('POST', '/alerts/rules', { body: [rule] }), 400);
    expectProblem(
      await call('PUT', '/alerts/rules/one', { body: { ...rule, id: 'two' } }),
      400,
      /does not match the path/,
    );
    expectProblem(await call('PUT', '/alerts/rules/bad%20id', { body: rule }), 400, /ruleId/);
    expectProblem(await call('GET', '/alerts/rules?x=1'), 400, /unknown query parameter x/);
    expectProblem(await call('GET', '/alerts?status=open'), 400, /status/);
    expectProblem(await call('GET', '/alerts?limit=0'), 400, /limit/);
  });
});

describe('alerts', () => {
  it('lists alerts newest first with a count and a status filter; acknowledge and clear are audited', async () => {
    await call('PUT', '/alerts/rules/pm25-high', { body: rule });
    await reading('urn:ngsi-ld:AirQualityObserved:a', 50);
    await reading('urn:ngsi-ld:AirQualityObserved:b', 60);
    const all = await call('GET', '/alerts?status=active,acknowledged');
    expect(all.statusCode, all.body).toBe(200);
    expect(all.headers['ngsild-results-count']).toBe('2');
    const items = all.json() as Array<{ id: string; alertSource: string; status: string }>;
    expect(items.map((a) => a.alertSource)).toEqual([
      'urn:ngsi-ld:AirQualityObserved:b',
      'urn:ngsi-ld:AirQualityObserved:a',
    ]);
    expect(items[0]).toMatchObject({
      type: 'Alert',
      status: 'active',
      severity: 'high',
      value: 60,
      rule: 'urn:ngsi-ld:AlertRule:pm25-high',
    });

    const id = encodeURIComponent(items[1]?.id as string);
    const acked = await call('POST', `/alerts/${id}/acknowledge`);
    expect(acked.statusCode, acked.body).toBe(200);
    expect(acked.json()).toMatchObject({ status: 'acknowledged', acknowledgedBy: expect.any(String) });
    const cleared = await call('POST', `/alerts/${id}/clear`);
    expect(cleared.json()).toMatchObject({ status: 'cleared', clearedBy: expect.any(String) });
    expectProblem(await call('POST', `/alerts/${id}/acknowledge`), 409, /cleared/);
    expect((await call('GET', `/alerts/${id}`)).json()).toMatchObject({ status: 'cleared' });

    const active = await call('GET', '/alerts?status=active&limit=10&offset=0');
    expect(active.headers['ngsild-results-count']).toBe('1');
    const page = await call('GET', '/alerts?limit=1&offset=1');
    expect(page.headers['ngsild-results-count']).toBe('2');
    expect((page.json() as Array<{ id: string }>).map((a) => a.id)).toEqual([items[1]?.id]);
    // The Alert entities answer NGSI-LD queries too.
    const q = await app.inject({
      url: '/ngsi-ld/v1/entities?type=Alert&q=status==%22cleared%22',
      headers: { 'ngsild-tenant': TENANT },
    });
    expect((q.json() as unknown[]).length).toBe(1);

    expectProblem(await call('POST', `/alerts/${encodeURIComponent('urn:ngsi-ld:Alert:none')}/clear`), 404);
    await governance.audit.flush();
    const actions = (await store.governance.audit.read({ limit: 10_000 })).map(
      (e) => (e as { action: string }).action,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        'alert-rule.create',
        'alert-rule.put',
        'alert-rule.delete',
        'alert.acknowledge',
        'alert.clear',
      ]),
    );
    expect(DC).toBeDefined();
  });

  it('a viewer may read rules and alerts but not change them; an operator may', async () => {
    const viewer = await keyWithRoles('viewer-1', ['viewer']);
    const operator = await keyWithRoles('operator-1', ['operator']);
    expect((await call('GET', '/alerts/rules', { key: viewer })).statusCode).toBe(200);
    expect((await call('GET', '/alerts', { key: viewer })).statusCode).toBe(200);
    expectProblem(await call('POST', '/alerts/rules', { key: viewer, body: { ...rule, id: 'v' } }), 403);
    expectProblem(await call('PUT', '/alerts/rules/pm25-high', { key: viewer, body: rule }), 403);
    expectProblem(await call('DELETE', '/alerts/rules/pm25-high', { key: viewer }), 403);
    await reading('urn:ngsi-ld:AirQualityObserved:c', 70);
    const [latest] = (await call('GET', '/alerts?status=active', { key: viewer })).json() as Array<{
      id: string;
    }>;
    const id = encodeURIComponent(latest?.id as string);
    expectProblem(await call('POST', `/alerts/${id}/acknowledge`, { key: viewer }), 403);
    const acked = await call('POST', `/alerts/${id}/acknowledge`, { key: operator });
    expect(acked.statusCode, acked.body).toBe(200);
    expect(acked.json()).toMatchObject({ acknowledgedBy: 'operator-1' });
    expectProblem(await call('GET', '/alerts', { key: 'urbis_nonsense' }), 401);
    // The routes are documented under the Alerts tag.
    const doc = (await app.inject({ url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    expect(doc.paths['/alerts/rules']?.post?.tags).toEqual(['Alerts']);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/alerts', '/alerts/{alertId}/acknowledge']),
    );
    // Another tenant sees none of it.
    const other = await app.inject({ url: '/alerts/rules', headers: { 'ngsild-tenant': 'city-b' } });
    expect(other.json()).toEqual([]);
  });
});
