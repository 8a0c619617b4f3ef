/**
 * The `history` suite: what the temporal store's instance INSERTs cost in the shapes ingest gives
 * them, on the real schema (the store's migrations, with the hourly-rollup trigger) and the real
 * insert path (`InstanceBatch`: rows put in series order, multi-row statements), in raw
 * transactions — no entity rows, no JSON, no transport. It answers two questions the ingest profile
 * raises (decision 0017):
 *
 *   history rows, MQTT shape: 68 devices × 8 messages × 4 readings per commit   rows/s   vs the HTTP-batch shape: 8 devices × 100 messages
 *   the same MQTT shape without the (sid, modified_at) index                     rows/s   vs with it
 *
 * A commit writes every page it dirtied to the WAL, and a series' newest rows sit on their own leaf
 * page of each index, so a commit costs about one page per series per index however few rows the
 * series got: the shape, not the row count, sets the price. Details keep the insert and the COMMIT
 * apart (µs per row). See bench/README.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { median } from './lib/stats.js';

const SETTINGS = {
  full: { devices: 200, prefillPerSeries: 500, mqttCommits: 150, httpCommits: 100 },
  quick: { devices: 40, prefillPerSeries: 50, mqttCommits: 10, httpCommits: 5 },
};
const ATTRS = 4;
/** The shapes of the ingest suite's group commits (bench/README.md, "One working set per group commit"). */
export const SHAPES = {
  mqtt: { devicesPerCommit: 68, messagesPerDevice: 8 },
  http: { devicesPerCommit: 8, messagesPerDevice: 100 },
};

export const suite = {
  name: 'history',
  describe: "history instance INSERTs in ingest's commit shapes, on the store's schema",
  budgetMs: 10 * 60_000,
  run,
};

/** The built modules (the suite measures dist/, as `npm run bench` builds first). */
async function built() {
  const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;
  const [{ runMigrations }, { InstanceBatch }] = await Promise.all([
    import(dist('store/sqlite/migrate.js')),
    import(dist('store/sqlite/temporal/instance-batch.js')),
  ]);
  return { runMigrations, InstanceBatch };
}

/**
 * A history database with the store's schema and pragmas, `devices × 4` series, each prefilled with
 * `prefillPerSeries` rows; `modifiedIndex: false` drops the (sid, modified_at) index.
 */
export class HistoryProbe {
  constructor(file, mods, { devices, prefillPerSeries, modifiedIndex = true }) {
    this.db = new Database(file);
    // The store's pragmas (src/store/sqlite/sqlite-store.ts); checkpoints are run between
    // measurements, untimed, as the store runs them on the other core. Like the store's, the WAL
    // file is kept (up to 64 MiB) when the log restarts, so commits overwrite pages of it rather
    // than grow a new file: on the reference VM a frame written to a fresh page costs ~1.7× more.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('cache_size = -65536');
    this.db.pragma('mmap_size = 268435456');
    this.db.pragma('temp_store = MEMORY');
    this.db.pragma('journal_size_limit = 67108864');
    this.db.pragma('wal_autocheckpoint = 0');
    mods.runMigrations(this.db);
    if (!modifiedIndex) this.db.exec('DROP INDEX temporal_instances_modified');
    this.devices = devices;
    this.batch = new mods.InstanceBatch(this.db);
    this.begin = this.db.prepare('BEGIN IMMEDIATE');
    this.commit = this.db.prepare('COMMIT');
    this.clock = Date.UTC(2026, 11, 4);
    this.seq = 0;
    const entity = this.db.prepare(
      "INSERT INTO temporal_entities (tid, id, types, created_at, modified_at) VALUES (1, ?, '[]', 0, 0)",
    );
    const series = this.db.prepare('INSERT INTO temporal_series (teid, attr, ds) VALUES (?, ?, 0)');
    this.db.transaction(() => {
      for (let d = 0; d < devices; d++) {
        const teid = Number(entity.run(`urn:ngsi-ld:Device:h${d}`).lastInsertRowid);
        for (let a = 0; a < ATTRS; a++) series.run(teid, a + 1);
      }
    })();
    // Prefill in large per-device runs, so that every series has index pages of its own.
    const all = Array.from({ length: devices }, (_, d) => d);
    for (let done = 0; done < prefillPerSeries; done += 50)
      this.group(all, Math.min(50, prefillPerSeries - done));
    this.checkpoint();
  }

  /** One commit: `perDevice` messages of each of `devices`, 4 readings each, in arrival order. */
  group(devices, perDevice) {
    const t0 = performance.now();
    this.begin.run();
    let rows = 0;
    this.batch.insertAll(() => {
      for (let m = 0; m < perDevice; m++)
        for (const d of devices) {
          const at = ++this.clock;
          for (let a = 0; a < ATTRS; a++) {
            const columns = {
              kind: 0,
              observedAt: at,
              num: (this.seq++ * 7) % 500,
              str: null,
              json: null,
              unit: 'GQ',
              extra: null,
            };
            this.batch.add(d * ATTRS + a + 1, columns, at, at);
            rows++;
          }
        }
    });
    const t1 = performance.now();
    this.commit.run();
    const t2 = performance.now();
    return { rows, insertMs: t1 - t0, commitMs: t2 - t1 };
  }

  /**
   * `commits` commits of `shape`, devices in turn; checkpoints every 20 commits (untimed).
   * @returns {{ rowsPerSec: number, insertUsPerRow: number, commitUsPerRow: number }}
   */
  measure(shape, commits) {
    let rows = 0;
    let insertMs = 0;
    let commitMs = 0;
    for (let c = 0; c < commits; c++) {
      const devices = Array.from(
        { length: shape.devicesPerCommit },
        (_, i) => (c * shape.devicesPerCommit + i) % this.devices,
      );
      const r = this.group(devices, shape.messagesPerDevice);
      rows += r.rows;
      insertMs += r.insertMs;
      commitMs += r.commitMs;
      if (c % 20 === 19) this.checkpoint();
    }
    this.checkpoint();
    return {
      rowsPerSec: rows / ((insertMs + commitMs) / 1000),
      insertUsPerRow: (insertMs * 1000) / rows,
      commitUsPerRow: (commitMs * 1000) / rows,
    };
  }

  /** Copy the WAL into the file and have the next commit start the log again from its beginning. */
  checkpoint() {
    this.db.pragma('wal_checkpoint(RESTART)');
  }

  close() {
    this.db.close();
  }
}

async function run({ quick, reps, cleanup, log }) {
  const s = quick ? SETTINGS.quick : SETTINGS.full;
  const mods = await built();
  const dir = mkdtempSync(join(tmpdir(), 'urbis-bench-history-'));
  cleanup.removeDir(dir);
  const figures = { mqtt: [], http: [], lean: [] };
  const details = { settings: s, shapes: SHAPES, reps: [] };
  for (let rep = 0; rep < reps; rep++) {
    const one = {};
    for (const [name, modifiedIndex] of [
      ['store', true],
      ['lean', false],
    ]) {
      const file = join(dir, `${name}-${rep}.sqlite`);
      const probe = new HistoryProbe(file, mods, { ...s, modifiedIndex });
      try {
        const mqtt = probe.measure(SHAPES.mqtt, s.mqttCommits);
        const http = modifiedIndex ? probe.measure(SHAPES.http, s.httpCommits) : undefined;
        one[name] = { mqtt, ...(http ? { http } : {}) };
      } finally {
        probe.close();
        for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
      }
    }
    figures.mqtt.push(one.store.mqtt.rowsPerSec);
    figures.http.push(one.store.http.rowsPerSec);
    figures.lean.push(one.lean.mqtt.rowsPerSec);
    details.reps.push(one);
    const us = (r) => `insert ${r.insertUsPerRow.toFixed(2)} + commit ${r.commitUsPerRow.toFixed(2)} µs/row`;
    log(
      `MQTT shape ${Math.round(one.store.mqtt.rowsPerSec)} rows/s (${us(one.store.mqtt)}); ` +
        `HTTP shape ${Math.round(one.store.http.rowsPerSec)} (${us(one.store.http)}); ` +
        `MQTT shape without the modified_at index ${Math.round(one.lean.mqtt.rowsPerSec)} (${us(one.lean.mqtt)})`,
    );
  }
  const { mqtt, http } = SHAPES;
  const rows = [
    {
      what: `history rows, ${mqtt.devicesPerCommit} devices × ${mqtt.messagesPerDevice} msgs × ${ATTRS} per commit (MQTT shape)`,
      figure: median(figures.mqtt),
      unit: 'rows/s',
      baseline: median(figures.http),
      baselineWhat: `${http.devicesPerCommit} devices × ${http.messagesPerDevice} msgs per commit (HTTP-batch shape)`,
      better: 'higher',
      reps: figures.mqtt,
      problems: [],
    },
    {
      what: 'the MQTT shape without the (sid, modified_at) index',
      figure: median(figures.lean),
      unit: 'rows/s',
      baseline: median(figures.mqtt),
      baselineWhat: "with it (the store's schema)",
      better: 'higher',
      reps: figures.lean,
      problems: [],
    },
  ];
  return { rows, details };
}
