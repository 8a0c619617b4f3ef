// Tests of the history suite's probe (run with `node --test bench/`, after `npm run build`).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryProbe } from './history.js';

const dist = (p) => new URL(`../dist/${p}`, import.meta.url).href;
const mods = {
  ...(await import(dist('store/sqlite/migrate.js'))),
  ...(await import(dist('store/sqlite/temporal/instance-batch.js'))),
};

function withProbe(opts, fn) {
  const dir = mkdtempSync(join(tmpdir(), 'history-test-'));
  const probe = new HistoryProbe(join(dir, 'h.sqlite'), mods, opts);
  try {
    fn(probe);
  } finally {
    probe.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('HistoryProbe', () => {
  it('writes every row of every commit, through the store schema and its rollup trigger', () => {
    withProbe({ devices: 10, prefillPerSeries: 3 }, (probe) => {
      const count = () => probe.db.prepare('SELECT count(*) AS n FROM temporal_instances').get().n;
      const hourly = () => probe.db.prepare('SELECT sum(n_all) AS n FROM temporal_hourly').get().n;
      assert.equal(count(), 10 * 4 * 3);
      const r = probe.measure({ devicesPerCommit: 4, messagesPerDevice: 2 }, 5);
      assert.equal(count(), 10 * 4 * 3 + 5 * 4 * 2 * 4);
      assert.equal(hourly(), count());
      assert.ok(r.rowsPerSec > 0 && r.insertUsPerRow > 0 && r.commitUsPerRow > 0);
    });
  });

  it('drops the (sid, modified_at) index only when asked', () => {
    const indexes = (probe) =>
      probe.db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'temporal_instances'")
        .all()
        .map((r) => r.name);
    withProbe({ devices: 2, prefillPerSeries: 1 }, (probe) =>
      assert.ok(indexes(probe).includes('temporal_instances_modified')),
    );
    withProbe({ devices: 2, prefillPerSeries: 1, modifiedIndex: false }, (probe) =>
      assert.ok(!indexes(probe).includes('temporal_instances_modified')),
    );
  });
});
