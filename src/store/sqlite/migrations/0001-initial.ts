/**
 * Migration 0001: the initial schema. Released migrations are never edited (the runner refuses a
 * database whose recorded checksum differs); changes go into a new numbered file.
 *
 * Tenancy: one `tid` column on every table, first in every index, instead of a schema (or table
 * prefix) per tenant. SQLite attaches at most 10 databases, table prefixes would mean SQL text per
 * tenant (statements prepared per tenant, migrations per tenant); a column keeps one set of prepared
 * statements, makes a new tenant one row, and every query names its tenant in a bound parameter.
 * Long IRIs (types, attribute names, value paths) are interned as integers in `terms` so that the
 * indexes stay small.
 */
export const sql = `
CREATE TABLE tenants (
  tid  INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
INSERT INTO tenants (tid, name) VALUES (0, '');

CREATE TABLE terms (
  id  INTEGER PRIMARY KEY,
  iri TEXT NOT NULL UNIQUE
);

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

-- The entity as the broker holds it (expanded), minus its id; type0/created_at/modified_at for ordering;
-- geo_n = how many rows it has in geo_rtree (ids eid*64 .. eid*64+geo_n-1).
CREATE TABLE entities (
  eid         INTEGER PRIMARY KEY,
  tid         INTEGER NOT NULL,
  id          TEXT NOT NULL,
  type0       TEXT NOT NULL,
  created_at  TEXT,
  modified_at TEXT,
  geo_n       INTEGER NOT NULL DEFAULT 0,
  doc         TEXT NOT NULL
);
CREATE UNIQUE INDEX entities_tid_id ON entities (tid, id);

CREATE TABLE entity_types (
  eid  INTEGER NOT NULL,
  type INTEGER NOT NULL,
  tid  INTEGER NOT NULL,
  PRIMARY KEY (eid, type)
) WITHOUT ROWID;
CREATE INDEX entity_types_tid_type ON entity_types (tid, type);

CREATE TABLE entity_scopes (
  eid   INTEGER NOT NULL,
  scope TEXT NOT NULL,
  tid   INTEGER NOT NULL,
  PRIMARY KEY (eid, scope)
) WITHOUT ROWID;
CREATE INDEX entity_scopes_tid_scope ON entity_scopes (tid, scope);

-- One row per value an attribute selects for q (value-rows.ts): p = interned attribute, i = ordinal.
-- k: 0 number, 1 string, 2 boolean (v 0/1), 3 null, 4 object or nested array, 5 target without values;
-- +10 for values of a Relationship. d/ms: temporal shape (0 instant, 1 time) and ms of a temporal string.
CREATE TABLE attr_values (
  eid INTEGER NOT NULL,
  p   INTEGER NOT NULL,
  i   INTEGER NOT NULL,
  tid INTEGER NOT NULL,
  k   INTEGER NOT NULL,
  v,
  d   INTEGER,
  ms  INTEGER,
  PRIMARY KEY (eid, p, i)
) WITHOUT ROWID;
CREATE INDEX attr_values_tid_p_k_v ON attr_values (tid, p, k, v);
CREATE INDEX attr_values_tid_p_d_ms ON attr_values (tid, p, d, ms) WHERE ms IS NOT NULL;

-- Bounding boxes of GeoProperty instances; exact tests read geom.
CREATE VIRTUAL TABLE geo_rtree USING rtree (id, min_x, max_x, min_y, max_y, +tid INTEGER, +attr INTEGER, +eid INTEGER, +geom TEXT);

-- Discovery counters: entities per (tenant, shape); a shape is an interned JSON signature of an
-- entity's types and (attribute, attribute type, instance count) triples. Few shapes per type in practice.
CREATE TABLE shape_stats (
  tid      INTEGER NOT NULL,
  shape    INTEGER NOT NULL,
  entities INTEGER NOT NULL,
  PRIMARY KEY (tid, shape)
) WITHOUT ROWID;

CREATE TABLE contexts (
  id         TEXT PRIMARY KEY,
  url        TEXT NOT NULL,
  kind       TEXT NOT NULL,
  body       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_usage TEXT,
  hits       INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
`;
