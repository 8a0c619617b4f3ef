/**
 * The write floor: the fewest SQLite rows that issue #2 and the temporal API require for one
 * NGSI-LD entity, written by raw better-sqlite3 with nothing else — no HTTP, no JSON-LD, no
 * validation, no access control, no change stream. Where `SqliteBaseline` stores each document
 * alone (the storage engine's raw speed), this adds what a broker that answers `q`, `geoQ` and the
 * temporal API must index at write time, each in its cheapest form:
 *
 * - the document, keyed by id (one table B-tree);
 * - one q-index entry per attribute value: a WITHOUT ROWID table whose key is (attribute id, value,
 *   entity), so the index is the table (one B-tree insert per value, no second index);
 * - one R*Tree entry per GeoProperty (the spatial index);
 * - one history row per attribute instance, keyed (entity, attribute, time) (one B-tree insert).
 *
 * No design that keeps those three indexes in SQLite writes less, so entities/s here is a ceiling
 * for any SQLite write path with them on this machine: a target above it cannot be met by
 * tuning the broker, only by indexing less at write time or by another storage engine.
 * `ingestFloorPointsPerSec` is the same ceiling for telemetry: what one message must update.
 */
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { timeBatches } from './stats.js';

/** A floor database in a WAL-mode file. */
export class WriteFloor {
  /**
   * @param {string} file path of a new database file in a temp dir
   * @param {{ synchronous?: 'OFF' | 'NORMAL' | 'FULL' }} [opts] match the store's setting
   */
  constructor(file, { synchronous = 'NORMAL' } = {}) {
    this.file = file;
    this.db = openFloor(file, synchronous);
    const s = {
      doc: this.db.prepare('INSERT INTO doc (id, doc) VALUES (?, ?)'),
      q: this.db.prepare('INSERT INTO q (attr, v, eid) VALUES (?, ?, ?)'),
      geo: this.db.prepare('INSERT INTO geo VALUES (?, ?, ?, ?, ?)'),
      history: this.db.prepare('INSERT INTO history (eid, attr, t, v) VALUES (?, ?, ?, ?)'),
    };
    const attrId = interner();
    this.insertBatch = this.db.transaction((entities) => {
      const t = Date.now();
      for (const e of entities) {
        const eid = Number(s.doc.run(e.id, JSON.stringify(e)).lastInsertRowid);
        for (const [attr, a] of Object.entries(e)) {
          if (attr === 'id' || attr === 'type' || a === null || typeof a !== 'object') continue;
          const value = a.type === 'Relationship' ? a.object : a.value;
          const p = attrId(attr);
          if (a.type === 'GeoProperty') {
            const [x, y] = value.coordinates;
            s.geo.run(eid, x, x, y, y);
          } else {
            s.q.run(p, scalar(value), eid);
          }
          s.history.run(eid, p, t, JSON.stringify(value));
        }
      }
    });
  }

  /**
   * Write entities (normalized NGSI-LD, as sent to the broker) in transactions of `batch` and time it.
   * @param {Array<Record<string, any>>} entities
   * @param {number} [batch]
   * @returns {{ entities: number, seconds: number, entitiesPerSec: number }}
   */
  insertEntities(entities, batch = 1000) {
    const r = timeBatches(entities, batch, this.insertBatch);
    return { entities: r.count, seconds: r.seconds, entitiesPerSec: r.perSec };
  }

  /**
   * Copy the WAL into the database file and empty it, outside any timing: what the store's
   * background checkpointer does on the other core between commits. Call it between repetitions or
   * segments: a WAL left to grow over several of them slowed the floor's later ones by up to 3×
   * (measured 2026-12-04: 26,784 → 7,894 entities/s by the fourth 15,000-entity repetition, against
   * 24,080 → 17,578 with a checkpoint after each), which the store never sees.
   */
  checkpoint() {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /**
   * Close the database and delete its files. Without checkpoints the WAL grows to hundreds of MB;
   * deleted before the next phase, its dirty pages are dropped instead of written back to disk
   * while the server is being measured. Safe to call twice.
   */
  close() {
    if (this.db.open) this.db.close();
    removeFloorFiles(this.file);
  }
}

/**
 * The ingest floor: for `devices` entities of `attrs` numeric attributes each, what one telemetry
 * message of one value per attribute must write to be committed and queryable — the entity's
 * document rewritten, each attribute's q-index entry moved to its new value (a delete and an insert:
 * the value is in the key), and one history row per value — in transactions of `perCommit`
 * messages, round-robin over the devices. The document is a WasteContainer-sized JSON (~1.4 KB)
 * whatever the attributes, as the store keeps the whole entity.
 * @param {string} file path of a new database file in a temp dir
 * @param {{ devices: number, attrs: number, messages: number, perCommit: number }} o
 * @param {(db: import('better-sqlite3').Database) => void} [inspect] shown the database before it closes (tests)
 * @returns {number} data points (attribute values) per second
 */
export function ingestFloorPointsPerSec(file, { devices, attrs, messages, perCommit }, inspect) {
  const db = openFloor(file, 'NORMAL');
  try {
    const doc = JSON.stringify({ pad: 'x'.repeat(1400) });
    const addDoc = db.prepare('INSERT INTO doc (id, doc) VALUES (?, ?)');
    const setDoc = db.prepare('UPDATE doc SET doc = ? WHERE eid = ?');
    const dropQ = db.prepare('DELETE FROM q WHERE attr = ? AND v = ? AND eid = ?');
    const addQ = db.prepare('INSERT INTO q (attr, v, eid) VALUES (?, ?, ?)');
    const addHistory = db.prepare('INSERT INTO history (eid, attr, t, v) VALUES (?, ?, ?, ?)');
    const last = new Float64Array(devices * attrs);
    db.transaction(() => {
      for (let d = 1; d <= devices; d++) {
        addDoc.run(`urn:ngsi-ld:Device:${d}`, doc);
        for (let a = 1; a <= attrs; a++) addQ.run(a, 0, d);
      }
    })();
    let t = 1_780_000_000_000;
    const commit = db.transaction((from, to) => {
      for (let m = from; m < to; m++) {
        const eid = (m % devices) + 1;
        t += 1;
        setDoc.run(doc, eid);
        for (let a = 1; a <= attrs; a++) {
          const slot = (eid - 1) * attrs + a - 1;
          const v = (m * 7 + a) % 1000;
          dropQ.run(a, last[slot], eid);
          addQ.run(a, v, eid);
          last[slot] = v;
          addHistory.run(eid, a, t, v);
        }
      }
    });
    const t0 = performance.now();
    for (let m = 0; m < messages; m += perCommit) commit(m, Math.min(messages, m + perCommit));
    const seconds = (performance.now() - t0) / 1000;
    inspect?.(db);
    return (messages * attrs) / seconds;
  } finally {
    db.close();
    removeFloorFiles(file);
  }
}

/** Delete a floor database with its WAL and shared-memory files. */
function removeFloorFiles(file) {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
}

/** A new floor database with the store's pragmas and the four structures. */
function openFloor(file, synchronous) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  // The store's page cache (64 MiB): index inserts land at random places in growing B-trees.
  db.pragma('cache_size = -65536');
  // No checkpoints while measuring: the store runs them in a worker on the other core, so the floor
  // pays none either (its WAL grows to a few hundred MB in a full run, in the run's temp dir).
  db.pragma('wal_autocheckpoint = 0');
  db.exec(`
    CREATE TABLE IF NOT EXISTS doc (eid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, doc TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS q (attr INTEGER NOT NULL, v, eid INTEGER NOT NULL, PRIMARY KEY (attr, v, eid)) WITHOUT ROWID;
    CREATE VIRTUAL TABLE IF NOT EXISTS geo USING rtree (id, min_x, max_x, min_y, max_y);
    CREATE TABLE IF NOT EXISTS history (eid INTEGER NOT NULL, attr INTEGER NOT NULL, t INTEGER NOT NULL, v, PRIMARY KEY (eid, attr, t)) WITHOUT ROWID;
  `);
  return db;
}

/** Attribute names as small integers, as an index should hold them (interned in memory here). */
function interner() {
  const ids = new Map();
  return (name) => {
    let n = ids.get(name);
    if (n === undefined) ids.set(name, (n = ids.size + 1));
    return n;
  };
}

/** The value as one indexable SQLite value: numbers and strings as they are, anything else as JSON. */
function scalar(v) {
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (v !== null && typeof v === 'object' && typeof v['@value'] === 'string') return v['@value'];
  return JSON.stringify(v);
}
