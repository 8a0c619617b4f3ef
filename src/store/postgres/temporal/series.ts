/** The series (attribute × datasetId) of temporal entities, grouped by entity and attribute. */
import { rows, type Sql } from '../sql.js';
import { datasetOf } from './instance-codec.js';

/** One series of an attribute. */
export interface Series {
  sid: string;
  datasetId?: string;
}

/** One attribute of an entity with its series, one per datasetId (the default instance first). */
export interface AttrSeries {
  attr: string;
  series: Series[];
}

/**
 * The series of the entities `teids` (bigint ids as text), per entity in attribute order (byte
 * order of the IRIs); `only` restricts to these attributes (none when empty).
 */
export async function listSeries(
  db: Sql,
  teids: string[],
  only: readonly string[] | undefined,
): Promise<Map<string, AttrSeries[]>> {
  const out = new Map<string, AttrSeries[]>();
  if (teids.length === 0 || (only !== undefined && only.length === 0)) return out;
  const found = await rows<{ sid: string; teid: string; attr: string; ds: string }>(
    db,
    'SELECT sid::text AS sid, teid::text AS teid, attr, ds FROM temporal_series WHERE teid = ANY($1::bigint[])' +
      (only === undefined ? '' : ' AND attr = ANY($2::text[])') +
      ' ORDER BY teid, attr, ds',
    only === undefined ? [teids] : [teids, only],
  );
  for (const r of found) {
    let list = out.get(r.teid);
    if (list === undefined) out.set(r.teid, (list = []));
    let last = list[list.length - 1];
    if (last?.attr !== r.attr) list.push((last = { attr: r.attr, series: [] }));
    const datasetId = datasetOf(r.ds);
    last.series.push(datasetId === undefined ? { sid: r.sid } : { sid: r.sid, datasetId });
  }
  return out;
}
