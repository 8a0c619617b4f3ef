import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runMigrations } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';

const LATEST = MIGRATIONS[MIGRATIONS.length - 1]!.version;

describe('runMigrations', () => {
  it('applies every migration once, in order, and records it', () => {
    const db = new Database(':memory:');
    expect(runMigrations(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(runMigrations(db)).toEqual([]);
    const rows = db.prepare('SELECT version, name, length(checksum) AS n FROM schema_version').all();
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name, n: 64 })));
    db.close();
  });

  it('applies new migrations after the recorded ones', () => {
    const db = new Database(':memory:');
    runMigrations(db);
    const next = [...MIGRATIONS, { version: 99, name: 'extra', sql: 'CREATE TABLE extra (x INTEGER)' }];
    expect(runMigrations(db, next)).toEqual([99]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'extra'").get()).toEqual({
      name: 'extra',
    });
    db.close();
  });

  it('refuses a database whose applied migration was edited', () => {
    const db = new Database(':memory:');
    runMigrations(db);
    const edited = MIGRATIONS.map((m) => (m.version === 1 ? { ...m, sql: `${m.sql}\n-- edited` } : m));
    expect(() => runMigrations(db, edited)).toThrow(/edited after it was applied/);
    db.close();
  });

  it('refuses a database from a newer version', () => {
    const db = new Database(':memory:');
    runMigrations(db, [...MIGRATIONS, { version: LATEST + 1, name: 'future', sql: 'SELECT 1' }]);
    expect(() => runMigrations(db)).toThrow(/does not know/);
    db.close();
  });

  it('leaves nothing of a migration that fails', () => {
    const db = new Database(':memory:');
    runMigrations(db);
    const broken = [
      ...MIGRATIONS,
      { version: LATEST + 1, name: 'broken', sql: 'CREATE TABLE half (x); INSERT INTO nowhere VALUES (1)' },
    ];
    expect(() => runMigrations(db, broken)).toThrow();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    expect(db.prepare('SELECT max(version) AS v FROM schema_version').get()).toEqual({ v: LATEST });
    db.close();
  });
});
