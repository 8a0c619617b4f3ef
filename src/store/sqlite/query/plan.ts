/**
 * Chooses how to run a compiled query and builds its SQL. Either SCAN the tenant's entities in id
 * order (index (tid, id)) testing every conjunct per row — cheap when matches are dense and the
 * page is small, since it stops after offset+limit matches — or DRIVE from the most selective
 * conjunct's index (type, q value range, R*Tree box, scope, ids), testing the rest on those rows only.
 * Selectivity is measured, not guessed: each driver's rows are counted up to a cap that is the
 * break-even point between the two plans.
 */
import type { Conjunct, Sql } from './sql.js';
import { join, sql } from './sql.js';

/** How a query runs: a scan in id order, or from one conjunct's driver. */
export type Plan = { kind: 'scan' } | { kind: 'drive'; by: Conjunct };

/** Counts a driver's rows, stopping at `cap`. */
export type Counter = (s: Sql, cap: number) => number;

/** Smallest cap worth counting to; below it any plan is cheap. */
const MIN_CAP = 1000;

/**
 * Pick a plan. `want` is offset+limit for a page in id order, or undefined when every match is
 * needed (counts, id lists, other orders). `size` is the tenant's entity count.
 */
export function choosePlan(
  conjuncts: Conjunct[],
  want: number | undefined,
  size: number,
  count: Counter,
): Plan {
  const drivers = conjuncts.filter((c) => c.driver);
  if (drivers.length === 0) return { kind: 'scan' };
  const known = drivers.find((c) => c.known !== undefined);
  if (known) return { kind: 'drive', by: known };
  // Break-even: driving costs ~2n (dedupe + sort); a scan meets want/density rows, density ~ n/size.
  const cap = Math.max(
    MIN_CAP,
    want === undefined ? Math.ceil(size / 4) : Math.ceil(2 * Math.sqrt(want * size)),
  );
  let best: { c: Conjunct; n: number } | undefined;
  let density = 1;
  for (const c of drivers) {
    const n = count(c.estimate ?? c.driver!, cap);
    density *= Math.min(1, n / Math.max(1, size));
    if (!best || n < best.n) best = { c, n };
  }
  if (!best || best.n >= cap) return { kind: 'scan' };
  if (want === undefined) return { kind: 'drive', by: best.c };
  const scanRows = Math.min(size, want / Math.max(density, 1e-9));
  return 2 * best.n < scanRows ? { kind: 'drive', by: best.c } : { kind: 'scan' };
}

/** `FROM ... WHERE ...` selecting the matching entity rows (alias e) under a plan. */
export function fromWhere(tid: number, conjuncts: Conjunct[], plan: Plan): Sql {
  const tests = conjuncts
    .filter((c) => !(plan.kind === 'drive' && c === plan.by && c.exact))
    .map((c) => c.probe);
  const where = join([sql('e.tid = ?', tid), ...tests], ' AND ');
  if (plan.kind === 'scan') return { sql: `FROM entities e WHERE ${where.sql}`, params: where.params };
  const d = plan.by.driver!;
  // CROSS JOIN keeps the driver as the outer loop.
  return {
    sql: `FROM (SELECT DISTINCT eid FROM (${d.sql})) d CROSS JOIN entities e ON e.eid = d.eid WHERE ${where.sql}`,
    params: [...d.params, ...where.params],
  };
}
