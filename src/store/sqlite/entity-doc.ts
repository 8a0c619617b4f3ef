/**
 * The stored form of an entity: its expanded JSON without the id (the id is a column). Reading
 * always parses a fresh object, so callers may change what they get.
 */
import type { Entity } from '../../core/model/entity.js';

/** Serialize an entity for the `doc` column. */
export function encodeDoc(e: Entity): string {
  const { id: _id, ...rest } = e;
  return JSON.stringify(rest);
}

/** Rebuild an entity from its id and `doc`. */
export function decodeDoc(id: string, doc: string): Entity {
  return { id, ...(JSON.parse(doc) as Omit<Entity, 'id'>) };
}
