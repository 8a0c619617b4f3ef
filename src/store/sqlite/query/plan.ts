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

/**
 * How a query runs: a scan in id order (over the tenant, or `via` one type's entities), or from one
 * conjunct's driver.
 */
export type Plan = { kind: 'scan'; via?: Conjunct } | { kind: 'drive'; by: Conjunct };

/** Counts a driver's rows, stopping at `cap`. */
export type Counter = (s: Sql, cap: number) => number;

/** Smallest cap worth counting to; below it any plan is cheap. */
const MIN_CAP = 1000;

/**
 * What one driven candidate costs in scanned rows: a candidate is deduplicated, joined to its
 * entity, probed and sorted (~2 µs on 100,000 entities), a scanned row is one index step and its
 * probes (~0.5 µs).
 */
const DRIVE_COST = 4;

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
  // A scan walks one type's entities when the query names one: the others' ids need not be stepped over.
  const via = conjuncts.find((c) => c.scan !== undefined);
  const scan: Plan = via ? { kind: 'scan', via } : { kind: 'scan' };
  if (drivers.length === 0) return scan;
  const known = drivers.find((c) => c.known !== undefined);
  if (known) return { kind: 'drive', by: known };
  // Break-even for one driver of n rows, density n/size: DRIVE_COST * n < want * size / n.
  const cap = Math.max(
    MIN_CAP,
    want === undefined ? Math.ceil(size / DRIVE_COST) : Math.ceil(Math.sqrt((want * size) / DRIVE_COST)),
  );
  let best: { c: Conjunct; n: number } | undefined;
  let density = 1;
  for (const c of drivers) {
    // Once one driver is counted, the others need counting only far enough to tell whether they are smaller.
    const limit = best ? Math.min(cap, best.n) : cap;
    const n = count(c.driver!, limit);
    // A count that reached its limit only says "at least": assume nothing of that driver's selectivity.
    // The scanned type's own share does not thin a scan that walks only that type.
    if (n < limit && c !== via) density *= n / Math.max(1, size);
    if (!best || n < best.n) best = { c, n };
  }
  if (!best || best.n >= cap) return scan;
  if (want === undefined) return { kind: 'drive', by: best.c };
  const scanRows = Math.min(size, want / Math.max(density, 1e-9));
  return DRIVE_COST * best.n < scanRows ? { kind: 'drive', by: best.c } : scan;
}

/**
 * `FROM ... WHERE ...` selecting the matching entities (alias e, with at least e.eid and e.id) under a
 * plan; `idColumn` names the column to order by for id order when it is not e.id.
 */
export function fromWhere(
  tid: number,
  conjuncts: Conjunct[],
  plan: Plan,
  /** The caller reads entity columns beyond eid and id (an ORDER BY on other keys). */
  rowColumns = false,
): Sql & { idColumn?: string } {
  const left = remaining(conjuncts, plan);
  if (plan.kind === 'scan') {
    const where = join([sql('e.tid = ?', tid), ...probes(left, false), ...probes(left, true)], ' AND ');
    if (plan.via?.scan) {
      const s = plan.via.scan;
      if (!rowColumns && left.every((c) => c.byEid && !c.costly)) {
        // Every test needs only the entity number: run them on the type's rows (alias e: eid and id)
        // without reading one entity row; the page's documents are fetched afterwards.
        const tests = join(probes(left, false), ' AND ');
        return {
          sql: `FROM (${s.sql}) e${tests.sql === '' ? '' : ` WHERE ${tests.sql}`}`,
          params: [...s.params, ...tests.params],
        };
      }
      // CROSS JOIN keeps the type's rows (in id order, alias s) as the outer loop.
      return {
        sql: `FROM (${s.sql}) s CROSS JOIN entities e ON e.eid = s.eid WHERE ${where.sql}`,
        params: [...s.params, ...where.params],
        idColumn: 's.id',
      };
    }
    return { sql: `FROM entities e WHERE ${where.sql}`, params: where.params };
  }
  if (!rowColumns && left.every((c) => c.byEid && !c.costly)) {
    const byType = typeRowsDrive(plan.by.driver!, conjuncts, left);
    if (byType) return byType;
  }
  return drive(tid, plan.by.driver!, left);
}

/**
 * When one type is named and every test in `tests` needs only entity numbers: the driver's
 * candidates that pass them, with each one's id taken from its type row (alias e: eid and id)
 * instead of its entity row, which is far larger. Undefined when no single type is named.
 *
 * Duplicates (an entity with several matching values or shapes) are removed by GROUP BY on the id
 * after the join, not by a DISTINCT on the driver's rows before it: SQLite's one sorter then both
 * de-duplicates and puts the candidates in id order, where DISTINCT cost a temporary B-tree of its
 * own before the sort by id (measured at the store on 100,000 entities, old and new build
 * alternating: a `near` page 2.7 → 2.1 ms, a selective two-comparison page 1.7 → 1.25 ms). Probes
 * now see a duplicate candidate once per matching value, which only entities with several cost.
 */
function typeRowsDrive(driver: Sql, conjuncts: Conjunct[], tests: Conjunct[]): Sql | undefined {
  const via = conjuncts.find((c) => c.scan !== undefined && c.exact);
  if (!via?.scan) return undefined;
  const probe = join(
    probes(
      tests.filter((c) => c !== via),
      false,
    ),
    ' AND ',
  );
  // The probes name the candidate `e` (e.eid) and run before its type row is read: LIMIT -1 keeps
  // SQLite from flattening them into the join, which would read every candidate's type row first.
  const filtered =
    probe.sql === ''
      ? `(${driver.sql})`
      : `(SELECT e.eid AS eid FROM (${driver.sql}) e WHERE ${probe.sql} LIMIT -1)`;
  // ORDER BY e.id costs nothing after GROUP BY e.id, and lets an outer ORDER BY e.id skip its sort.
  return {
    sql:
      `FROM (SELECT e.eid AS eid, e.id AS id FROM ${filtered} d ` +
      `CROSS JOIN (${via.scan.sql}) e ON e.eid = d.eid GROUP BY e.id ORDER BY e.id) e`,
    params: [...driver.params, ...probe.params, ...via.scan.params],
  };
}

/**
 * For a page in id order under a drive plan with costly tests: `FROM ... WHERE ...` whose rows
 * (alias e) come in id order (alias o.id) without a sort after the costly tests. The candidates
 * that pass the cheap tests are sorted by id first; the costly tests then run on them in that
 * order, and LIMIT stops them once the page is full. Undefined when the plan has no costly test.
 */
export function lazyFromWhere(tid: number, conjuncts: Conjunct[], plan: Plan): Sql | undefined {
  if (plan.kind !== 'drive') return undefined;
  const left = remaining(conjuncts, plan);
  const costly = probes(left, true);
  if (costly.length === 0) return undefined;
  const cheap = left.filter((c) => !c.costly);
  // Sorting the candidates needs their ids: from the type rows when it can, not the entity rows.
  const inner =
    (cheap.every((c) => c.byEid) ? typeRowsDrive(plan.by.driver!, conjuncts, cheap) : undefined) ??
    drive(tid, plan.by.driver!, cheap);
  const outer = join(costly, ' AND ');
  // LIMIT -1 keeps SQLite from flattening the sorted candidates into the outer query (which would
  // run the costly tests before sorting); the outer loop then reads them in order, so it needs no sort.
  return {
    sql:
      `FROM (SELECT e.eid AS eid, e.id AS id ${inner.sql} ORDER BY e.id LIMIT -1) o ` +
      `CROSS JOIN entities e ON e.eid = o.eid WHERE ${outer.sql}`,
    params: [...inner.params, ...outer.params],
  };
}

/** The conjuncts a plan must still test (an exact driver needs no probe). */
function remaining(conjuncts: Conjunct[], plan: Plan): Conjunct[] {
  const source = plan.kind === 'drive' ? plan.by : plan.via;
  return conjuncts.filter((c) => !(c === source && c.exact));
}

function probes(cs: Conjunct[], costly: boolean): Sql[] {
  return cs.filter((c) => !!c.costly === costly).map((c) => c.probe);
}

/**
 * Rows of the driver joined to their entities (CROSS JOIN keeps the driver as the outer loop).
 * Probes that read only e.eid run on the driver's rows before the join, so candidates they reject
 * never have their entity row read.
 */
function drive(tid: number, d: Sql, tests: Conjunct[]): Sql {
  const early = tests.filter((c) => c.byEid && !c.costly).map((c) => c.probe);
  const late = join(
    [
      sql('e.tid = ?', tid),
      ...probes(
        tests.filter((c) => !c.byEid),
        false,
      ),
      ...probes(tests, true),
    ],
    ' AND ',
  );
  const candidates = `SELECT DISTINCT eid FROM (${d.sql})`;
  if (early.length === 0)
    return {
      sql: `FROM (${candidates}) d CROSS JOIN entities e ON e.eid = d.eid WHERE ${late.sql}`,
      params: [...d.params, ...late.params],
    };
  const pre = join(early, ' AND ');
  return {
    sql:
      `FROM (SELECT e.eid AS eid FROM (${candidates}) e WHERE ${pre.sql}) d ` +
      `CROSS JOIN entities e ON e.eid = d.eid WHERE ${late.sql}`,
    params: [...d.params, ...pre.params, ...late.params],
  };
}
