// Tests of the write floor (run with `node --test bench/`): it writes every row it claims, and no more.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cityBox, seededRandom, wasteContainer } from './entities.js';
import { ingestFloorPointsPerSec, WriteFloor } from './write-floor.js';

describe('WriteFloor', () => {
  it('writes per entity its document, a q row per non-geo attribute, an R*Tree box and a history row per attribute', () => {
    const dir = mkdtempSync(join(tmpdir(), 'urbis-floor-'));
    const floor = new WriteFloor(join(dir, 'floor.sqlite'));
    try {
      const rnd = seededRandom(5);
      const entities = Array.from({ length: 250 }, (_, n) => wasteContainer(n, rnd, cityBox()));
      const r = floor.insertEntities(entities, 100);
      assert.equal(r.entities, 250);
      assert.ok(r.entitiesPerSec > 0 && Number.isFinite(r.entitiesPerSec));
      const count = (table) => floor.db.prepare(`SELECT count(*) AS n FROM ${table}`).get().n;
      // A WasteContainer has six attributes, one of them the GeoProperty `location`.
      assert.deepEqual(
        { doc: count('doc'), q: count('q'), geo: count('geo'), history: count('history') },
        { doc: 250, q: 250 * 5, geo: 250, history: 250 * 6 },
      );
      // The q rows answer a q filter: fillingLevel > 0.5 through the (attribute, value) key.
      const above = entities.filter((e) => e.fillingLevel.value > 0.5).length;
      const got = floor.db
        .prepare(
          'SELECT count(*) AS n FROM q WHERE attr = (SELECT attr FROM q WHERE v = ? LIMIT 1) AND v > 0.5',
        )
        .get(entities[0].fillingLevel.value).n;
      assert.equal(got, above);
      // The R*Tree holds each container's point.
      const [lon, lat] = entities[7].location.value.coordinates;
      const hit = floor.db
        .prepare(
          'SELECT count(*) AS n FROM geo WHERE min_x <= ? AND max_x >= ? AND min_y <= ? AND max_y >= ?',
        )
        .get(lon, lon, lat, lat).n;
      assert.ok(hit >= 1);
    } finally {
      floor.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checkpoints on demand: the WAL is emptied and every row stays', () => {
    const dir = mkdtempSync(join(tmpdir(), 'urbis-floor-'));
    const floor = new WriteFloor(join(dir, 'floor.sqlite'));
    try {
      const rnd = seededRandom(6);
      floor.insertEntities(
        Array.from({ length: 300 }, (_, n) => wasteContainer(n, rnd, cityBox())),
        100,
      );
      const wal = () => statSync(join(dir, 'floor.sqlite-wal')).size;
      assert.ok(wal() > 0);
      floor.checkpoint();
      assert.equal(wal(), 0);
      assert.equal(floor.db.prepare('SELECT count(*) AS n FROM doc').get().n, 300);
    } finally {
      floor.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('measures the ingest floor: one document, one q move and one history row per value of each message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'urbis-floor-'));
    try {
      let seen;
      const rate = ingestFloorPointsPerSec(
        join(dir, 'ingest.sqlite'),
        { devices: 20, attrs: 4, messages: 1000, perCommit: 100 },
        (db) => {
          const count = (table) => db.prepare(`SELECT count(*) AS n FROM ${table}`).get().n;
          // The last message of device 20 (eid 20) was message 999: value (999 * 7 + a) % 1000.
          const latest = db.prepare('SELECT attr, v FROM q WHERE eid = 20 ORDER BY attr').all();
          seen = { doc: count('doc'), q: count('q'), history: count('history'), latest };
        },
      );
      assert.ok(rate > 0 && Number.isFinite(rate));
      assert.deepEqual(seen, {
        doc: 20,
        q: 20 * 4,
        history: 1000 * 4,
        latest: [1, 2, 3, 4].map((a) => ({ attr: a, v: (999 * 7 + a) % 1000 })),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
