// Operational endpoints beside the NGSI-LD API: health, readiness, Prometheus metrics, OpenAPI document;
// and which of them an anonymous caller reaches since access control (issue #4).
import { describe, expect, it } from 'vitest';
import { expectStatus, useBroker } from './harness.js';

const b = useBroker();

describe('ops endpoints', () => {
  it('GET /health → 200', async () => {
    expectStatus(await b.call('GET', '/health'), 200);
  });

  it('GET /ready → 200', async () => {
    expectStatus(await b.call('GET', '/ready'), 200);
  });

  it('GET /metrics → Prometheus text exposition', async () => {
    await b.call('GET', 'entities?type=Building');
    const res = await b.call('GET', '/metrics');
    expectStatus(res, 200);
    expect(res.headers.get('content-type') ?? '').toMatch(/^text\/plain/);
    expect(res.text).toMatch(/^# (HELP|TYPE) \w+/m);
    expect(res.text).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eEaNInf]+$/m);
    // `urbis serve` queries its SQLite store in a worker thread (--query-workers, default 1).
    expect(res.text).toMatch(/^urbis_query_workers 1$/m);
  });

  it('GET /openapi.json → an OpenAPI 3.1 document describing /ngsi-ld/v1/entities', async () => {
    const res = await b.call('GET', '/openapi.json');
    expectStatus(res, 200);
    expect(String(res.body.openapi)).toMatch(/^3\.1/);
    expect(res.body.paths['/ngsi-ld/v1/entities']).toBeDefined();
    expect(res.body.info?.title).toBeTruthy();
  });

  it('anonymous: /health, /ready and /openapi.json stay open; the API and /metrics answer 401 Bearer', async () => {
    for (const path of ['/health', '/ready', '/openapi.json']) {
      expectStatus(await b.call('GET', path, { anonymous: true }), 200);
    }
    for (const path of ['entities?type=Building', '/metrics']) {
      const res = await b.call('GET', path, { anonymous: true });
      expectStatus(res, 401);
      expect(res.headers.get('www-authenticate') ?? '').toMatch(/^Bearer/);
    }
    const wrong = await b.call('GET', 'entities?type=Building', {
      headers: { authorization: 'Bearer urbis_not-a-key-of-this-server-0123456789' },
    });
    expectStatus(wrong, 401);
  });
});
