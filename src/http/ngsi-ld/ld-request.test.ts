/**
 * The tenant of a request: NGSILD-Tenant; FIWARE's Fiware-Service when NGSILD-Tenant is absent; the
 * default tenant when neither is given; a 400 for a name outside the safe alphabet.
 */
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { tenantOf } from './ld-request.js';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as FastifyRequest;

describe('tenantOf', () => {
  it('reads NGSILD-Tenant first, then Fiware-Service, else the default tenant', () => {
    expect(tenantOf(request({ 'ngsild-tenant': 'valencia' }))).toBe('valencia');
    expect(tenantOf(request({ 'fiware-service': 'openiot' }))).toBe('openiot');
    expect(tenantOf(request({ 'ngsild-tenant': 'valencia', 'fiware-service': 'openiot' }))).toBe('valencia');
    expect(tenantOf(request({}))).toBe('');
  });

  it('refuses a tenant name outside the safe alphabet, from either header', () => {
    expect(() => tenantOf(request({ 'ngsild-tenant': '../etc' }))).toThrow(/NGSILD-Tenant/);
    expect(() => tenantOf(request({ 'fiware-service': 'a b' }))).toThrow(/Fiware-Service/);
  });
});
