/**
 * Which temporal entities a temporal query selects, and the page of them (ordered by id, byte order).
 * In SQL over `temporal_entities` (alias te): tenant, ids, a type expression over every type the
 * history has had (`temporal_types`), attributes with a history (`temporal_series`), the ids that
 * q / geoQ / scopeQ select in the current state (given by the caller), and visibility (access
 * control) tested on the temporal entity itself — its id and its types — so that a history outliving
 * its current entity stays as hidden as it was.
 *
 * id patterns (idPattern, and visibility scopes with one) are q patterns: JavaScript regular
 * expressions checked by core's compilePattern. PostgreSQL's regular expressions are another
 * dialect (`\b`, classes, escapes differ), so rather than translate them, the candidates that the
 * SQL conditions select are filtered in JavaScript and paged there: exact, at the cost of reading
 * the candidates' ids when a pattern is given.
 */
import { NgsiError } from '../../../core/errors.js';
import type { TypeExpr, Visibility, VisibilityScope } from '../../../core/query/ast.js';
import { compilePattern } from '../../../core/query/pattern.js';
import type { TemporalEntityQuery } from '../../port.js';
import { checkPaging } from '../../shared/temporal/checks.js';
import { rows, type Sql } from '../sql.js';
import { msOf, Params } from './params.js';

/** A temporal entity as selected. */
export interface EntityRow {
  teid: string;
  id: string;
  types: string[];
  created_ms: number;
  modified_ms: number;
}

export const ENTITY_COLUMNS = `te.teid::text AS teid, te.id, te.types, ${msOf('te.created_at')} AS created_ms, ${msOf('te.modified_at')} AS modified_ms`;

/** The selection without paging. */
export type EntitySelection = Omit<TemporalEntityQuery, 'limit' | 'offset' | 'count'>;

/** The page of temporal entities a query selects and, when asked, how many it selects in all. */
export async function selectPage(
  db: Sql,
  tenant: string,
  q: TemporalEntityQuery,
  currentIds: string[] | undefined,
): Promise<{ rows: EntityRow[]; count?: number }> {
  checkPaging(q);
  const { limit, offset } = q;
  const inJs = patternTest(q);
  const p = new Params();
  const where = conditions(tenant, q, p, currentIds, inJs === undefined);
  if (inJs !== undefined) {
    const candidates = await rows<{ id: string; types: string[] }>(
      db,
      `SELECT te.id, te.types FROM temporal_entities te WHERE ${where} ORDER BY te.id`,
      p.values,
    );
    const ids = candidates.filter((c) => inJs(c.id, c.types)).map((c) => c.id);
    const page = ids.slice(offset, offset + limit);
    const found =
      page.length === 0
        ? []
        : await rows<EntityRow>(
            db,
            `SELECT ${ENTITY_COLUMNS} FROM temporal_entities te WHERE te.tenant = $1 AND te.id = ANY($2::text[]) ORDER BY te.id`,
            [tenant, page],
          );
    return q.count ? { rows: found, count: ids.length } : { rows: found };
  }
  const whereValues = [...p.values];
  const found =
    limit === 0
      ? []
      : await rows<EntityRow>(
          db,
          `SELECT ${ENTITY_COLUMNS} FROM temporal_entities te WHERE ${where} ORDER BY te.id LIMIT ${p.add(limit)} OFFSET ${p.add(offset)}`,
          p.values,
        );
  if (!q.count) return { rows: found };
  const counted = await rows<{ n: number }>(
    db,
    `SELECT count(*)::float8 AS n FROM temporal_entities te WHERE ${where}`,
    whereValues,
  );
  return { rows: found, count: counted[0]?.n ?? 0 };
}

/** The SQL conditions (visibility too when `visibilityInSql`); placeholders are added to `p`. */
function conditions(
  tenant: string,
  q: EntitySelection,
  p: Params,
  currentIds: string[] | undefined,
  visibilityInSql: boolean,
): string {
  const conds = [`te.tenant = ${p.add(tenant)}`];
  if (q.ids) conds.push(`te.id = ANY(${p.add(q.ids, 'text[]')})`);
  if (q.type) conds.push(typeSql(q.type, p));
  if (q.attrs && q.attrs.length > 0) {
    conds.push(
      `EXISTS (SELECT 1 FROM temporal_series s WHERE s.teid = te.teid AND s.attr = ANY(${p.add(q.attrs, 'text[]')}))`,
    );
  }
  if (currentIds) conds.push(`te.id = ANY(${p.add(currentIds, 'text[]')})`);
  if (q.visibility && visibilityInSql) conds.push(visibilitySql(q.visibility, p));
  return conds.join(' AND ');
}

const hasType = (types: string[], p: Params): string =>
  `EXISTS (SELECT 1 FROM temporal_types t WHERE t.teid = te.teid AND t.type = ANY(${p.add(types, 'text[]')}))`;

function typeSql(t: TypeExpr, p: Params): string {
  if (t.kind === 'type') return hasType([t.name], p);
  if (t.items.length === 0) return t.kind === 'and' ? 'TRUE' : 'FALSE';
  return `(${t.items.map((i) => typeSql(i, p)).join(t.kind === 'and' ? ' AND ' : ' OR ')})`;
}

function checkVisibility(v: Visibility): void {
  if (!Array.isArray(v.allow) || !Array.isArray(v.deny)) {
    throw new NgsiError('InternalError', 'visibility needs an allow list and a deny list');
  }
}

/** Visibility without id patterns: in some allow scope (of any of its types) and in no deny scope. */
function visibilitySql(v: Visibility, p: Params): string {
  checkVisibility(v);
  const scope = (s: VisibilityScope): string =>
    s.types === undefined ? 'TRUE' : s.types.length === 0 ? 'FALSE' : hasType(s.types, p);
  const anyOf = (scopes: VisibilityScope[]): string =>
    scopes.length === 0 ? 'FALSE' : `(${scopes.map(scope).join(' OR ')})`;
  const allow = anyOf(v.allow);
  return v.deny.length === 0 ? allow : `(${allow} AND NOT ${anyOf(v.deny)})`;
}

/**
 * The test of what SQL leaves to JavaScript — idPattern, and visibility when a scope has an id
 * pattern — or undefined when there is none. Bad patterns are refused here, before any SQL runs.
 */
function patternTest(q: EntitySelection): ((id: string, types: string[]) => boolean) | undefined {
  const v = q.visibility;
  if (v) checkVisibility(v);
  const visibilityPatterns =
    v !== undefined && [...v.allow, ...v.deny].some((s) => s.idPattern !== undefined);
  if (q.idPattern === undefined && !visibilityPatterns) return undefined;
  const id = q.idPattern === undefined ? undefined : compilePattern(q.idPattern);
  const scopes = (list: VisibilityScope[]) =>
    list.map((s) => ({
      types: s.types,
      re: s.idPattern === undefined ? undefined : compilePattern(s.idPattern),
    }));
  const allow = visibilityPatterns ? scopes(v!.allow) : undefined;
  const deny = visibilityPatterns ? scopes(v!.deny) : undefined;
  type Scope = { types: string[] | undefined; re: RegExp | undefined };
  const inScope = (s: Scope, e: string, types: string[]): boolean =>
    (s.types === undefined || s.types.some((t) => types.includes(t))) && (s.re === undefined || s.re.test(e));
  return (e, types) => {
    if (id && !id.test(e)) return false;
    if (allow && deny)
      return allow.some((s) => inScope(s, e, types)) && !deny.some((s) => inScope(s, e, types));
    return true;
  };
}
