/**
 * The SQLite device statements' query plans (EXPLAIN QUERY PLAN): the offline sweep is one range
 * scan of the partial index over online devices — never a scan of the fleet, never a sort — with and
 * without planner statistics; credentials are found by one probe of their partial UNIQUE indexes; and
 * the probe of recordSeen uses both primary keys. The sweep's answer is checked against a reference
 * over a fleet where most devices are offline or not yet due.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceRepository } from '../devices-port.js';
import { BY_TOKEN_SQL, BY_USERNAME_SQL } from './devices/credentials.js';
import { sqliteDevices } from './devices/index.js';
import { DUE_SQL, SEEN_PROBE_SQL } from './devices/state.js';
import { runMigrations } from './migrate.js';

const N = 20_000;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const id = (i: number): string => `d${String(i).padStart(5, '0')}`;

describe('sqlite device plans', () => {
  let db: Database.Database;
  let dev: DeviceRepository;
  const plan = (sql: string, ...params: unknown[]): string =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>)
      .map((r) => r.detail)
      .join('\n');

  beforeAll(async () => {
    db = new Database(':memory:');
    runMigrations(db);
    dev = sqliteDevices(db);
    await dev.putProfile({ tenant: 't', id: 'p', document: {}, createdAt: iso(T0), updatedAt: iso(T0) });
    const devices = Array.from({ length: N }, (_, i) => ({
      tenant: 't',
      id: id(i),
      profileId: 'p',
      entityId: `urn:e:${i}`,
      deviceEntityId: `urn:d:${i}`,
      disabled: false,
      createdAt: iso(T0),
    }));
    expect((await dev.createDevices(devices)).every((r) => r.ok)).toBe(true);
    // Every device seen at T0, due i seconds later; then every third one swept offline already.
    await dev.recordSeen(
      devices.map((d, i) => ({ tenant: 't', deviceId: d.id, at: iso(T0), offlineAt: iso(T0 + i * 1000) })),
    );
    db.prepare(
      'UPDATE device_state SET online = 0 WHERE CAST(substr(device_id, 2) AS INTEGER) % 3 = 0',
    ).run();
  });
  afterAll(() => {
    db.close();
  });

  it('sweeps through the partial index on offline_at, in its order, with and without statistics', () => {
    for (const analysed of [false, true]) {
      if (analysed) db.exec('ANALYZE');
      const p = plan(DUE_SQL, T0, 100);
      expect(p).toContain('SEARCH device_state USING INDEX device_state_offline (offline_at<?)');
      expect(p).not.toContain('SCAN');
      expect(p).not.toContain('TEMP B-TREE');
    }
  });

  it('takes exactly the due online devices, earliest first, at most limit', async () => {
    const now = T0 + 299_500; // devices 0..299 are due
    const due = Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 3 !== 0);
    const first = await dev.markOffline(iso(now), 150);
    expect(first.map((r) => r.deviceId)).toEqual(due.slice(0, 150).map(id));
    expect(first[0]).toEqual({ tenant: 't', deviceId: id(1), lastSeen: iso(T0) });
    const rest = await dev.markOffline(iso(now), 1000);
    expect(rest.map((r) => r.deviceId)).toEqual(due.slice(150).map(id));
    expect(await dev.markOffline(iso(now), 1000)).toEqual([]);
    expect((await dev.getState('t', id(300)))?.online).toBe(false);
    expect((await dev.getState('t', id(301)))?.online).toBe(true);
  });

  it('finds a credential by one probe of its partial unique index', () => {
    expect(plan(BY_TOKEN_SQL, 'ab'.repeat(32))).toContain(
      'SEARCH device_credentials USING INDEX device_credentials_token (hash=?)',
    );
    expect(plan(BY_USERNAME_SQL, 't', 'meter-1')).toContain(
      'SEARCH device_credentials USING INDEX device_credentials_username (tenant=? AND username=?)',
    );
  });

  it('probes a device and its state by their primary keys when recording it seen', () => {
    const p = plan(SEEN_PROBE_SQL, 't', id(1));
    expect(p).toContain('SEARCH d USING PRIMARY KEY (tenant=? AND id=?)');
    expect(p).toContain('SEARCH s USING PRIMARY KEY (tenant=? AND device_id=?)');
    expect(p).not.toContain('SCAN');
  });
});
