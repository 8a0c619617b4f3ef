// The provisioning API (issue #5): device profiles, devices one at a time or thousands from JSON or
// CSV with a per-row report, and their credentials — shown once, never listed, rotatable, revocable.
// Every write is audited without its secret; a viewer may read but not provision; another tenant sees
// nothing; bad input is a 400 ProblemDetails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/devices/registry/credentials.js';
import { expectProblem } from '../admin/admin-client.js';
import { aqProfile, deviceTestKit, TENANT, type DeviceTestKit } from '../support/devices.js';
import { provisioningClient, type Issued, type Report } from './provisioning-client.js';

let kit: DeviceTestKit;
const { fresh, call, csv, keyWithRoles, auditLog, expectNoStore } = provisioningClient(() => kit);

beforeAll(async () => {
  kit = await deviceTestKit();
});
afterAll(async () => kit.app.close());

describe('device profiles', () => {
  it('PUT creates (201, id from the path), GET shows it as written, PUT again replaces (200), list', async () => {
    const { id: _id, ...doc } = aqProfile('http');
    const created = await call('PUT', '/device-profiles/aq-put', { body: doc });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers.location).toBe('/device-profiles/aq-put');
    const shown = created.json() as Record<string, unknown>;
    expect(shown).toEqual({
      ...doc,
      id: 'aq-put',
      createdAt: expect.stringMatching(/^\d{4}-/),
      updatedAt: shown.createdAt,
    });
    const read = await call('GET', '/device-profiles/aq-put');
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(shown);

    const replaced = await call('PUT', '/device-profiles/aq-put', {
      body: { ...doc, id: 'aq-put', description: 'v2' },
    });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json()).toMatchObject({ description: 'v2', createdAt: shown.createdAt });

    const list = await call('GET', '/device-profiles');
    expect(list.statusCode).toBe(200);
    const ids = (list.json() as Array<{ id: string }>).map((p) => p.id);
    expect(ids).toEqual(expect.arrayContaining(['aq-mqtt', 'aq-put']));
  });

  it('refuses a mismatched id, a bad document and unknown query parameters with 400 ProblemDetails', async () => {
    expectProblem(
      await call('PUT', '/device-profiles/one', { body: aqProfile('mqtt', { id: 'two' }) }),
      400,
      /does not match the path/,
    );
    expectProblem(
      await call('PUT', '/device-profiles/p1', { body: { ...aqProfile('mqtt'), id: 'p1', colour: 'red' } }),
      400,
      /colour/,
    );
    expectProblem(
      await call('PUT', '/device-profiles/p1', { body: [aqProfile('mqtt')] }),
      400,
      /body must be object/,
    );
    expectProblem(await call('PUT', '/device-profiles/bad%20id', { body: aqProfile() }), 400, /profileId/);
    expectProblem(await call('GET', '/device-profiles?x=1'), 400, /unknown query parameter x/);
    expectProblem(await call('GET', '/device-profiles/nope'), 404);
  });

  it('DELETE: 204, 404 when unknown, 400 while a device uses it', async () => {
    const { id: _id, ...doc } = aqProfile('coap');
    const put = await call('PUT', '/device-profiles/short-lived', { body: doc });
    expect(put.statusCode).toBe(201);
    const id = fresh();
    const used = await call('POST', '/devices', { body: { id, profile: 'short-lived' } });
    expect(used.statusCode, used.body).toBe(201);
    expectProblem(await call('DELETE', '/device-profiles/short-lived'), 400);
    expect((await call('DELETE', `/devices/${id}`)).statusCode).toBe(204);
    expect((await call('DELETE', '/device-profiles/short-lived')).statusCode).toBe(204);
    expectProblem(await call('DELETE', '/device-profiles/short-lived'), 404);
    expectProblem(await call('GET', '/device-profiles/short-lived'), 404);
  });
});

describe('provisioning one device', () => {
  it('answers 201, Location, the token once (no-store); the token authenticates; the Device entity exists', async () => {
    const id = fresh();
    const res = await call('POST', '/devices', { body: { id, profile: 'aq-mqtt', description: 'roof' } });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.headers.location).toBe(`/devices/${id}`);
    expectNoStore(res);
    const body = res.json() as { id: string; credential: Issued };
    expect(body).toEqual({
      id,
      credential: { id: expect.stringMatching(/^dc_/), kind: 'token', secret: expect.any(String) },
    });
    const who = await kit.devices.registry.authenticateToken(body.credential.secret as string);
    expect(who).toMatchObject({ tenant: TENANT, device: { id } });

    const shown = await call('GET', `/devices/${id}`);
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toEqual({
      id,
      profile: 'aq-mqtt',
      entityId: `urn:ngsi-ld:AirQualityObserved:${id}`,
      deviceEntityId: `urn:ngsi-ld:Device:${id}`,
      description: 'roof',
      disabled: false,
      createdAt: expect.stringMatching(/^\d{4}-/),
      state: { online: false },
    });
    const entity = await call('GET', `/ngsi-ld/v1/entities/urn:ngsi-ld:Device:${id}`);
    expect(entity.statusCode, entity.body).toBe(200);
  });

  it('issues a username and password, or nothing, as asked; refuses an unknown kind', async () => {
    const a = fresh();
    const pw = await call('POST', '/devices?credentials=password', { body: { id: a, profile: 'aq-mqtt' } });
    expect(pw.statusCode, pw.body).toBe(201);
    const cred = (pw.json() as { credential: Issued }).credential;
    expect(cred).toMatchObject({ kind: 'password', username: a, password: expect.any(String) });
    const who = await kit.devices.registry.authenticatePassword(TENANT, a, cred.password as string);
    expect(who?.device.id).toBe(a);

    const b = fresh();
    const none = await call('POST', '/devices?credentials=none', { body: { id: b, profile: 'aq-mqtt' } });
    expect(none.statusCode, none.body).toBe(201);
    expect(none.json()).toEqual({ id: b });

    expectProblem(
      await call('POST', '/devices?credentials=shared', { body: { id: fresh(), profile: 'aq-mqtt' } }),
      400,
      /credentials must be one of token, password, none/,
    );
    expectProblem(
      await call('POST', '/devices?colour=red', { body: { id: fresh(), profile: 'aq-mqtt' } }),
      400,
      /unknown query parameter colour/,
    );
  });

  it('refuses a duplicate (409), an unknown profile, a bad id or member (400), other media types (415)', async () => {
    const id = fresh();
    expect((await call('POST', '/devices', { body: { id, profile: 'aq-mqtt' } })).statusCode).toBe(201);
    expectProblem(
      await call('POST', '/devices', { body: { id, profile: 'aq-mqtt' } }),
      409,
      /already exists/,
    );
    expectProblem(
      await call('POST', '/devices', { body: { id: fresh(), profile: 'no-such' } }),
      400,
      /no profile no-such/,
    );
    expectProblem(
      await call('POST', '/devices', { body: { id: 'bad id!', profile: 'aq-mqtt' } }),
      400,
      /body.id must match pattern/,
    );
    expectProblem(
      await call('POST', '/devices', { body: { id: fresh(), profile: 'aq-mqtt', colour: 1 } }),
      400,
      /unknown member colour/,
    );
    expectProblem(
      await call('POST', '/devices', { body: { id: fresh() } }),
      400,
      /body: member profile is required/,
    );
    expectProblem(
      await call('POST', '/devices', { body: '"x"', headers: { 'content-type': 'application/json' } }),
      400,
    );
    expectProblem(
      await call('POST', '/devices', { body: 'id,profile\n', headers: { 'content-type': 'text/plain' } }),
      415,
    );
    expectProblem(
      await call('POST', '/devices', { body: '{"id":', headers: { 'content-type': 'application/json' } }),
      400,
    );
  });
});

describe('bulk provisioning', () => {
  it('a JSON array: 207 with each bad row by index, 201 when all were created, 400 with the report when none', async () => {
    const [a, b, c] = [fresh(), fresh(), fresh()];
    const mixed = await call('POST', '/devices', {
      body: [
        { id: a, profile: 'aq-mqtt' },
        { id: b, profile: 'missing' },
        { id: a, profile: 'aq-mqtt' },
        'not a device',
        { id: c, profile: 'aq-mqtt' },
      ],
    });
    expect(mixed.statusCode, mixed.body).toBe(207);
    expectNoStore(mixed);
    const report = mixed.json() as Report;
    expect(report.created.map((d) => d.id)).toEqual([a, c]);
    expect(report.created.every((d) => d.credential?.secret !== undefined)).toBe(true);
    expect(report.failed).toEqual([
      { row: 1, id: b, error: expect.stringMatching(/no profile missing/) },
      { row: 2, id: a, error: expect.stringMatching(/already on row 0/) },
      { row: 3, error: expect.stringMatching(/JSON object/) },
    ]);

    const all = await call('POST', '/devices', { body: [{ id: fresh(), profile: 'aq-mqtt' }] });
    expect(all.statusCode, all.body).toBe(201);
    expect((all.json() as Report).failed).toEqual([]);

    const none = await call('POST', '/devices', { body: [{ id: a, profile: 'aq-mqtt' }, { id: 7 }] });
    expectProblem(none, 400, /none of the devices was created/);
    expect((none.json() as Report).failed).toEqual([
      { row: 0, id: a, error: expect.stringMatching(/already exists/) },
      { row: 1, error: expect.stringMatching(/device.id/) },
    ]);
    expectProblem(await call('POST', '/devices', { body: [] }), 400, /no device in the request/);
  });

  it('a CSV file: every bad line reported by its line number; a bad header refuses the file', async () => {
    const [a, b, c] = [fresh('csv'), fresh('csv'), fresh('csv')];
    const text = [
      'id,profile,description',
      `${a},aq-mqtt,"north, by the school"`,
      `${b},nope,`,
      `${a},aq-mqtt,again`,
      `bad id,aq-mqtt,`,
      `${c},aq-mqtt`,
      `${fresh('csv')},aq-mqtt,"stray"quote`,
    ].join('\r\n');
    const res = await csv(text);
    expect(res.statusCode, res.body).toBe(207);
    const report = res.json() as Report;
    expect(report.created.map((d) => d.id)).toEqual([a]);
    expect(report.failed.map((f) => f.line)).toEqual([3, 4, 5, 6, 7]);
    expect(report.failed[0]).toMatchObject({ id: b, error: expect.stringMatching(/no profile nope/) });
    expect(report.failed[1]?.error).toMatch(/already on line 2/);
    expect(report.failed[3]?.error).toMatch(/expected 3 fields/);
    expect((await call('GET', `/devices/${a}`)).json()).toMatchObject({
      description: 'north, by the school',
    });

    const withCharset = await csv(`\uFEFFid,profile\n${fresh('csv')},aq-mqtt\n`, {
      headers: { 'content-type': 'text/csv; charset=utf-8' },
    });
    expect(withCharset.statusCode, withCharset.body).toBe(201);
    expectProblem(await csv('id,colour\nx,y\n'), 400, /unknown column "colour"/);
    expectProblem(await csv(''), 400, /empty/);
  });

  it('5,000 CSV rows in one request, each with its own token', async () => {
    const bulk = await deviceTestKit();
    try {
      const rows = Array.from(
        { length: 5000 },
        (_, i) => `bulk-${String(i).padStart(5, '0')},aq-mqtt,sensor ${i}`,
      );
      const text = `id,profile,description\n${rows.join('\n')}\n`;
      const started = Date.now();
      const res = await bulk.app.inject({
        method: 'POST',
        url: '/devices',
        headers: { 'ngsild-tenant': TENANT, 'content-type': 'text/csv' },
        payload: text,
      });
      const tookMs = Date.now() - started;
      expect(res.statusCode, res.body.slice(0, 500)).toBe(201);
      const report = res.json() as Report;
      expect(report.failed).toEqual([]);
      expect(report.created).toHaveLength(5000);
      const secrets = new Set(report.created.map((d) => d.credential?.secret));
      expect(secrets.size).toBe(5000);
      const last = report.created[4999];
      expect(await bulk.devices.registry.authenticateToken(last?.credential?.secret as string)).toMatchObject(
        {
          device: { id: 'bulk-04999' },
        },
      );
      const counted = await bulk.app.inject({
        url: '/devices?limit=0&count=true',
        headers: { 'ngsild-tenant': TENANT },
      });
      expect(counted.headers['ngsild-results-count']).toBe('5000');
      expect(tookMs).toBeLessThan(30_000);
    } finally {
      await bulk.app.close();
    }
  }, 60_000);

  it('accepts a CSV body past the app-wide body limit (1 MiB in tests) up to the route’s own', async () => {
    const long = 'x'.repeat(900);
    const rows = Array.from({ length: 1500 }, (_, i) => `big-${i},aq-mqtt,${long}`);
    const text = `id,profile,description\n${rows.join('\n')}\n`;
    expect(text.length).toBeGreaterThan(1024 * 1024);
    const res = await csv(text, { headers: {} });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(201);
    expect((res.json() as Report).created).toHaveLength(1500);
    // The larger limit and the CSV parser are this route's alone.
    const bigProfile = { ...aqProfile('http'), id: 'big', description: 'y'.repeat(1024 * 1024) };
    expectProblem(await call('PUT', '/device-profiles/big', { body: bigProfile }), 413);
    expectProblem(
      await call('POST', '/ngsi-ld/v1/entities', {
        body: 'id,type\n',
        headers: { 'content-type': 'text/csv' },
      }),
      415,
    );
  }, 60_000);
});

describe('listing and reading devices', () => {
  it('pages with limit/offset, counts on demand, shows each device’s state', async () => {
    const t = 'city-list';
    await kit.devices.registry.putProfile({ tenant: t }, aqProfile('http'));
    const ids = ['l-1', 'l-2', 'l-3'];
    const made = await call('POST', '/devices', {
      tenant: t,
      body: ids.map((id) => ({ id, profile: 'aq-http' })),
    });
    expect(made.statusCode, made.body).toBe(201);
    const at = new Date().toISOString();
    await kit.store.devices.recordSeen([
      {
        tenant: t,
        deviceId: 'l-2',
        at,
        offlineAt: new Date(Date.now() + 60_000).toISOString(),
        battery: 81,
        rssi: -97,
        snr: 7.5,
      },
    ]);
    await kit.store.devices.recordError(t, 'l-3', 'payload is not JSON', at);

    const page = await call('GET', '/devices?limit=2&offset=1&count=true', { tenant: t });
    expect(page.statusCode, page.body).toBe(200);
    expect(page.headers['ngsild-results-count']).toBe('3');
    const items = page.json() as Array<{ id: string; state: Record<string, unknown> }>;
    expect(items.map((d) => d.id)).toEqual(['l-2', 'l-3']);
    expect(items[0]?.state).toEqual({ online: true, lastSeen: at, battery: 81, rssi: -97, snr: 7.5 });
    expect(items[1]?.state).toMatchObject({ lastError: 'payload is not JSON', lastErrorAt: at });
    expect(items[1]?.state).not.toHaveProperty('offlineAt');
    expect((await call('GET', '/devices', { tenant: t })).headers['ngsild-results-count']).toBeUndefined();

    expectProblem(await call('GET', '/devices?limit=5000', { tenant: t }), 403, /exceeds the maximum/);
    expectProblem(await call('GET', '/devices?limit=0', { tenant: t }), 400, /count=true/);
    expectProblem(await call('GET', '/devices?limit=-1', { tenant: t }), 400, /limit/);
    expectProblem(await call('GET', '/devices?page=2', { tenant: t }), 400, /unknown query parameter page/);
    expectProblem(await call('GET', '/devices/nope', { tenant: t }), 404);
  });

  it('another tenant sees none of them', async () => {
    const id = fresh();
    expect((await call('POST', '/devices', { body: { id, profile: 'aq-mqtt' } })).statusCode).toBe(201);
    const other = { tenant: 'city-b' };
    expect((await call('GET', '/devices', other)).json()).toEqual([]);
    expect((await call('GET', '/device-profiles', other)).json()).toEqual([]);
    expectProblem(await call('GET', `/devices/${id}`, other), 404);
    expectProblem(await call('GET', '/device-profiles/aq-mqtt', other), 404);
    expectProblem(await call('GET', `/devices/${id}/credentials`, other), 404);
    expectProblem(await call('DELETE', `/devices/${id}`, other), 404);
    expect((await call('GET', `/devices/${id}`)).statusCode).toBe(200);
  });

  it('DELETE removes the device, its Device entity and its credentials (204, then 404)', async () => {
    const id = fresh();
    const res = await call('POST', '/devices', { body: { id, profile: 'aq-mqtt' } });
    const secret = (res.json() as { credential: Issued }).credential.secret as string;
    expect((await call('DELETE', `/devices/${id}`)).statusCode).toBe(204);
    expectProblem(await call('GET', `/devices/${id}`), 404);
    expect(await kit.devices.registry.authenticateToken(secret)).toBeUndefined();
    expect((await call('GET', `/ngsi-ld/v1/entities/urn:ngsi-ld:Device:${id}`)).statusCode).toBe(404);
    expectProblem(await call('DELETE', `/devices/${id}`), 404);
  });
});

describe('credentials', () => {
  it('lists without secrets or hashes; issues more; rotation invalidates the old token; revocation is final', async () => {
    const id = fresh();
    const res = await call('POST', '/devices', { body: { id, profile: 'aq-mqtt' } });
    const first = (res.json() as { credential: Issued }).credential;
    const firstSecret = first.secret as string;

    const more = await call('POST', `/devices/${id}/credentials`, { body: { kind: 'password' } });
    expect(more.statusCode, more.body).toBe(201);
    expectNoStore(more);
    const second = more.json() as Issued;
    expect(second).toMatchObject({ kind: 'password', username: id, password: expect.any(String) });

    const listed = await call('GET', `/devices/${id}/credentials`);
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(firstSecret);
    expect(listed.body).not.toContain(hashToken(firstSecret));
    expect(listed.body).not.toContain(second.password as string);
    const creds = listed.json() as Array<Record<string, unknown>>;
    expect(creds.map((c) => c.id).sort()).toEqual([first.id, second.id].sort());
    for (const c of creds) {
      expect(c).not.toHaveProperty('hash');
      expect(c).not.toHaveProperty('secret');
      expect(c.deviceId).toBe(id);
    }

    const rotated = await call('POST', `/devices/${id}/credentials/${first.id}/rotate`);
    expect(rotated.statusCode, rotated.body).toBe(201);
    expectNoStore(rotated);
    const fresh1 = rotated.json() as Issued;
    expect(fresh1).toMatchObject({ kind: 'token', secret: expect.any(String) });
    expect(fresh1.id).not.toBe(first.id);
    expect(await kit.devices.registry.authenticateToken(firstSecret)).toBeUndefined();
    expect(await kit.devices.registry.authenticateToken(fresh1.secret as string)).toMatchObject({
      device: { id },
    });
    const after = (await call('GET', `/devices/${id}/credentials`)).json() as Array<{
      id: string;
      revokedAt?: string;
    }>;
    expect(after.find((c) => c.id === first.id)?.revokedAt).toEqual(expect.any(String));
    expectProblem(await call('POST', `/devices/${id}/credentials/${first.id}/rotate`), 404);

    expect((await call('DELETE', `/devices/${id}/credentials/${fresh1.id}`)).statusCode).toBe(204);
    expect(await kit.devices.registry.authenticateToken(fresh1.secret as string)).toBeUndefined();
    expectProblem(await call('DELETE', `/devices/${id}/credentials/${fresh1.id}`), 404);
  });

  it('refuses unknown devices and credentials (404) and bad kinds (400)', async () => {
    const id = fresh();
    expect((await call('POST', '/devices', { body: { id, profile: 'aq-mqtt' } })).statusCode).toBe(201);
    expectProblem(await call('POST', '/devices/nope/credentials', { body: { kind: 'token' } }), 404);
    expectProblem(await call('GET', '/devices/nope/credentials'), 404);
    expectProblem(await call('POST', `/devices/${id}/credentials/dc_nope/rotate`), 404);
    expectProblem(await call('DELETE', `/devices/${id}/credentials/dc_nope`), 404);
    expectProblem(
      await call('POST', `/devices/${id}/credentials`, { body: { kind: 'shared' } }),
      400,
      /kind must be one of token, password/,
    );
    expectProblem(await call('POST', `/devices/${id}/credentials`, { body: {} }), 400, /kind is required/);
  });
});

describe('access and audit', () => {
  it('a viewer may list devices and profiles but not provision; an anonymous caller gets 401', async () => {
    const viewer = await keyWithRoles('viewer-1', ['viewer']);
    expect((await call('GET', '/devices', { key: viewer })).statusCode).toBe(200);
    expect((await call('GET', '/device-profiles', { key: viewer })).statusCode).toBe(200);
    expectProblem(
      await call('POST', '/devices', { key: viewer, body: { id: fresh(), profile: 'aq-mqtt' } }),
      403,
    );
    expectProblem(await call('PUT', '/device-profiles/v', { key: viewer, body: aqProfile() }), 403);
    const anonymous = await kit.app.inject({
      url: '/devices',
      headers: { 'ngsild-tenant': TENANT, authorization: undefined },
    });
    expectProblem(anonymous, 401);
  });

  it('audits every write with who, what and the outcome, and never a secret or its hash', async () => {
    const id = fresh();
    const made = await call('POST', '/devices', { body: { id, profile: 'aq-mqtt' } });
    const cred = (made.json() as { credential: Issued }).credential;
    const rotated = (await call('POST', `/devices/${id}/credentials/${cred.id}/rotate`)).json() as Issued;
    const pw = (
      await call('POST', `/devices/${id}/credentials`, { body: { kind: 'password' } })
    ).json() as Issued;
    const bulk = (await csv(`id,profile\n${fresh()},aq-mqtt\n${fresh()},missing\n`)).json() as Report;
    expectProblem(await call('POST', '/devices', { body: { id, profile: 'aq-mqtt' } }), 409);
    const viewer = await keyWithRoles('viewer-2', ['viewer']);
    await call('DELETE', `/devices/${id}`, { key: viewer });
    expect((await call('DELETE', `/devices/${id}`)).statusCode).toBe(204);

    const log = await auditLog();
    const text = JSON.stringify(log);
    const bulkSecret = bulk.created[0]?.credential?.secret as string;
    for (const secret of [cred.secret, rotated.secret, pw.password, bulkSecret] as string[]) {
      expect(text).not.toContain(secret);
    }
    for (const secret of [cred.secret, rotated.secret, bulkSecret] as string[])
      expect(text).not.toContain(hashToken(secret));
    const mine = log.filter(
      (e) =>
        e.tenant === TENANT &&
        (e.target === id || e.action === 'device.create' || e.principal === 'viewer-2'),
    );
    expect(mine).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'device.create',
          target: id,
          principal: 'admin',
          outcome: 'success',
          detail: { credentials: 'token', credential: cred.id },
        }),
        expect.objectContaining({
          action: 'device-credential.rotate',
          target: id,
          outcome: 'success',
          detail: { revoked: cred.id, credential: rotated.id, kind: 'token' },
        }),
        expect.objectContaining({ action: 'device-credential.create', target: id, outcome: 'success' }),
        expect.objectContaining({
          action: 'device.create',
          outcome: 'success',
          detail: expect.objectContaining({ created: 1, failed: 1 }),
        }),
        expect.objectContaining({ action: 'device.create', target: id, outcome: 'failure', status: 409 }),
        expect.objectContaining({ principal: 'viewer-2', outcome: 'denied', status: 403 }),
        expect.objectContaining({ action: 'device.delete', target: id, outcome: 'success' }),
      ]),
    );
  });

  it('documents the routes in /openapi.json under the Devices tag', async () => {
    const doc = (await kit.app.inject({ url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
    };
    for (const [path, method] of [
      ['/devices', 'post'],
      ['/devices', 'get'],
      ['/devices/{deviceId}', 'get'],
      ['/device-profiles/{profileId}', 'put'],
      ['/devices/{deviceId}/credentials/{credentialId}/rotate', 'post'],
    ] as const)
      expect(doc.paths[path]?.[method]?.tags, `${method} ${path}`).toEqual(['Devices']);
  });
});
