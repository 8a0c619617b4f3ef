/**
 * The SQLite command statements' query plans (EXPLAIN QUERY PLAN) over many commands, most of them
 * final: the expiry sweep is a range scan of the partial index over open commands (never a scan of the
 * history, never a sort), and a device's queue is read from the partial index over QUEUED commands.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandRecord } from '../../commands-port.js';
import { runMigrations } from '../migrate.js';
import { DUE_SQL, QUEUED_DEVICES_SQL, QUEUED_SQL, sqliteCommands } from './index.js';

const N = 5000;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

describe('sqlite command plans', () => {
  let db: Database.Database;
  const plan = (sql: string, ...params: unknown[]): string =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>)
      .map((r) => r.detail)
      .join('\n');

  beforeAll(async () => {
    db = new Database(':memory:');
    runMigrations(db);
    const repo = sqliteCommands(db);
    for (let i = 0; i < N; i++) {
      const status = i % 10 === 0 ? 'QUEUED' : 'SUCCEEDED';
      const c: CommandRecord = {
        id: `cmd_${i}`,
        tenant: 't',
        deviceId: `d${i % 50}`,
        name: 'dim',
        value: i,
        status,
        createdAt: iso(T0),
        updatedAt: iso(T0),
        expiresAt: iso(T0 + i * 1000),
        history: [{ status, at: iso(T0) }],
      };
      await repo.create(c);
    }
  });
  afterAll(() => db.close());

  it('expires through the partial index on open commands, without a sort', () => {
    for (const analysed of [false, true]) {
      if (analysed) db.exec('ANALYZE');
      const p = plan(DUE_SQL, T0 + 100_000, 100);
      expect(p).toMatch(/USING INDEX commands_expiry \(expires_at<\?\)/);
      expect(p).not.toMatch(/SCAN commands\b(?! USING)/);
    }
  });

  it('reads a device’s queue by index, in creation order without a sort', () => {
    const p = plan(QUEUED_SQL, 't', 'd0', T0, 100);
    expect(p).toMatch(/USING INDEX commands_(device|queued) \(tenant=\? AND device_id=\?/);
    expect(p).not.toMatch(/TEMP B-TREE/);
  });

  it('finds the devices with a queue from the partial index on QUEUED commands only', () => {
    const p = plan(QUEUED_DEVICES_SQL, '', '', '', 100);
    expect(p).toMatch(/commands_queued/);
    expect(p).not.toMatch(/TEMP B-TREE/);
  });
});
