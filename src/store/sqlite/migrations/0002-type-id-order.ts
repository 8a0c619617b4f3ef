/**
 * Migration 0002: entity ids beside their types, indexed (tid, type, id), so that a query for one
 * type can walk that type's entities in id order and stop after a page — instead of walking every
 * entity of the tenant (slow when a tenant holds many types: the other types' ids come first).
 */
export const sql = `
ALTER TABLE entity_types ADD COLUMN id TEXT NOT NULL DEFAULT '';
UPDATE entity_types SET id = (SELECT e.id FROM entities e WHERE e.eid = entity_types.eid);
CREATE INDEX entity_types_tid_type_id ON entity_types (tid, type, id);
`;
