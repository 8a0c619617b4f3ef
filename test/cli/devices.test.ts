// `urbis devices` (issue #5): profiles, bulk provisioning from CSV or JSON with a per-row report and
// credentials shown once, listing with state, deletion and credential rotation — on a data directory,
// through the registry the server uses (the Device entities are there for the HTTP app to serve),
// audited as `cli` without secrets; bad usage and bad files are refused with exit code 2.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { devicesCommand } from '../../src/cli/devices-command.js';
import { hashToken, verifyPassword } from '../../src/devices/registry/credentials.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { testKit } from '../support/app.js';
import { runCommand } from '../support/cli-run.js';
import { aqProfile, TENANT } from '../support/devices.js';

let dir: string;

const run = (...args: string[]) => runCommand(devicesCommand, args, dir);
const inTenant = (...args: string[]) => run(...args, '--tenant', TENANT);

async function withStore<T>(f: (store: SqliteStore) => Promise<T>): Promise<T> {
  const store = openSqliteStore({ path: join(dir, 'urbis.sqlite'), backgroundCheckpoint: false });
  await store.migrate();
  try {
    return await f(store);
  } finally {
    await store.close();
  }
}

async function file(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** stdout as JSON lines. */
const lines = (out: string) =>
  out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

interface Created {
  id: string;
  credential?: { id: string; kind: string; secret?: string; username?: string; password?: string };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'urbis-devices-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('urbis devices', () => {
  it('refuses bad usage, bad files and a directory without a store with exit code 2; explains itself', async () => {
    const missing = await run('list');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('no store at');
    await withStore(async () => undefined);
    expect((await run()).code).toBe(2);
    const help = await run('help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('create <file.csv|file.json> [--credentials token|password|none]');
    const refused = async (args: string[], why: RegExp) => {
      const r = await run(...args);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(why);
    };
    await refused(['provision'], /unknown verb "provision"/);
    await refused(['profiles'], /profiles takes one of: put, list/);
    await refused(['profiles', 'get', 'x'], /profiles takes one of/);
    await refused(['create'], /create takes 1 argument/);
    await refused(['delete', 'a', 'b'], /delete takes 1 argument/);
    await refused(['credentials', 'rotate', 'd'], /credentials rotate takes 2 arguments/);
    await refused(
      ['create', 'x.csv', '--credentials', 'shared'],
      /--credentials must be token, password or none/,
    );
    await refused(['list', '--credentials', 'none'], /--credentials is for create only/);
    await refused(['list', '--tenant', 'bad tenant!'], /not a valid tenant name/);
    await refused(['list', '--colour', 'red'], /colour/);
    await refused(['create', join(dir, 'nope.csv')], /cannot read/);
    await refused(['profiles', 'put', await file('bad.json', '{"id":')], /is not JSON/);
    await refused(['profiles', 'put', await file('wrong.json', { ...aqProfile(), colour: 'red' })], /colour/);
    await refused(['create', await file('bad-header.csv', 'id,colour\nx,y\n')], /unknown column "colour"/);
  });

  it('puts and lists profiles, provisions from CSV with a per-line report, the server serves what it made', async () => {
    await withStore(async () => undefined);
    const profile = await file('profile.json', aqProfile('mqtt'));
    const put = await inTenant('profiles', 'put', profile);
    expect(put.code, put.err).toBe(0);
    expect(put.out).toContain('profile aq-mqtt created in tenant "city-a"');
    expect((await inTenant('profiles', 'put', profile)).out).toContain('replaced');
    const profiles = lines((await inTenant('profiles', 'list')).out);
    expect(profiles).toEqual([
      { ...aqProfile('mqtt'), createdAt: expect.any(String), updatedAt: expect.any(String) },
    ]);
    expect(lines((await run('profiles', 'list')).out)).toEqual([]);

    const csv = await file(
      'fleet.csv',
      'id,profile,description\ns-1,aq-mqtt,"north, roof"\ns-2,nope,\ns-3,aq-mqtt,\n',
    );
    const created = await inTenant('create', csv);
    expect(created.code, created.err).toBe(1);
    const rows = lines(created.out) as unknown as Created[];
    expect(rows.map((r) => r.id)).toEqual(['s-1', 's-3']);
    expect(created.err).toContain('line 3 (s-2): device.profile: no profile nope in this tenant');
    expect(created.err).toContain('created 2, refused 1; credentials are shown once');

    await withStore(async (store) => {
      for (const r of rows) {
        const cred = await store.devices.credentialByTokenHash(hashToken(r.credential?.secret as string));
        expect(cred).toMatchObject({ tenant: TENANT, deviceId: r.id, kind: 'token' });
      }
      // The HTTP app on the same store serves the devices and their Device entities.
      const kit = await testKit({ store });
      try {
        const got = await kit.app.inject({ url: '/devices/s-1', headers: { 'ngsild-tenant': TENANT } });
        expect(got.statusCode, got.body).toBe(200);
        expect(got.json()).toMatchObject({ id: 's-1', description: 'north, roof', profile: 'aq-mqtt' });
        const entity = await kit.app.inject({
          url: '/ngsi-ld/v1/entities/urn:ngsi-ld:Device:s-1',
          headers: { 'ngsild-tenant': TENANT },
        });
        expect(entity.statusCode, entity.body).toBe(200);
        expect(
          await kit.devices.registry.authenticateToken(rows[1]?.credential?.secret as string),
        ).toMatchObject({ device: { id: 's-3' } });
      } finally {
        await kit.app.close();
      }
    });

    const none = await inTenant('create', await file('dupes.csv', 'id,profile\ns-1,aq-mqtt\n'));
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/line 2 \(s-1\): .*already exists/);
    expect(none.out).toBe('');
  });

  it('provisions from JSON with passwords, lists with state, rotates a credential, deletes; all audited without secrets', async () => {
    await withStore(async () => undefined);
    expect((await inTenant('profiles', 'put', await file('p.json', aqProfile('http')))).code).toBe(0);
    const json = await file('fleet.json', [
      { id: 'j-1', profile: 'aq-http' },
      { id: 'j-2', profile: 'aq-http', entityId: 'urn:ngsi-ld:AirQualityObserved:corner' },
    ]);
    const made = await inTenant('create', json, '--credentials', 'password');
    expect(made.code, made.err).toBe(0);
    const rows = lines(made.out) as unknown as Created[];
    expect(rows).toHaveLength(2);
    const pw = rows[0]?.credential;
    expect(pw).toMatchObject({ kind: 'password', username: 'j-1', password: expect.any(String) });

    const one = await inTenant(
      'create',
      await file('one.json', { id: 'j-3', profile: 'aq-http' }),
      '--credentials',
      'none',
    );
    expect(one.code, one.err).toBe(0);
    expect(lines(one.out)).toEqual([{ id: 'j-3' }]);

    const listed = lines((await inTenant('list')).out);
    expect(listed.map((d) => d.id)).toEqual(['j-1', 'j-2', 'j-3']);
    expect(listed[1]).toMatchObject({
      profileId: 'aq-http',
      entityId: 'urn:ngsi-ld:AirQualityObserved:corner',
      deviceEntityId: 'urn:ngsi-ld:Device:j-2',
      disabled: false,
      state: { online: false },
    });
    expect(JSON.stringify(listed)).not.toContain(pw?.password as string);

    const rotated = await inTenant('credentials', 'rotate', 'j-1', pw?.id as string);
    expect(rotated.code, rotated.err).toBe(0);
    const fresh = lines(rotated.out)[0] as Created['credential'];
    expect(fresh).toMatchObject({ kind: 'password', password: expect.any(String) });
    expect(fresh?.username).not.toBe('j-1');
    const again = await inTenant('credentials', 'rotate', 'j-1', pw?.id as string);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/no valid credential/);

    await withStore(async (store) => {
      const creds = await store.devices.listCredentials(TENANT, 'j-1');
      expect(creds.find((c) => c.id === pw?.id)?.revokedAt).toEqual(expect.any(String));
      const current = creds.find((c) => c.id === fresh?.id);
      expect(await verifyPassword(fresh?.password as string, current?.hash as string)).toBe(true);
    });

    const deleted = await inTenant('delete', 'j-2');
    expect(deleted.code, deleted.err).toBe(0);
    expect(deleted.out).toBe('deleted j-2\n');
    const gone = await inTenant('delete', 'j-2');
    expect(gone.code).toBe(2);
    expect(gone.err).toContain('no device j-2');
    expect(lines((await inTenant('list')).out).map((d) => d.id)).toEqual(['j-1', 'j-3']);

    await withStore(async (store) => {
      expect(await store.getEntity(TENANT, 'urn:ngsi-ld:Device:j-2')).toBeUndefined();
      const log = await store.governance.audit.read({ limit: 1000 });
      const text = JSON.stringify(log);
      for (const secret of [pw?.password, rows[1]?.credential?.password, fresh?.password])
        expect(text).not.toContain(secret as string);
      expect(log.map((e) => [e.principal, e.tenant, e.action, e.target])).toEqual([
        ['cli', TENANT, 'device-profile.put', 'aq-http'],
        ['cli', TENANT, 'device.create', undefined],
        ['cli', TENANT, 'device.create', undefined],
        ['cli', TENANT, 'device-credential.rotate', 'j-1'],
        ['cli', TENANT, 'device.delete', 'j-2'],
      ]);
      expect(log[1]?.detail).toEqual({ credentials: 'password', created: 2, failed: 0, ids: ['j-1', 'j-2'] });
    });
  });
});
