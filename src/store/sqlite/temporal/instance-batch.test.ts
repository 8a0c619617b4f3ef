/**
 * The batched instance insert: every row collected goes in exactly once, each series keeps its
 * arrival order (instance ids grow with it), the hourly rollup trigger still sees every row, and a
 * collection that throws leaves nothing behind.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceColumns } from '../../shared/temporal/instance-codec.js';
import { runMigrations } from '../migrate.js';
import { InstanceBatch } from './instance-batch.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 4, 10);

const columns = (num: number, observedAt: number): InstanceColumns => ({
  kind: 0,
  observedAt,
  num,
  str: null,
  json: null,
  unit: 'CEL',
  extra: null,
});

interface Row {
  iid: number;
  sid: number;
  num: number;
  observed_at: number;
}

describe('InstanceBatch', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    runMigrations(db);
  });
  afterEach(() => db.close());

  const rows = (): Row[] =>
    db.prepare('SELECT iid, sid, num, observed_at FROM temporal_instances ORDER BY iid').all() as Row[];

  it('inserts every row once, in series order, each series in its arrival order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 90 }), (sids) => {
        db.exec('DELETE FROM temporal_instances; DELETE FROM temporal_hourly');
        const batch = new InstanceBatch(db);
        batch.insertAll(() => sids.forEach((sid, n) => batch.add(sid, columns(n, T0 + n), T0, T0)));
        const stored = rows();
        // Each arrival index (num) exactly once, with its own series.
        expect(stored.map((r) => [r.num, r.sid]).sort((a, b) => a[0]! - b[0]!)).toEqual(
          sids.map((sid, n) => [n, sid]),
        );
        // Instance ids follow series order, and within a series the order of arrival.
        const bySeries = [...stored].sort((a, b) => a.sid - b.sid || a.num - b.num);
        expect(stored).toEqual(bySeries);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the hourly rollup exact: the trigger fires for every row of a multi-row statement', () => {
    const batch = new InstanceBatch(db);
    // 45 rows over two series and two hours: chunks of 32, 8, 4 and 1 rows.
    batch.insertAll(() => {
      for (let n = 0; n < 45; n++)
        batch.add(1 + (n % 2), columns(n, T0 + (n % 3 === 0 ? HOUR : 0) + n), T0, T0);
    });
    const inHour = `FROM temporal_instances i WHERE i.sid = h.sid AND i.observed_at / ${HOUR} = h.hour`;
    const hourly = db
      .prepare(
        `SELECT h.n_all, h.s, (SELECT count(*) ${inHour}) AS rows, (SELECT sum(num) ${inHour}) AS sum ` +
          'FROM temporal_hourly h ORDER BY h.sid, h.hour',
      )
      .all() as Array<{ n_all: number; rows: number; s: number; sum: number }>;
    expect(hourly).toHaveLength(4);
    expect(hourly.reduce((n, h) => n + h.n_all, 0)).toBe(45);
    for (const h of hourly) {
      expect(h.n_all).toBe(h.rows);
      expect(h.s).toBe(h.sum);
    }
  });

  it('drops the rows of a collection that threw, so the next one does not write them', () => {
    const batch = new InstanceBatch(db);
    expect(() =>
      batch.insertAll(() => {
        batch.add(1, columns(1, T0), T0, T0);
        throw new Error('the write failed');
      }),
    ).toThrow('the write failed');
    expect(rows()).toEqual([]);
    batch.insertAll(() => batch.add(2, columns(2, T0), T0, T0));
    expect(rows().map((r) => [r.sid, r.num])).toEqual([[2, 2]]);
  });

  it('writes nothing for an empty collection', () => {
    const batch = new InstanceBatch(db);
    batch.insertAll(() => undefined);
    expect(rows()).toEqual([]);
  });
});
