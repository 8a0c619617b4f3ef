// Operations endpoints and the OpenAPI document.
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testApp } from '../../test/support/app.js';

let app: FastifyInstance;
beforeEach(async () => {
  app = await testApp();
});
afterEach(async () => {
  await app.close();
});

describe('operations', () => {
  it('/health and /ready answer 200', async () => {
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json().store).toBe('sqlite');
  });

  it('/metrics counts requests by route and status', async () => {
    await app.inject({ method: 'GET', url: '/ngsi-ld/v1/entities/urn:x:missing' });
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toMatch(
      /urbis_http_requests_total\{method="GET",route="\/ngsi-ld\/v1\/entities\/:entityId",status="404"\} 1/,
    );
    expect(text).toContain('urbis_http_request_duration_seconds_bucket');
  });

  it('an unknown path is a 404 ProblemDetails', async () => {
    const res = await app.inject({ method: 'GET', url: '/nothing/here' });
    expect(res.statusCode).toBe(404);
    expect(res.json().type).toBe('https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound');
  });
});

describe('OpenAPI', () => {
  it('/openapi.json is OpenAPI 3.1 and documents every NGSI-LD route with its parameters', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/ngsi-ld/v1/entities',
      '/ngsi-ld/v1/entities/{entityId}',
      '/ngsi-ld/v1/entities/{entityId}/attrs',
      '/ngsi-ld/v1/entities/{entityId}/attrs/{attrId}',
      '/ngsi-ld/v1/entityOperations/create',
      '/ngsi-ld/v1/entityOperations/upsert',
      '/ngsi-ld/v1/entityOperations/update',
      '/ngsi-ld/v1/entityOperations/delete',
      '/ngsi-ld/v1/entityOperations/merge',
      '/ngsi-ld/v1/entityOperations/query',
      '/ngsi-ld/v1/types',
      '/ngsi-ld/v1/attributes',
      '/ngsi-ld/v1/jsonldContexts',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    const params = doc.paths['/ngsi-ld/v1/entities'].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(expect.arrayContaining(['type', 'q', 'georel', 'limit', 'count', 'options']));
  });

  it('/docs serves the reference page', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<html');
  });
});
