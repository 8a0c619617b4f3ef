/**
 * The monthly partitions of `temporal_instances` (migration 0004): one per UTC month of modified_at,
 * named `temporal_instances_pYYYY_MM`, beside the DEFAULT partition that takes whatever has no month
 * of its own (so that no write ever fails for want of a partition).
 *
 * Partitions are DDL, and DDL never runs inside the entity writer's transaction: it would take
 * locks on the whole history in the middle of a write, and roll back with it. Instead:
 * - at start-up, `ensure` creates the months around the current one (ahead of time, so that writes
 *   of the coming months land in their own partition);
 * - when a committed write landed in a month that has no partition, the writer's after-commit work
 *   creates it out of band (`afterWrites`), moving that month's rows out of DEFAULT.
 * Creating a month is idempotent and safe when several replicas do it at once: each creation runs in
 * one transaction under a transaction-scoped advisory lock, re-checks the catalogue under it, and
 * does nothing when the month exists. It builds the month as a plain table, moves the month's rows
 * out of DEFAULT into it, and ATTACHes it (a CHECK constraint matching the bounds spares ATTACH a
 * scan of the new table; CREATE TABLE … PARTITION OF would fail when DEFAULT holds rows of the
 * month). Writers of the history are held off meanwhile by a SHARE ROW EXCLUSIVE lock on the parent,
 * taken first: ATTACH alone locks the parent only SHARE UPDATE EXCLUSIVE, and a writer that had
 * routed its row to DEFAULT before the new month appeared would then fail DEFAULT's new constraint
 * (23514; seen in the tests). Writers queue on the parent lock and route their rows once the month
 * is there; readers are not blocked by it (only, for a moment, by ATTACH's lock on DEFAULT). It is
 * rare — once per month, ahead of time — and short when DEFAULT is empty, as it normally is.
 * `dropMonthsBefore` is retention by partition: whole months detached and dropped.
 */
import type pg from 'pg';
import { rows, transaction, type Sql } from '../sql.js';

/** The advisory lock key of partition maintenance (ASCII "urbistmp"), in the database's shared key space. */
export const PARTITION_LOCK_KEY = '8462934854830681456';

const PARENT = 'temporal_instances';
const NAME = /^temporal_instances_p(\d{4})_(\d{2})$/;

/** A UTC month as a number: year × 12 + month index (0–11). */
export type Month = number;

/** The month of an instant (epoch ms). */
export function monthOf(ms: number): Month {
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/** The first instant (epoch ms) of a month (setUTCFullYear: Date.UTC would read years 0–99 as 19xx). */
export function monthStart(m: Month): number {
  const d = new Date(0);
  d.setUTCFullYear(Math.floor(m / 12), m % 12, 1);
  return d.getTime();
}

/** Months PostgreSQL bounds can be written for (0001-01 … 9999-11: the upper bound is the next month). */
const inRange = (m: Month): boolean => m >= 12 && m < 9999 * 12 + 11;

/** The partition's name and its bounds as timestamptz literals. */
export function monthPartition(m: Month): { name: string; from: string; to: string } {
  const year = Math.floor(m / 12);
  const month = (m % 12) + 1;
  const pad = (n: number, w: number): string => String(n).padStart(w, '0');
  const start = (y: number, mo: number): string => `${pad(y, 4)}-${pad(mo, 2)}-01 00:00:00+00`;
  const next = m + 1;
  return {
    name: `${PARENT}_p${pad(year, 4)}_${pad(month, 2)}`,
    from: start(year, month),
    to: start(Math.floor(next / 12), (next % 12) + 1),
  };
}

/** The month a partition's name stands for, or undefined when it is not one of ours. */
export function monthOfName(name: string): Month | undefined {
  const m = NAME.exec(name);
  return m ? Number(m[1]) * 12 + Number(m[2]) - 1 : undefined;
}

/** Creates, finds and drops the monthly partitions. */
export class Partitions {
  /** Months known to have their partition (they never go away except by dropMonthsBefore). */
  private readonly known = new Set<Month>();
  private readonly inFlight = new Map<Month, Promise<void>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** The months that have a partition now (read from the catalogue). */
  async months(db: Sql = this.pool): Promise<Month[]> {
    const found = await rows<{ name: string }>(
      db,
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = $1::regclass`,
      [PARENT],
    );
    const out = found.map((r) => monthOfName(r.name)).filter((m): m is Month => m !== undefined);
    return out.sort((a, b) => a - b);
  }

  /** Make sure months `from`..`to` (inclusive) have their partitions. */
  async ensure(from: Month, to: Month): Promise<void> {
    for (const m of await this.months()) this.known.add(m);
    for (let m = from; m <= to; m++) await this.ensureMonth(m);
  }

  /** Make sure month `m` has its partition (one creation at a time per month in this process). */
  ensureMonth(m: Month): Promise<void> {
    if (this.known.has(m) || !inRange(m)) return Promise.resolve();
    let p = this.inFlight.get(m);
    if (p === undefined) {
      p = this.create(m).finally(() => this.inFlight.delete(m));
      this.inFlight.set(m, p);
    }
    return p;
  }

  /**
   * After-commit work for writes at `times` (epoch ms): create, out of band, the months that have
   * no partition yet; undefined when every month is known. Failures go to the error listener (the
   * rows are safe in DEFAULT meanwhile).
   */
  afterWrites(times: Iterable<number>): (() => void) | undefined {
    const missing = new Set<Month>();
    for (const t of times) {
      const m = monthOf(t);
      if (!this.known.has(m) && inRange(m)) missing.add(m);
    }
    if (missing.size === 0) return undefined;
    return () => {
      for (const m of missing) this.ensureMonth(m).catch(this.onError);
    };
  }

  /** Resolves when the out-of-band creations started so far have ended. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /**
   * Retention by partition: detach and drop every month that ends at or before `before` (all
   * tenants). Rows of those months still in DEFAULT stay (a prune deletes them). Returns the
   * partitions dropped.
   */
  async dropMonthsBefore(before: Date): Promise<string[]> {
    const cutoff = before.getTime();
    if (!Number.isFinite(cutoff)) throw new Error('dropMonthsBefore needs a valid date');
    return transaction(this.pool, async (db) => {
      await db.query('SELECT pg_advisory_xact_lock($1::bigint)', [PARTITION_LOCK_KEY]);
      const dropped: string[] = [];
      for (const m of await this.months(db)) {
        if (monthStart(m + 1) > cutoff) continue;
        const { name } = monthPartition(m);
        await db.query(`ALTER TABLE ${PARENT} DETACH PARTITION ${name}`);
        await db.query(`DROP TABLE ${name}`);
        this.known.delete(m);
        dropped.push(name);
      }
      return dropped;
    });
  }

  private async create(m: Month): Promise<void> {
    const { name, from, to } = monthPartition(m);
    // Names and bounds are made from integers here: safe to write into DDL, which takes no parameters.
    await transaction(this.pool, async (db) => {
      await db.query('SELECT pg_advisory_xact_lock($1::bigint)', [PARTITION_LOCK_KEY]);
      if ((await this.months(db)).includes(m)) return;
      // Writers of the history wait until this commits (readers do not): see the header.
      await db.query(`LOCK TABLE ${PARENT} IN SHARE ROW EXCLUSIVE MODE`);
      await db.query(`CREATE TABLE ${name} (LIKE ${PARENT} INCLUDING DEFAULTS)`);
      await db.query(
        `WITH moved AS (DELETE FROM ${PARENT}_default WHERE modified_at >= $1 AND modified_at < $2 RETURNING *)
         INSERT INTO ${name} SELECT * FROM moved`,
        [from, to],
      );
      await db.query(
        `ALTER TABLE ${name} ADD CONSTRAINT ${name}_bounds CHECK (modified_at >= '${from}' AND modified_at < '${to}')`,
      );
      await db.query(
        `ALTER TABLE ${PARENT} ATTACH PARTITION ${name} FOR VALUES FROM ('${from}') TO ('${to}')`,
      );
      await db.query(`ALTER TABLE ${name} DROP CONSTRAINT ${name}_bounds`);
    });
    this.known.add(m);
  }
}
