/**
 * Compiles the non-q parts of an EntityQuery to conjuncts: type expressions (side table
 * entity_types), ids, idPattern (regexp), attrs, scopeQ (entity_scopes), geoQ (checked as on every
 * store, src/store/shared/geo-check.ts; then an R*Tree prefilter by bounding box and the exact
 * `geoMatches` through geo_match()), and visibility (access control: the entities a principal may
 * see, as one more conjunct so that pages and counts stay exact).
 */
import { NgsiError } from '../../../core/errors.js';
import type {
  EntityQuery,
  GeoQuery,
  ScopeExpr,
  TypeExpr,
  Visibility,
  VisibilityScope,
} from '../../../core/query/ast.js';
import { expandBBox, geometryBBox, type BBox } from '../../../core/query/geo-match.js';
import { compilePattern } from '../../../core/query/pattern.js';
import { checkGeoQuery } from '../../shared/geo-check.js';
import { GEO_SLOTS } from '../entity-index.js';
import { compileQ } from './compile-q.js';
import { FALSE, join, sql, type CompileContext, type Conjunct, type Sql } from './sql.js';

/** Every ANDed condition of a query. */
export function compileConjuncts(
  q: Omit<EntityQuery, 'limit' | 'offset' | 'count'>,
  ctx: CompileContext,
): Conjunct[] {
  const out: Conjunct[] = [];
  if (q.ids) {
    const ids = JSON.stringify(q.ids);
    out.push({
      probe: sql('e.id IN (SELECT value FROM json_each(?))', ids),
      driver: sql(
        'SELECT eid FROM entities WHERE tid = ? AND id IN (SELECT value FROM json_each(?))',
        ctx.tid,
        ids,
      ),
      exact: true,
      known: q.ids.length,
    });
  }
  if (q.type) out.push(typeConjunct(q.type, ctx));
  if (q.idPattern !== undefined) {
    compilePattern(q.idPattern); // reject a bad pattern before any SQL runs
    out.push({ probe: sql('regexp(?, e.id)', q.idPattern) });
  }
  // attrs selects only when there is no q (otherwise it only projects).
  if (q.attrs && q.attrs.length > 0 && !q.q) {
    const ps = JSON.stringify(q.attrs.map((a) => ctx.term(a)));
    out.push({
      probe: sql(
        'EXISTS (SELECT 1 FROM attr_values x NOT INDEXED WHERE x.eid = e.eid AND x.p IN (SELECT value FROM json_each(?)))',
        ps,
      ),
      driver: sql(
        'SELECT eid FROM attr_values WHERE tid = ? AND p IN (SELECT value FROM json_each(?))',
        ctx.tid,
        ps,
      ),
      exact: true,
      byEid: true,
    });
  }
  if (q.q) out.push(...compileQ(q.q, ctx));
  if (q.scopeQ) out.push(scopeConjunct(q.scopeQ, ctx));
  if (q.geoQ) out.push(geoConjunct(q.geoQ, ctx));
  if (q.visibility) out.push(visibilityConjunct(q.visibility, ctx));
  return out;
}

/** How visibility scopes are tested on one kind of entity row (current entities, temporal entities). */
export interface VisibilityTarget {
  /** A condition that the row has one of the types whose interned ids are the JSON array bound to its `?`. */
  hasType: string;
  /** The row's entity id column. */
  id: string;
  /** Interned id of a type IRI (-1 when never interned). */
  term(iri: string): number;
}

/**
 * The condition that a row is visible: in some allow scope and in no deny scope. A scope holds
 * entities of any of its `types` (every type when absent, none when empty) whose id matches its
 * `idPattern` (checked here as q patterns are: a bad one is refused before any SQL runs).
 */
export function visibilityProbe(v: Visibility, target: VisibilityTarget): Sql {
  if (!Array.isArray(v.allow) || !Array.isArray(v.deny)) {
    throw new NgsiError('InternalError', 'visibility needs an allow list and a deny list');
  }
  const scope = (s: VisibilityScope): Sql => {
    const parts: Sql[] = [];
    if (s.types !== undefined) {
      parts.push(
        s.types.length === 0
          ? FALSE
          : sql(target.hasType, JSON.stringify(s.types.map((t) => target.term(t)))),
      );
    }
    if (s.idPattern !== undefined) {
      compilePattern(s.idPattern);
      parts.push(sql(`regexp(?, ${target.id})`, s.idPattern));
    }
    if (parts.length === 0) return sql('1');
    const all = join(parts, ' AND ');
    return { sql: `(${all.sql})`, params: all.params };
  };
  const anyOf = (scopes: VisibilityScope[]): Sql => {
    if (scopes.length === 0) return FALSE;
    const parts = join(scopes.map(scope), ' OR ');
    return { sql: `(${parts.sql})`, params: parts.params };
  };
  const allow = anyOf(v.allow);
  if (v.deny.length === 0) return allow;
  const deny = anyOf(v.deny);
  return { sql: `(${allow.sql} AND NOT ${deny.sql})`, params: [...allow.params, ...deny.params] };
}

function visibilityConjunct(v: Visibility, ctx: CompileContext): Conjunct {
  const probe = visibilityProbe(v, {
    hasType:
      'EXISTS (SELECT 1 FROM entity_types t NOT INDEXED WHERE t.eid = e.eid AND t.type IN (SELECT value FROM json_each(?)))',
    id: 'e.id',
    term: ctx.term,
  });
  const patterns = [...v.allow, ...v.deny].some((s) => s.idPattern !== undefined);
  // Nothing allowed: an empty driver the planner drives from at once.
  if (v.allow.length === 0)
    return { probe, driver: sql('SELECT eid FROM entity_types WHERE 0'), exact: true, known: 0, byEid: true };
  // When every allow scope names types, their entities are a superset to start from (exactly the
  // visible ones when there is nothing else to test).
  if (v.allow.every((s) => s.types !== undefined)) {
    const types = JSON.stringify([...new Set(v.allow.flatMap((s) => s.types!))].map((t) => ctx.term(t)));
    return {
      probe,
      driver: sql(
        'SELECT eid FROM entity_types WHERE tid = ? AND type IN (SELECT value FROM json_each(?))',
        ctx.tid,
        types,
      ),
      exact: !patterns && v.deny.length === 0,
      byEid: !patterns,
    };
  }
  return patterns ? { probe } : { probe, byEid: true };
}

function typeConjunct(t: TypeExpr, ctx: CompileContext): Conjunct {
  const probe = typeProbe(t, ctx);
  const leaves =
    t.kind === 'type'
      ? [t]
      : t.kind === 'or' && t.items.every((i) => i.kind === 'type')
        ? t.items
        : undefined;
  if (leaves && leaves.length > 0) {
    const ids = leaves.map((l) => ctx.term((l as { name: string }).name));
    const driver = sql(
      `SELECT eid FROM entity_types WHERE tid = ? AND type IN (${ids.map(() => '?').join(', ')})`,
      ctx.tid,
      ...ids,
    );
    if (t.kind !== 'type') return { probe, driver, exact: true, byEid: true };
    const scan = sql('SELECT eid, id FROM entity_types WHERE tid = ? AND type = ?', ctx.tid, ids[0]);
    return { probe, driver, exact: true, byEid: true, scan };
  }
  // For A;B, the entities of A are a superset to start from.
  const first = t.kind === 'and' ? t.items.find((i) => i.kind === 'type') : undefined;
  if (first && first.kind === 'type')
    return {
      probe,
      driver: sql('SELECT eid FROM entity_types WHERE tid = ? AND type = ?', ctx.tid, ctx.term(first.name)),
      byEid: true,
    };
  return { probe, byEid: true };
}

function typeProbe(t: TypeExpr, ctx: CompileContext): Sql {
  if (t.kind === 'type')
    return sql(
      'EXISTS (SELECT 1 FROM entity_types t NOT INDEXED WHERE t.eid = e.eid AND t.type = ?)',
      ctx.term(t.name),
    );
  if (t.items.length === 0) return t.kind === 'and' ? sql('1') : FALSE;
  const parts = join(
    t.items.map((i) => typeProbe(i, ctx)),
    t.kind === 'and' ? ' AND ' : ' OR ',
  );
  return { sql: `(${parts.sql})`, params: parts.params };
}

/** The condition on one scope row (alias s) for a scope leaf. */
function scopeCondition(leaf: Extract<ScopeExpr, { kind: 'scope' }>): Sql {
  if (leaf.segments.includes('+')) return sql('scope_match(?, s.scope)', JSON.stringify(leaf));
  const path = `/${leaf.segments.join('/')}`;
  if (!leaf.descendants) return sql('s.scope = ?', path);
  if (leaf.segments.length === 0) return sql('1');
  // '/a' and everything under '/a/': '0' is the character after '/'.
  return sql('(s.scope = ? OR (s.scope >= ? AND s.scope < ?))', path, `${path}/`, `${path}0`);
}

function scopeConjunct(s: ScopeExpr, ctx: CompileContext): Conjunct {
  const probe = scopeProbe(s);
  const leaves =
    s.kind === 'scope' ? [s] : s.kind === 'or' && s.items.every((i) => i.kind === 'scope') ? s.items : [];
  if (leaves.length === 0) return { probe, byEid: true };
  const conds = join(
    leaves.map((l) => scopeCondition(l as Extract<ScopeExpr, { kind: 'scope' }>)),
    ' OR ',
  );
  return {
    probe,
    driver: {
      sql: `SELECT eid FROM entity_scopes s WHERE s.tid = ? AND (${conds.sql})`,
      params: [ctx.tid, ...conds.params],
    },
    exact: true,
    byEid: true,
  };
}

function scopeProbe(s: ScopeExpr): Sql {
  if (s.kind === 'scope') {
    const c = scopeCondition(s);
    return {
      sql: `EXISTS (SELECT 1 FROM entity_scopes s NOT INDEXED WHERE s.eid = e.eid AND ${c.sql})`,
      params: c.params,
    };
  }
  if (s.items.length === 0) return s.kind === 'and' ? sql('1') : FALSE;
  const parts = join(s.items.map(scopeProbe), s.kind === 'and' ? ' AND ' : ' OR ');
  return { sql: `(${parts.sql})`, params: parts.params };
}

/** R*Tree boxes are float32, rounded outwards; a small pad keeps boundary cases in the prefilter. */
const PAD = 2e-5;

function geoConjunct(g: GeoQuery, ctx: CompileContext): Conjunct {
  const geometry = checkGeoQuery(g);
  const query = JSON.stringify({ ...g, geometry });
  const attr = ctx.term(g.geoproperty);
  // Per-entity test: the first GeoProperty instance is found by rtree id (eid * 64); entities with
  // several fall back to reading their document.
  const probe = sql(
    `(EXISTS (SELECT 1 FROM geo_rtree g WHERE g.id = e.eid * ${GEO_SLOTS} AND g.attr = ? AND geo_match(g.geom, ?))` +
      ' OR (e.geo_n > 1 AND geo_doc_match(e.doc, ?)))',
    attr,
    query,
    query,
  );
  const box = prefilterBox(g, geometryBBox(geometry));
  if (!box) return { probe, costly: true };
  const [x0, y0, x1, y1] = box;
  const within = g.georel === 'within';
  const contains = g.georel === 'contains';
  // within: the entity's box lies inside the query's; contains: around it; otherwise the boxes meet.
  const rect = within
    ? sql(
        'r.min_x >= ? AND r.max_x <= ? AND r.min_y >= ? AND r.max_y <= ?',
        x0 - PAD,
        x1 + PAD,
        y0 - PAD,
        y1 + PAD,
      )
    : contains
      ? sql(
          'r.min_x <= ? AND r.max_x >= ? AND r.min_y <= ? AND r.max_y >= ?',
          x0 + PAD,
          x1 - PAD,
          y0 + PAD,
          y1 - PAD,
        )
      : sql(
          'r.min_x <= ? AND r.max_x >= ? AND r.min_y <= ? AND r.max_y >= ?',
          x1 + PAD,
          x0 - PAD,
          y1 + PAD,
          y0 - PAD,
        );
  // Only the box: any auxiliary column (tid, attr, geom) costs a row lookup per candidate, more
  // than the whole R*Tree search. Tenant, attribute and exact shape are the probe's job, which a
  // page in id order runs only on the candidates it needs.
  const driver = {
    sql: `SELECT r.id / ${GEO_SLOTS} AS eid FROM geo_rtree r WHERE ${rect.sql}`,
    params: rect.params,
  };
  return { probe, driver, costly: true };
}

/** The box an entity's box must relate to, or undefined when boxes cannot narrow the search. */
function prefilterBox(g: GeoQuery, box: BBox): BBox | undefined {
  if (g.georel === 'disjoint') return undefined;
  if (g.georel === 'near') return g.maxDistance === undefined ? undefined : expandBBox(box, g.maxDistance);
  return box;
}
