/**
 * Which temporal entities a temporal query selects, as SQL over `temporal_entities` (alias te):
 * tenant, ids, idPattern (the connection's regexp(), as the current-state queries), a type
 * expression over all the entity's types (`temporal_types`), attributes with a history
 * (`temporal_series`), the ids that q / geoQ / scopeQ select in the current state, and visibility
 * (access control) tested on the temporal entity itself — its id and every type it has had — so that
 * a history outliving its current entity stays as hidden as it was.
 */
import type { TypeExpr } from '../../../core/query/ast.js';
import { compilePattern } from '../../../core/query/pattern.js';
import type { TemporalEntityQuery } from '../../port.js';
import { visibilityProbe } from '../query/compile-filters.js';
import { FALSE, join, sql, type Sql } from '../query/sql.js';

/** What the selection needs besides the query. */
export interface SelectContext {
  tid: number;
  /** Interned id of an IRI, -1 when it was never interned. */
  term(iri: string): number;
  /** Ids matching q / geoQ / scopeQ in the current state, when the query has any of them. */
  currentIds?: string[];
}

/** `FROM temporal_entities te WHERE ...` for the entities a query selects. */
export function selectEntities(
  q: Omit<TemporalEntityQuery, 'limit' | 'offset' | 'count'>,
  ctx: SelectContext,
): Sql {
  const conds: Sql[] = [sql('te.tid = ?', ctx.tid)];
  if (q.ids) conds.push(sql('te.id IN (SELECT value FROM json_each(?))', JSON.stringify(q.ids)));
  if (q.idPattern !== undefined) {
    compilePattern(q.idPattern); // a bad pattern is a 400 before any SQL runs
    conds.push(sql('regexp(?, te.id)', q.idPattern));
  }
  if (q.type) conds.push(typeProbe(q.type, ctx));
  if (q.attrs && q.attrs.length > 0) {
    conds.push(
      sql(
        'EXISTS (SELECT 1 FROM temporal_series s WHERE s.teid = te.teid AND s.attr IN (SELECT value FROM json_each(?)))',
        JSON.stringify(q.attrs.map((a) => ctx.term(a))),
      ),
    );
  }
  if (q.visibility) {
    conds.push(
      visibilityProbe(q.visibility, {
        hasType:
          'EXISTS (SELECT 1 FROM temporal_types t WHERE t.teid = te.teid AND t.type IN (SELECT value FROM json_each(?)))',
        id: 'te.id',
        term: ctx.term,
      }),
    );
  }
  if (ctx.currentIds) {
    conds.push(sql('te.id IN (SELECT value FROM json_each(?))', JSON.stringify(ctx.currentIds)));
  }
  const where = join(conds, ' AND ');
  return { sql: `FROM temporal_entities te WHERE ${where.sql}`, params: where.params };
}

function typeProbe(t: TypeExpr, ctx: SelectContext): Sql {
  if (t.kind === 'type') {
    return sql(
      'EXISTS (SELECT 1 FROM temporal_types t WHERE t.teid = te.teid AND t.type = ?)',
      ctx.term(t.name),
    );
  }
  if (t.items.length === 0) return t.kind === 'and' ? sql('1') : FALSE;
  const parts = join(
    t.items.map((i) => typeProbe(i, ctx)),
    t.kind === 'and' ? ' AND ' : ' OR ',
  );
  return { sql: `(${parts.sql})`, params: parts.params };
}
