/** The series (attribute × datasetId) of a temporal entity, grouped by attribute. */
import type Database from 'better-sqlite3';
import type { Dictionary } from '../dictionary.js';

/** A temporal entity as selected. */
export interface EntityRow {
  teid: number;
  id: string;
  types: string;
  created_at: number;
  modified_at: number;
}

/** One attribute of an entity with its series, one per datasetId (default first). */
export interface AttrSeries {
  attr: string;
  series: Array<{ sid: number; datasetId?: string }>;
}

/** Lists series per attribute; `only` restricts to these attribute IRIs. */
export class SeriesLister {
  private readonly stmt: Database.Statement<[number], { sid: number; attr: number; ds: number }>;

  constructor(
    db: Database.Database,
    private readonly terms: Dictionary,
  ) {
    this.stmt = db.prepare('SELECT sid, attr, ds FROM temporal_series WHERE teid = ? ORDER BY attr, ds');
  }

  list(teid: number, only?: readonly string[]): AttrSeries[] {
    const wanted = only && new Set(only.map((a) => this.terms.idOf(a)).filter((p) => p !== undefined));
    const out: AttrSeries[] = [];
    let last: { p: number; group: AttrSeries } | undefined;
    for (const r of this.stmt.all(teid)) {
      if (wanted && !wanted.has(r.attr)) continue;
      if (last?.p !== r.attr) {
        last = { p: r.attr, group: { attr: this.terms.nameOf(r.attr), series: [] } };
        out.push(last.group);
      }
      last.group.series.push(
        r.ds === 0 ? { sid: r.sid } : { sid: r.sid, datasetId: this.terms.nameOf(r.ds) },
      );
    }
    return out;
  }
}
