// The data-governance registry through the admin API: listing what is in force (the tenant's own
// entries and the built-in ones), writing, reading and deleting the tenant's entry for a type, names
// compact with the request's @context, validation (400 naming the member), tenant isolation, and the
// audit entries every call leaves.
import { describe, expect, it } from 'vitest';
import type { TypeGovernance } from '../../src/governance/privacy/model.js';
import { linkHeader } from '../../src/http/ngsi-ld/negotiation.js';
import type { AuditEntry } from '../../src/store/governance-port.js';
import { adminClient, oneContext } from './admin-client.js';

const V = 'https://example.org/vocab/';
const CTX = 'https://contexts.example.org/parking.jsonld';
const TERMS = {
  ParkingSession: `${V}ParkingSession`,
  Streetlight: `${V}Streetlight`,
  plate: `${V}plate`,
  spot: `${V}spot`,
  power: `${V}power`,
};
const LINK = { link: linkHeader(CTX) };

const STREETLIGHT: TypeGovernance = {
  type: TERMS.Streetlight,
  purpose: 'street lighting',
  undeclared: 'drop',
  retention: 'P2Y',
  attributes: { [TERMS.power]: { classification: 'public', treatment: { kind: 'keep' } } },
};

const SESSION_DOC = {
  type: 'ParkingSession',
  purpose: 'parking enforcement',
  undeclared: 'drop',
  retention: 'P30D',
  attributes: {
    plate: { classification: 'personal', treatment: { kind: 'pseudonymise', length: 16 } },
    spot: { classification: 'public', treatment: 'keep' },
  },
};

const admin = adminClient({ builtIn: [STREETLIGHT], loader: oneContext(CTX, TERMS) }, 'per test');
const { call } = admin;

const typeUrl = (type: string) => `/admin/governance/${encodeURIComponent(type)}`;
const put = (type: string, body: unknown, headers: Record<string, string> = LINK, tenant = 'north') =>
  call('PUT', typeUrl(type), { tenant, headers, body });
const get = (path: string, headers: Record<string, string> = LINK, tenant = 'north') =>
  call('GET', `/admin/governance${path}`, { tenant, headers });
const del = (type: string, headers: Record<string, string> = LINK, tenant = 'north') =>
  call('DELETE', typeUrl(type), { tenant, headers });

async function auditEntries(): Promise<AuditEntry[]> {
  return admin.kit.store.governance.audit.read({ limit: 1000 });
}

describe('GET /admin/governance', () => {
  it('lists the built-in entries in force, marked builtIn, compact with the request context', async () => {
    const res = await get('');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      {
        type: 'Streetlight',
        source: 'builtIn',
        document: {
          type: 'Streetlight',
          purpose: 'street lighting',
          undeclared: 'drop',
          retention: 'P2Y',
          attributes: { power: { classification: 'public', treatment: 'keep' } },
        },
      },
    ]);
    // Without a Link header, only the core context applies: the names stay IRIs.
    const plain = await get('', {});
    expect(plain.json()[0].type).toBe(TERMS.Streetlight);
    expect(Object.keys(plain.json()[0].document.attributes)).toEqual([TERMS.power]);
  });

  it('lists the tenant’s own entries with the built-in ones, ordered by type', async () => {
    expect((await put('ParkingSession', SESSION_DOC)).statusCode).toBe(201);
    const list = (await get('')).json() as Array<{ type: string; source: string }>;
    expect(list.map((e) => [e.type, e.source])).toEqual([
      ['ParkingSession', 'tenant'],
      ['Streetlight', 'builtIn'],
    ]);
  });

  it('refuses unknown query parameters', async () => {
    const res = await get('?all=true');
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toContain('all');
  });
});

describe('PUT /admin/governance/:type', () => {
  it('creates the tenant’s entry (201 + Location), then replaces it (200)', async () => {
    const created = await put('ParkingSession', SESSION_DOC);
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe(`/admin/governance/${encodeURIComponent(TERMS.ParkingSession)}`);
    const body = created.json();
    expect(body).toMatchObject({ type: 'ParkingSession', source: 'tenant', document: SESSION_DOC });
    expect(typeof body.updatedBy).toBe('string');
    expect(Number.isNaN(Date.parse(body.updatedAt))).toBe(false);

    const replaced = await put('ParkingSession', { ...SESSION_DOC, retention: 'P7D' });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json().document.retention).toBe('P7D');
    const read = await get('/ParkingSession');
    expect(read.statusCode).toBe(200);
    expect(read.json().document).toEqual({ ...SESSION_DOC, retention: 'P7D' });
  });

  it('takes the type in the path as a full IRI, and an ld+json body with its own @context', async () => {
    const res = await put(
      TERMS.ParkingSession,
      { '@context': CTX, ...SESSION_DOC },
      { 'content-type': 'application/ld+json' },
    );
    expect(res.statusCode).toBe(201);
    // Read back without a context: names are IRIs.
    const read = await get(`/${encodeURIComponent(TERMS.ParkingSession)}`, {});
    expect(read.statusCode).toBe(200);
    expect(read.json().type).toBe(TERMS.ParkingSession);
    expect(Object.keys(read.json().document.attributes).sort()).toEqual([TERMS.plate, TERMS.spot]);
  });

  it('replaces a built-in entry; deleting the tenant’s entry brings the built-in one back', async () => {
    const mine = {
      type: 'Streetlight',
      purpose: 'energy study',
      attributes: { power: { classification: 'internal' } },
    };
    expect((await put('Streetlight', mine)).statusCode).toBe(201);
    expect((await get('/Streetlight')).json()).toMatchObject({
      source: 'tenant',
      document: { purpose: 'energy study' },
    });
    expect((await del('Streetlight')).statusCode).toBe(204);
    expect((await get('/Streetlight')).json()).toMatchObject({
      source: 'builtIn',
      document: { purpose: 'street lighting' },
    });
  });

  it('refuses a body for another type than the path names', async () => {
    const res = await put('Streetlight', SESSION_DOC);
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toContain(TERMS.ParkingSession);
    expect((await get('/Streetlight')).json().source).toBe('builtIn');
  });

  it('refuses an invalid entry with a 400 naming the member at fault', async () => {
    const bad = {
      ...SESSION_DOC,
      attributes: { plate: { classification: 'secret', treatment: 'pseudonymise' } },
    };
    const res = await put('ParkingSession', bad);
    expect(res.statusCode).toBe(400);
    expect(res.json().type).toBe('https://uri.etsi.org/ngsi-ld/errors/BadRequestData');
    expect(res.json().detail).toContain('attributes.plate.classification');
    expect((await get('/ParkingSession')).statusCode).toBe(404);
  });

  it('refuses a body that is not an object, and @context in a plain JSON body', async () => {
    expect((await put('ParkingSession', ['x'])).statusCode).toBe(400);
    const res = await put('ParkingSession', { '@context': CTX, ...SESSION_DOC });
    expect(res.statusCode).toBe(400);
  });

  it('refuses a type in the path that is no name', async () => {
    const res = await put('Parking Session', SESSION_DOC);
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toContain('type in the path');
  });
});

describe('GET and DELETE /admin/governance/:type', () => {
  it('answers 404 for a type without an entry', async () => {
    expect((await get('/ParkingSession')).statusCode).toBe(404);
    expect((await del('ParkingSession')).statusCode).toBe(404);
  });

  it('deletes the tenant’s entry (204), after which it is gone', async () => {
    await put('ParkingSession', SESSION_DOC);
    expect((await del('ParkingSession')).statusCode).toBe(204);
    expect((await get('/ParkingSession')).statusCode).toBe(404);
    expect((await del('ParkingSession')).statusCode).toBe(404);
  });

  it('cannot delete a built-in entry', async () => {
    const res = await del('Streetlight');
    expect(res.statusCode).toBe(404);
    expect(res.json().detail).toContain('built-in');
    expect((await get('/Streetlight')).json().source).toBe('builtIn');
  });
});

describe('tenants and audit', () => {
  it('keeps each tenant’s entries to itself', async () => {
    await put('ParkingSession', SESSION_DOC, LINK, 'north');
    expect((await get('/ParkingSession', LINK, 'south')).statusCode).toBe(404);
    expect((await del('ParkingSession', LINK, 'south')).statusCode).toBe(404);
    expect((await get('', LINK, 'south')).json().map((e: { type: string }) => e.type)).toEqual([
      'Streetlight',
    ]);
    expect((await get('/ParkingSession', LINK, 'north')).statusCode).toBe(200);
  });

  it('needs a credential', async () => {
    const res = await call('GET', '/admin/governance', { key: null });
    expect(res.statusCode).toBe(401);
  });

  it('audits every call, failures included', async () => {
    await put('ParkingSession', SESSION_DOC);
    await put('ParkingSession', { ...SESSION_DOC, purpose: '' });
    await get('');
    await get('/ParkingSession');
    await del('ParkingSession');
    const entries = (await auditEntries()).filter((e) => e.action.startsWith('governance.'));
    expect(entries.map((e) => [e.action, e.outcome, e.tenant])).toEqual([
      ['governance.put', 'success', 'north'],
      ['governance.put', 'failure', 'north'],
      ['governance.list', 'success', 'north'],
      ['governance.read', 'success', 'north'],
      ['governance.delete', 'success', 'north'],
    ]);
    expect(entries[0]).toMatchObject({
      target: 'ParkingSession',
      detail: { type: TERMS.ParkingSession, created: true, attributes: 2 },
    });
    expect(entries[1]).toMatchObject({ status: 400 });
  });
});
