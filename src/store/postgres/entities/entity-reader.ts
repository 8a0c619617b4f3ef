/** Reading one entity of the PostgreSQL store: the document is the expanded entity without its id. */
import type { Entity } from '../../../core/model/entity.js';
import { rowsPrepared, type Sql } from '../sql.js';

/** Rebuild an entity from its id and document text (a fresh object each time: callers may change it). */
export function decodeDoc(id: string, doc: string): Entity {
  return { id, ...(JSON.parse(doc) as Omit<Entity, 'id'>) };
}

/** The stored form of an entity: its expanded JSON without the id (the id is a column). */
export function encodeDoc(e: Entity): string {
  const { id: _id, ...rest } = e;
  return JSON.stringify(rest);
}

export async function getEntity(db: Sql, tenant: string, id: string): Promise<Entity | undefined> {
  // Text cannot hold U+0000 here: no stored entity has such an id (capability nulInText).
  if (id.includes('\u0000') || tenant.includes('\u0000')) return undefined;
  const [row] = await rowsPrepared<{ doc: string }>(
    db,
    'SELECT doc::text AS doc FROM entities WHERE tenant = $1 AND id = $2',
    [tenant, id],
  );
  return row && decodeDoc(id, row.doc);
}
