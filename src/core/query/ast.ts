/**
 * Parsed forms of the NGSI-LD query languages (clause 4.9 q, 4.10 geoQ, 4.19 scopeQ, 4.17 type
 * expressions). Parsers produce these with compact terms; `expandQuery` swaps terms for IRIs; store
 * adapters compile the expanded forms to their own query language.
 */

/** A path into an entity: attribute, optional dotted sub-attribute chain, optional JSON keys into the value. */
export interface AttrPath {
  /** Attribute name (term when parsed, IRI after expansion). `id`/`type` are never here. */
  attr: string;
  /** Dotted chain after the attribute: sub-attribute names or the members observedAt, unitCode, datasetId, createdAt, modifiedAt. */
  sub: string[];
  /** `attr[a.b]`: keys into a JSON object value. */
  keys: string[];
}

/** A literal on the right of a q comparison. */
export type QValue =
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'datetime'; value: string; epochMs: number }
  | { kind: 'uri'; value: string }
  | { kind: 'null' };

export type QOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | '~=' | '!~=';

export type QExpr =
  | { kind: 'and'; items: QExpr[] }
  | { kind: 'or'; items: QExpr[] }
  /** attribute present (a bare path in q). */
  | { kind: 'exists'; path: AttrPath }
  /** `!attr`: attribute absent. */
  | { kind: 'notExists'; path: AttrPath }
  | { kind: 'compare'; path: AttrPath; op: QOp; value: QValue }
  /** `attr==a,b,c`: equal to any; with op `!=`: none of them. */
  | { kind: 'in'; path: AttrPath; negate: boolean; values: QValue[] }
  /** `attr==a..b`: inclusive range; with op `!=`: outside it. */
  | { kind: 'range'; path: AttrPath; negate: boolean; from: QValue; to: QValue };

/** A type expression: `A,B` (any), `A;B` (all), `(A|B);C` — NGSI-LD 4.17. */
export type TypeExpr =
  { kind: 'type'; name: string } | { kind: 'and'; items: TypeExpr[] } | { kind: 'or'; items: TypeExpr[] };

/** A scope query: `/a/b`, `/a/#` (a and below), `/a/+/c` (one level wildcard); `;` and, `,` or. */
export type ScopeExpr =
  | { kind: 'scope'; segments: string[]; descendants: boolean }
  | { kind: 'and'; items: ScopeExpr[] }
  | { kind: 'or'; items: ScopeExpr[] };

export type GeoRel = 'near' | 'within' | 'contains' | 'intersects' | 'overlaps' | 'disjoint' | 'equals';

/** A GeoJSON geometry, validated. */
export type Geometry =
  | { type: 'Point'; coordinates: number[] }
  | { type: 'MultiPoint'; coordinates: number[][] }
  | { type: 'LineString'; coordinates: number[][] }
  | { type: 'MultiLineString'; coordinates: number[][][] }
  | { type: 'Polygon'; coordinates: number[][][] }
  | { type: 'MultiPolygon'; coordinates: number[][][][] };

/** A geo-query: the relation, the query geometry and the GeoProperty to test (expanded after expansion). */
export interface GeoQuery {
  georel: GeoRel;
  /** near only: distances in metres. */
  maxDistance?: number;
  minDistance?: number;
  geometry: Geometry;
  /** GeoProperty name; default `location`. */
  geoproperty: string;
}

/** Sort key for query results. */
export interface OrderKey {
  /** 'id', 'type', 'createdAt', 'modifiedAt' or an attribute path. */
  key: 'id' | 'type' | 'createdAt' | 'modifiedAt' | AttrPath;
  descending: boolean;
}

/** Entities of these types (any of them; all types when absent) whose id matches idPattern (when given). */
export interface VisibilityScope {
  types?: string[];
  idPattern?: string;
}

/**
 * What a principal may see, pushed into the query so that paging and counts stay exact: entities in
 * some `allow` scope and in no `deny` scope (an empty `allow` selects nothing). Types expanded.
 */
export interface Visibility {
  allow: VisibilityScope[];
  deny: VisibilityScope[];
}

/** Everything a store needs to select entities; all names expanded. */
export interface EntityQuery {
  type?: TypeExpr;
  ids?: string[];
  idPattern?: string;
  /** Entities having at least one of these attributes (when no q is given, `attrs` selects too). */
  attrs?: string[];
  q?: QExpr;
  geoQ?: GeoQuery;
  scopeQ?: ScopeExpr;
  orderBy?: OrderKey[];
  /** Access control: only entities the requesting principal may see (absent: no restriction). */
  visibility?: Visibility;
  limit: number;
  offset: number;
  count: boolean;
}
