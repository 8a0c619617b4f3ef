/**
 * The dashboard's server side (src/http/web/dashboard.ts, src/http/admin/tenant-routes.ts): the built
 * page and its assets for anyone, with a CSP that lets MapLibre's worker run; API paths never answered
 * by the page; /dashboard/config; an operator's PMTiles basemap served by byte range; the tenant list
 * for platform administrators only.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKit, type TestKit } from '../support/app.js';
import { makeCallers } from '../security/principals.js';

const dir = mkdtempSync(join(tmpdir(), 'urbis-dashboard-'));
const built = join(dir, 'dist');
const basemap = join(dir, 'city.pmtiles');
let kit: TestKit;

beforeAll(async () => {
  mkdirSync(join(built, 'assets'), { recursive: true });
  writeFileSync(
    join(built, 'index.html'),
    '<!doctype html><title>Urbis</title><script type="module" src="./assets/app-1.js"></script>',
  );
  writeFileSync(join(built, 'assets', 'app-1.js'), 'console.log("urbis")');
  writeFileSync(basemap, Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256)));
  kit = await testKit({
    dashboard: {
      config: { defaultTenant: 'demo', demo: true, oidc: null },
      basemapFile: basemap,
      dir: built,
    },
  });
});
afterAll(async () => {
  await kit.app.close();
  rmSync(dir, { recursive: true, force: true });
});

const anonymous = { authorization: undefined } as unknown as Record<string, string>;

describe('the dashboard routes', () => {
  it('serves the page and its assets to anyone, with a CSP that allows blob workers and nothing foreign', async () => {
    const page = await kit.app.inject({ method: 'GET', url: '/', headers: anonymous });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('<title>Urbis</title>');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:\/\//);
    const asset = await kit.app.inject({ method: 'GET', url: '/assets/app-1.js', headers: anonymous });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
  });

  it('never answers an API path or an unknown file with the page', async () => {
    const api = await kit.app.inject({
      method: 'GET',
      url: '/ngsi-ld/v1/entities?type=X',
      headers: anonymous,
    });
    expect(api.statusCode).toBe(401);
    expect(api.json()).toMatchObject({ status: 401 });
    const missing = await kit.app.inject({ method: 'GET', url: '/assets/nope.js', headers: anonymous });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).not.toContain('<title>Urbis</title>');
    const escape = await kit.app.inject({
      method: 'GET',
      url: '/assets/..%2f..%2fcity.pmtiles',
      headers: anonymous,
    });
    expect([400, 403, 404]).toContain(escape.statusCode);
  });

  it('tells the dashboard its default tenant, the demo, OIDC and the basemap', async () => {
    const res = await kit.app.inject({ method: 'GET', url: '/dashboard/config', headers: anonymous });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      defaultTenant: 'demo',
      demo: true,
      oidc: null,
      basemap: '/basemap.pmtiles',
    });
  });

  it('serves the basemap by byte range, as the PMTiles reader asks', async () => {
    const range = await kit.app.inject({
      method: 'GET',
      url: '/basemap.pmtiles',
      headers: { ...anonymous, range: 'bytes=10-19' },
    });
    expect(range.statusCode).toBe(206);
    expect(range.headers['content-range']).toBe('bytes 10-19/1000');
    expect([...range.rawPayload]).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const whole = await kit.app.inject({ method: 'GET', url: '/basemap.pmtiles', headers: anonymous });
    expect(whole.statusCode).toBe(200);
    expect(whole.rawPayload.length).toBe(1000);
    const beyond = await kit.app.inject({
      method: 'GET',
      url: '/basemap.pmtiles',
      headers: { ...anonymous, range: 'bytes=5000-6000' },
    });
    expect(beyond.statusCode).toBe(416);
  });

  it('says how to build the page when web/dist is missing, and serves the API all the same', async () => {
    const bare = await testKit({
      dashboard: { config: { defaultTenant: '', demo: false, oidc: null }, dir: join(dir, 'none') },
    });
    const res = await bare.app.inject({ method: 'GET', url: '/', headers: anonymous });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('npm run build');
    const basemapOff = await bare.app.inject({ method: 'GET', url: '/basemap.pmtiles', headers: anonymous });
    expect(basemapOff.statusCode).toBe(404);
    await bare.app.close();
  });

  it('lists the tenants to the platform administrator only', async () => {
    const callers = await makeCallers(kit.governance, ['city-a']);
    const created = await kit.app.inject({
      method: 'POST',
      url: '/ngsi-ld/v1/entities',
      headers: { 'ngsild-tenant': 'city-a' },
      payload: { id: 'urn:ngsi-ld:X:1', type: 'X' },
    });
    expect(created.statusCode).toBe(201);
    const list = await kit.app.inject({ method: 'GET', url: '/admin/tenants' });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toContain('city-a');
    const tenantAdmin = callers.find((c) => c.name === 'admin-city-a')!;
    const refused = await kit.app.inject({
      method: 'GET',
      url: '/admin/tenants',
      headers: { authorization: tenantAdmin.authorization!, 'ngsild-tenant': 'city-a' },
    });
    expect(refused.statusCode).toBe(403);
  });
});
