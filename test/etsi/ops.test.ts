// Operational endpoints beside the NGSI-LD API: health, readiness, Prometheus metrics, OpenAPI document.
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
  });

  it('GET /openapi.json → an OpenAPI 3.1 document describing /ngsi-ld/v1/entities', async () => {
    const res = await b.call('GET', '/openapi.json');
    expectStatus(res, 200);
    expect(String(res.body.openapi)).toMatch(/^3\.1/);
    expect(res.body.paths['/ngsi-ld/v1/entities']).toBeDefined();
    expect(res.body.info?.title).toBeTruthy();
  });
});
