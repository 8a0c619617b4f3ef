/**
 * Discovery (/types, /attributes) for the PostgreSQL store, from the discovery signature each entity
 * row carries (derive.ts): one GROUP BY over the (tenant, signature) index counts the entities of each
 * shape; listing then costs the number of distinct shapes. SQLite keeps counters instead; here
 * counters would be one hot row per type that every replica's writes would queue on. Turning the
 * counts into types and attributes is shared with the SQLite store (src/store/shared/discovery.ts).
 */
import type { AttributeInfo, TypeInfo } from '../../port.js';
import { attributesOf, SignatureCache, typesOf, type ShapeCount } from '../../shared/discovery.js';
import { rows, type Sql } from '../sql.js';

export class PgDiscovery {
  private readonly parsed = new SignatureCache();

  constructor(private readonly db: Sql) {}

  /** Types of a tenant (all, or those named) with entity counts and attributes. */
  async listTypes(tenant: string, only?: string[]): Promise<TypeInfo[]> {
    return typesOf(await this.shapes(tenant), only);
  }

  /** Attributes of a tenant (all, or those named) with instance counts, attribute types and type names. */
  async listAttributes(tenant: string, only?: string[]): Promise<AttributeInfo[]> {
    return attributesOf(await this.shapes(tenant), only);
  }

  private async shapes(tenant: string): Promise<ShapeCount[]> {
    const found = await rows<{ signature: string; n: string }>(
      this.db,
      'SELECT signature, count(*) AS n FROM entities WHERE tenant = $1 GROUP BY signature',
      [tenant],
    );
    return found.map((r) => ({ sig: this.parsed.parse(r.signature), n: Number(r.n) }));
  }
}
