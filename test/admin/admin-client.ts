/**
 * The client every admin API test (test/admin/*.test.ts) talks through: an in-process app made by
 * `adminClient` (one per file, or a fresh one per test), and `call`, which sends a request to a
 * tenant as the platform administrator, as the holder of an API key, or with no credential at all.
 * With it, the steps these tests keep taking — a principal, a key, an entity that makes a tenant
 * exist — and the check of a ProblemDetails answer, written once.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { ContextLoader } from '../../src/core/jsonld/context-resolver.js';
import { testKit, type TestAppOptions, type TestKit } from '../support/app.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Call {
  /** Sent as NGSILD-Tenant (none: the default tenant). */
  tenant?: string;
  /** An API key; undefined: the platform administrator; null: no credential at all. */
  key?: string | null;
  /** Sent as JSON (light-my-request sets application/json unless `headers` names a content type). */
  body?: unknown;
  /** Sent as X-Request-Id, so that the test can find the call's audit entry. */
  requestId?: string;
  /** More headers: a Link header, another content type. */
  headers?: Record<string, string>;
  /** Another app than the client's (one a test made for itself). */
  on?: FastifyInstance;
}

/** What POST /admin/keys answers. */
export interface CreatedKey {
  id: string;
  secret: string;
  prefix: string;
  principal: string;
  tenant: string;
  scopes: string[];
  createdAt: string;
  expiresAt?: string;
  state: string;
}

export interface AdminClient {
  /** The current kit (app, governance, store); only inside tests and hooks. */
  readonly kit: TestKit;
  call(method: Method, url: string, o?: Call): Promise<LightMyRequestResponse>;
  /** A principal of tenant `t` (kind user unless said), made through the API by `key` (or the platform admin). */
  createPrincipal(
    t: string,
    id: string,
    roles: string[],
    o?: { kind?: 'user' | 'service'; key?: string },
  ): Promise<void>;
  /** A key made through the API with this body (`principal` and the rest), by `key` or the platform admin. */
  createKey(t: string, body: Record<string, unknown>, key?: string): Promise<CreatedKey>;
  /** A user of `t` with these roles, and the secret of a key of theirs. */
  principalWithKey(t: string, id: string, roles: string[]): Promise<string>;
  /** A tenant administrator of `t` (principal `tenant-admin`), made through the API: its key. */
  tenantAdmin(t: string): Promise<string>;
  /** Make the tenant exist (NGSI-LD reads of a tenant without entities are 404 NonexistentTenant). */
  seed(t: string): Promise<void>;
}

/** A fresh tenant name per test, so that tests never see each other's data. */
export const tenant = (): string => `t-${randomUUID().slice(0, 8)}`;

/** An entity of type Thing with a fresh id. */
export const thing = () => ({
  id: `urn:ngsi-ld:Thing:${randomUUID()}`,
  type: 'Thing',
  name: { type: 'Property', value: 'x' },
});

/** A loader that knows one remote @context, `url`, holding `terms`. */
export function oneContext(url: string, terms: Record<string, string>): ContextLoader {
  return {
    load: async (asked) => {
      if (asked !== url) throw new Error(`unknown context ${asked}`);
      return { '@context': terms };
    },
  };
}

/** A ProblemDetails answer (JSON, with type and title) of this status, its detail matching. */
export function expectProblem(res: LightMyRequestResponse, status: number, detail?: RegExp): void {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json() as { type: string; title: string; status: number; detail: string };
  expect(body.status).toBe(status);
  expect(body.title).toEqual(expect.any(String));
  expect(body.type).toEqual(expect.any(String));
  if (detail) expect(body.detail).toMatch(detail);
}

/** Send one request to `app` as `o` says. */
export function send(app: FastifyInstance, method: Method, url: string, o: Call = {}) {
  const headers: Record<string, string | undefined> = { ...o.headers };
  if (o.tenant !== undefined) headers['ngsild-tenant'] = o.tenant;
  if (o.requestId !== undefined) headers['x-request-id'] = o.requestId;
  // An explicit undefined authorization keeps the test app from sending the administrator's key.
  if (o.key === null) headers.authorization = undefined;
  else if (o.key !== undefined) headers.authorization = `Bearer ${o.key}`;
  return app.inject({
    method,
    url,
    headers: headers as Record<string, string>,
    ...(o.body !== undefined ? { payload: o.body as object } : {}),
  });
}

/**
 * Registers the hooks that make the app — once for the file (`beforeAll`), or afresh for each test
 * (`beforeEach`) when tests must not see what the others stored — and close it; returns the client.
 */
export function adminClient(
  options: TestAppOptions = {},
  fresh: 'per file' | 'per test' = 'per file',
): AdminClient {
  let current: TestKit | undefined;
  const [before, after] = fresh === 'per file' ? [beforeAll, afterAll] : [beforeEach, afterEach];
  before(async () => {
    current = await testKit(options);
  });
  after(async () => {
    await current?.app.close();
    current = undefined;
  });
  const kit = (): TestKit => {
    if (current === undefined) throw new Error('the admin test app exists only inside tests and hooks');
    return current;
  };

  const call = (method: Method, url: string, o: Call = {}) => send(o.on ?? kit().app, method, url, o);

  const createPrincipal: AdminClient['createPrincipal'] = async (t, id, roles, o = {}) => {
    const body = { id, kind: o.kind ?? 'user', roles };
    const res = await call('POST', '/admin/principals', { tenant: t, key: o.key, body });
    expect(res.statusCode, res.body).toBe(201);
  };

  const createKey: AdminClient['createKey'] = async (t, body, key) => {
    const res = await call('POST', '/admin/keys', { tenant: t, key, body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as CreatedKey;
  };

  const principalWithKey: AdminClient['principalWithKey'] = async (t, id, roles) => {
    await createPrincipal(t, id, roles);
    return (await createKey(t, { principal: id })).secret;
  };

  return {
    get kit() {
      return kit();
    },
    call,
    createPrincipal,
    createKey,
    principalWithKey,
    tenantAdmin: (t) => principalWithKey(t, 'tenant-admin', ['admin']),
    seed: async (t) => {
      const res = await call('POST', '/ngsi-ld/v1/entities', { tenant: t, body: thing() });
      expect(res.statusCode, res.body).toBe(201);
    },
  };
}
