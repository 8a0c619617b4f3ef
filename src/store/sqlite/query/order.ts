/** ORDER BY for a query: the requested keys (missing values last), then the entity id for a stable order. */
import type { OrderKey } from '../../../core/query/ast.js';
import { indexedPathKey } from '../entity-index.js';
import { K, REL } from '../../shared/value-kinds.js';
import { join, sql, type CompileContext, type Sql } from './sql.js';

/** True when the order is the default one (id ascending), which the (tid, id) index delivers. */
export const isIdOrder = (keys: OrderKey[] | undefined): boolean =>
  !keys || keys.length === 0 || (keys[0]!.key === 'id' && !keys[0]!.descending);

/** The ORDER BY list (without the keyword). */
export function orderBy(keys: OrderKey[] | undefined, ctx: CompileContext): Sql {
  const parts: Sql[] = [];
  for (const k of keys ?? []) {
    const dir = k.descending ? 'DESC' : 'ASC';
    if (k.key === 'id') {
      parts.push(sql(`e.id ${dir}`));
      break; // ids are unique: later keys cannot matter
    }
    const expr = keyExpression(k.key, k.descending, ctx);
    parts.push({
      sql: `(${expr.sql}) IS NULL, (${expr.sql}) ${dir}`,
      params: [...expr.params, ...expr.params],
    });
  }
  if (!parts.some((p) => p.sql.startsWith('e.id '))) parts.push(sql('e.id ASC'));
  return join(parts, ', ');
}

function keyExpression(key: Exclude<OrderKey['key'], 'id'>, descending: boolean, ctx: CompileContext): Sql {
  if (key === 'type') return sql('e.type0');
  if (key === 'createdAt') return sql('e.created_at');
  if (key === 'modifiedAt') return sql('e.modified_at');
  // Several values: ascending sorts by the smallest, descending by the largest.
  const agg = descending ? 'max' : 'min';
  const comparable = `x.k IN (${K.number}, ${K.string}, ${K.number + REL}, ${K.string + REL})`;
  const p = indexedPathKey(key);
  return p
    ? sql(
        `SELECT ${agg}(x.v) FROM attr_values x WHERE x.eid = e.eid AND x.p = ? AND ${comparable}`,
        ctx.term(p),
      )
    : sql(`SELECT ${agg}(x.v) FROM q_select(e.doc, ?) x WHERE ${comparable}`, JSON.stringify(key));
}
