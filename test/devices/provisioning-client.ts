/**
 * The provisioning API as its tests call it: requests in tenant TENANT as the platform administrator
 * (or with a given key), CSV bodies, keys of principals with given roles, the audit log.
 */
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { TENANT, type DeviceTestKit } from '../support/devices.js';

export interface Call {
  tenant?: string;
  /** An API key; undefined: the platform administrator. */
  key?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Issued {
  id: string;
  kind: string;
  secret?: string;
  username?: string;
  password?: string;
}

export interface Report {
  created: Array<{ id: string; credential?: Issued }>;
  failed: Array<{ row?: number; line?: number; id?: string; error: string }>;
}

export function provisioningClient(kit: () => DeviceTestKit) {
  let seq = 0;
  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, o: Call = {}) => {
    const headers: Record<string, string> = { 'ngsild-tenant': o.tenant ?? TENANT, ...o.headers };
    if (o.key !== undefined) headers.authorization = `Bearer ${o.key}`;
    return kit().app.inject({
      method,
      url,
      headers,
      ...(o.body !== undefined ? { payload: o.body as object | string } : {}),
    });
  };
  return {
    /** A fresh device id per use, so that tests sharing the app never collide. */
    fresh: (prefix = 'dev') => `${prefix}-${++seq}`,
    call,
    csv: (text: string, o: Call = {}) =>
      call('POST', '/devices', { ...o, body: text, headers: { 'content-type': 'text/csv', ...o.headers } }),
    /** A key of a new principal of TENANT with these roles. */
    keyWithRoles: async (id: string, roles: string[]): Promise<string> => {
      const identity = kit().governance.identity;
      await identity.createPrincipal({ tenant: TENANT, id, kind: 'user', roles });
      return (await identity.createKey({ tenant: TENANT, principalId: id })).secret;
    },
    auditLog: async () => {
      await kit().governance.audit.flush();
      return kit().store.governance.audit.read({ limit: 100_000 });
    },
    expectNoStore: (res: LightMyRequestResponse): void => {
      expect(res.headers['cache-control']).toBe('no-store');
    },
  };
}
