/**
 * The temporal API's aggregated answer (clause 4.5.19: per method `[[value, start, end], …]`) turned
 * into uPlot's columns: one x array (period starts, seconds) and one y array per method, aligned, with
 * null where a method has no value for a period.
 */

export interface Series {
  /** Period starts, Unix seconds, ascending. */
  x: number[];
  /** One column per method, aligned with x. */
  y: Record<string, Array<number | null>>;
}

/** The windows the chart offers, with the aggregation period that keeps them readable. */
export const WINDOWS = {
  '24h': { label: '24 h', ms: 24 * 3600_000, period: 'PT1H' },
  '7d': { label: '7 d', ms: 7 * 24 * 3600_000, period: 'PT6H' },
  '30d': { label: '30 d', ms: 30 * 24 * 3600_000, period: 'P1D' },
} as const;
export type WindowKey = keyof typeof WINDOWS;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** Columns for `attr` and `methods` out of a temporal entity in aggregatedValues form. */
export function aggregatedSeries(temporalEntity: unknown, attr: string, methods: readonly string[]): Series {
  // Every method gets a column, empty when there is nothing: the chart never meets a missing series.
  const out: Series = { x: [], y: Object.fromEntries(methods.map((m) => [m, []])) };
  if (!isObject(temporalEntity)) return out;
  let member = temporalEntity[attr];
  if (Array.isArray(member)) member = member[0];
  if (!isObject(member)) return out;
  const byStart = new Map<number, Record<string, number>>();
  for (const m of methods) {
    const rows = member[m];
    if (!Array.isArray(rows)) continue;
    for (const row of rows) {
      if (!Array.isArray(row) || typeof row[0] !== 'number' || typeof row[1] !== 'string') continue;
      const t = Date.parse(row[1]);
      if (Number.isNaN(t)) continue;
      const s = Math.floor(t / 1000);
      const slot = byStart.get(s) ?? {};
      slot[m] = row[0];
      byStart.set(s, slot);
    }
  }
  out.x = [...byStart.keys()].sort((a, b) => a - b);
  for (const m of methods) out.y[m] = out.x.map((s) => byStart.get(s)?.[m] ?? null);
  return out;
}

/** Numeric attribute names of an entity worth charting (those with a number value). */
export function chartableAttributes(attrs: ReadonlyArray<{ name: string; value: unknown }>): string[] {
  return attrs.filter((a) => typeof a.value === 'number').map((a) => a.name);
}
