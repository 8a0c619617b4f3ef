/**
 * Migration 0003: the temporal history (NGSI-LD temporal representation, clause 4.5.10), sized for
 * years of minute data per attribute.
 *
 * - `temporal_entities`: one row per entity that has (or had) a history, per tenant; it outlives the
 *   current entity (a deleted entity keeps its history). `types` is the JSON array of expanded types
 *   in order (read back as is); `temporal_types` holds them interned for type selection.
 * - `temporal_series`: one row per (entity, attribute, datasetId), with interned attribute and
 *   datasetId (`ds` 0 = the default instance). Instances name their series by one small integer
 *   instead of three columns, and every index below starts with it: (sid, observed_at) is the
 *   (entity, attribute, datasetId, observedAt) index, and one series is exactly one aggregation
 *   series (aggregation is per attribute and datasetId).
 * - `temporal_instances`: one compact row per attribute instance. `iid` is AUTOINCREMENT so that an
 *   instanceId (`urn:ngsi-ld:attribute:instance:<iid>`) is never reused, even after deletes. Times
 *   are epoch ms. The value goes to `num` (REAL: SQL aggregates it) when it is a number, to `str`
 *   when a string, to `json` (compact JSON) otherwise; `kind` is the attribute type as a small code
 *   (0 = Property costs no byte). `unit` holds unitCode inline: UN/CEFACT codes are 2–3 characters,
 *   cheaper than an interned id plus its lookup. `extra` holds objectType and sub-attributes as
 *   compact JSON, NULL when there are none (the usual case for a sensor series), so nothing is
 *   interned per instance: a dictionary of per-instance JSON would grow with every varying
 *   sub-attribute and need a garbage collector.
 * - Indexes: (sid, observed_at, num) for instances with observedAt (the default time property;
 *   partial: instances without it never match such a query) and (sid, modified_at, num). Carrying
 *   `num` makes both covering for the numeric aggregations (count, sum, avg, min, max, stddev,
 *   sumsq read the index only). createdAt queries use the series prefix and sort: createdAt equals
 *   modifiedAt unless an instance was patched, and a third index would tax every write.
 */
export const sql = `
CREATE TABLE temporal_entities (
  teid        INTEGER PRIMARY KEY,
  tid         INTEGER NOT NULL,
  id          TEXT NOT NULL,
  types       TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  modified_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX temporal_entities_tid_id ON temporal_entities (tid, id);

CREATE TABLE temporal_types (
  teid INTEGER NOT NULL,
  type INTEGER NOT NULL,
  PRIMARY KEY (teid, type)
) WITHOUT ROWID;

CREATE TABLE temporal_series (
  sid  INTEGER PRIMARY KEY,
  teid INTEGER NOT NULL,
  attr INTEGER NOT NULL,
  ds   INTEGER NOT NULL,
  UNIQUE (teid, attr, ds)
);

CREATE TABLE temporal_instances (
  iid         INTEGER PRIMARY KEY AUTOINCREMENT,
  sid         INTEGER NOT NULL,
  kind        INTEGER NOT NULL,
  observed_at INTEGER,
  created_at  INTEGER NOT NULL,
  modified_at INTEGER NOT NULL,
  num         REAL,
  str         TEXT,
  json        TEXT,
  unit        TEXT,
  extra       TEXT
);
CREATE INDEX temporal_instances_observed ON temporal_instances (sid, observed_at, num) WHERE observed_at IS NOT NULL;
CREATE INDEX temporal_instances_modified ON temporal_instances (sid, modified_at, num);
`;
