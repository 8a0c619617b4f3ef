/**
 * The instances one write records, inserted together when it ends rather than one statement each.
 *
 * An INSERT into `temporal_instances` updates its two indexes and fires the hourly rollup trigger;
 * run one row at a time, the statement's own cost (binding, VDBE set-up, trigger program) is about
 * half the row's, and rows of many series in arrival order land on index pages far apart. So the
 * rows wait here until the writer's call ends (still inside its transaction), are put in series
 * order — a stable sort, so a series keeps its own arrival order and its instance ids still grow
 * with it — and go in through multi-row statements of CHUNKS rows (raw SQLite, 6,400 rows of 800
 * series per commit: 120,000 → 220,000 rows/s on the reference machine). Nothing reads the history
 * inside the call that wrote it, so the delay is not visible.
 */
import type Database from 'better-sqlite3';
import type { InstanceColumns } from '../../shared/temporal/instance-codec.js';

const COLUMNS =
  'INSERT INTO temporal_instances (sid, kind, observed_at, created_at, modified_at, num, str, json, unit, extra) VALUES ';
const ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const WIDTH = 10;
/** Statement sizes, largest first: a batch is cut greedily into them (32 × 10 parameters each at most). */
const CHUNKS = [32, 8, 4, 2, 1] as const;

/** Rows for `temporal_instances`, collected during one call and inserted at its end. */
export class InstanceBatch {
  private readonly statements: Map<number, Database.Statement>;
  private values: unknown[] = [];

  constructor(db: Database.Database) {
    this.statements = new Map(
      CHUNKS.map((n) => [n, db.prepare(COLUMNS + Array.from({ length: n }, () => ROW).join(', '))]),
    );
  }

  /**
   * Run `fill`, which `add`s rows, then insert them all in series order. Rows of a `fill` that threw
   * are dropped (its transaction rolls back), so none can leak into the next call.
   */
  insertAll(fill: () => void): void {
    this.values = [];
    try {
      fill();
    } catch (error) {
      this.values = [];
      throw error;
    }
    const values = this.values;
    this.values = [];
    this.insert(values);
  }

  add(sid: number, c: InstanceColumns, createdAt: number, modifiedAt: number): void {
    this.values.push(sid, c.kind, c.observedAt, createdAt, modifiedAt, c.num, c.str, c.json, c.unit, c.extra);
  }

  private insert(values: unknown[]): void {
    const rows = values.length / WIDTH;
    if (rows === 0) return;
    const order = Array.from({ length: rows }, (_, i) => i);
    order.sort((a, b) => (values[a * WIDTH] as number) - (values[b * WIDTH] as number));
    let next = 0;
    for (const n of CHUNKS) {
      const statement = this.statements.get(n)!;
      const params = new Array<unknown>(n * WIDTH);
      while (rows - next >= n) {
        for (let r = 0; r < n; r++) {
          const from = order[next + r]! * WIDTH;
          for (let k = 0; k < WIDTH; k++) params[r * WIDTH + k] = values[from + k];
        }
        statement.run(params);
        next += n;
      }
    }
  }
}
