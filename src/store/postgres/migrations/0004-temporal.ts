/**
 * PostgreSQL migration 0004: the temporal history (NGSI-LD temporal representation, clause 4.5.10)
 * — the PostgreSQL form of SQLite's 0003, sized for years of minute data, with the instances
 * partitioned by time (src/store/postgres/temporal/partitions.ts).
 *
 * - `temporal_entities`: one row per (tenant, entity id) that has (or had) a history. It outlives
 *   the current entity (a deleted entity keeps its history). `types` is the entity's expanded types
 *   in order (read back as is); `temporal_types` holds one row per type for type selection (and
 *   visibility), with a (tenant, type) index for a type that selects few entities.
 * - `temporal_series`: one row per (entity, attribute, datasetId); `ds` '' is the default instance.
 *   Attribute and datasetId are kept as text, not interned in `terms`: a series is one row per
 *   attribute of an entity (not per instance), so interning would save little, and it would need a
 *   second pool connection in the middle of the entity writer's transaction. Instances name their
 *   series by one bigint, and every instance index starts with it: one series is exactly one
 *   aggregation series (aggregation is per attribute and datasetId).
 * - `temporal_instances`: one compact row per attribute instance, PARTITIONED BY RANGE
 *   (modified_at), one partition per UTC month (`temporal_instances_pYYYY_MM`) plus a DEFAULT
 *   partition, so that every write succeeds whatever its date. `modified_at` — when the instance was
 *   recorded, or last patched — is the column retention prunes by, so old months can be detached and
 *   dropped whole, and a prune scans only the months before its cutoff. Monthly partitions are not
 *   made here (a migration must not depend on the date it runs): `PgTemporal.ensurePartitions`
 *   creates them around the current month at start-up, and out of band when a write lands in a month
 *   that has none (moving that month's rows out of DEFAULT). With TimescaleDB installed, this table
 *   would be a hypertable on modified_at (`create_hypertable(..., chunk_time_interval => '1 month')`)
 *   with `drop_chunks` for retention and no DEFAULT partition or start-up step; it is not installed
 *   here, so native partitioning is what runs.
 * - `iid` comes from one sequence shared by every partition (rows moved out of DEFAULT into a new
 *   month keep theirs): a number is never reused, even after deletes, so an instanceId
 *   (`urn:ngsi-ld:attribute:instance:<iid>`, the SQLite spelling) names one instance for ever.
 *   A primary key of a partitioned table must hold the partition key: (iid, modified_at), which is
 *   also the index that finds an instance by id for a patch or a delete (one probe per partition).
 * - Times are `timestamptz` (millisecond values); the value goes to `num` when it is a finite
 *   number (SQL aggregates it), to `str` (`COLLATE "C"`: min/max compare code points, as SQLite) when
 *   a string, to `json` (compact JSON text) otherwise; `kind` is the attribute type as a small code;
 *   `unit` holds unitCode inline; `extra` objectType and sub-attributes as JSON, NULL when none.
 *
 * Index design (each index is partitioned with the table: one btree per month):
 * - (sid, observed_at) INCLUDE (num), partial WHERE observed_at IS NOT NULL: the default time
 *   property. A query reads one series in time order with a LIMIT (a Merge Append of the months'
 *   index scans); an aggregation's period is a range seek on it, and the numeric functions (count,
 *   sum, avg, min, max, stddev, sumsq) read `num` from the index (index-only once vacuumed). Instances
 *   without observedAt never match an observedAt query, so they stay out of it.
 * - (sid, modified_at) INCLUDE (num): modifiedAt queries and aggregations the same way, and the
 *   retention prune (series × modified_at < cutoff, in the months before the cutoff only).
 * - createdAt queries use the series prefix of the modified_at index and sort: createdAt equals
 *   modifiedAt unless an instance was patched, and a third index would tax every write.
 * - (iid, modified_at): the primary key, for patch and delete by instanceId.
 * No index holds string values: erasure reads an attribute's series through their prefix.
 */
export const sql = `
CREATE TABLE temporal_entities (
  teid        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant      text COLLATE "C" NOT NULL,
  id          text COLLATE "C" NOT NULL,
  types       text[] COLLATE "C" NOT NULL,
  created_at  timestamptz NOT NULL,
  modified_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX temporal_entities_tenant_id ON temporal_entities (tenant, id);

CREATE TABLE temporal_types (
  teid   bigint NOT NULL REFERENCES temporal_entities ON DELETE CASCADE,
  type   text COLLATE "C" NOT NULL,
  tenant text COLLATE "C" NOT NULL,
  PRIMARY KEY (teid, type)
);
CREATE INDEX temporal_types_tenant_type ON temporal_types (tenant, type, teid);

CREATE TABLE temporal_series (
  sid  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  teid bigint NOT NULL REFERENCES temporal_entities ON DELETE CASCADE,
  attr text COLLATE "C" NOT NULL,
  ds   text COLLATE "C" NOT NULL,
  UNIQUE (teid, attr, ds)
);

CREATE SEQUENCE temporal_instance_iid AS bigint;

CREATE TABLE temporal_instances (
  iid         bigint NOT NULL DEFAULT nextval('temporal_instance_iid'),
  sid         bigint NOT NULL,
  kind        smallint NOT NULL,
  observed_at timestamptz,
  created_at  timestamptz NOT NULL,
  modified_at timestamptz NOT NULL,
  num         double precision,
  str         text COLLATE "C",
  json        text,
  unit        text,
  extra       text,
  PRIMARY KEY (iid, modified_at)
) PARTITION BY RANGE (modified_at);
ALTER SEQUENCE temporal_instance_iid OWNED BY temporal_instances.iid;

CREATE TABLE temporal_instances_default PARTITION OF temporal_instances DEFAULT;

CREATE INDEX temporal_instances_observed ON temporal_instances (sid, observed_at) INCLUDE (num)
  WHERE observed_at IS NOT NULL;
CREATE INDEX temporal_instances_modified ON temporal_instances (sid, modified_at) INCLUDE (num);
`;
