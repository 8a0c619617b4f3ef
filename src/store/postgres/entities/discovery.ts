/**
 * Discovery (/types, /attributes) for the PostgreSQL store, from the discovery signature each entity
 * row carries (derive.ts): one GROUP BY over the (tenant, signature) index counts the entities of each
 * shape; listing then costs the number of distinct shapes. SQLite keeps counters instead; here
 * counters would be one hot row per type that every replica's writes would queue on.
 */
import type { AttributeInfo, TypeInfo } from '../../port.js';
import { rows, type Sql } from '../sql.js';

type Signature = [string[], Array<[string, string, number]>];

export class PgDiscovery {
  private readonly parsed = new Map<string, Signature>();

  constructor(private readonly db: Sql) {}

  /** Types of a tenant (all, or those named) with entity counts and attributes. */
  async listTypes(tenant: string, only?: string[]): Promise<TypeInfo[]> {
    const wanted = only ? new Set(only) : undefined;
    const byType = new Map<string, { count: number; attrs: Map<string, Set<string>> }>();
    for (const { sig, n } of await this.shapes(tenant)) {
      for (const type of sig[0]) {
        if (wanted && !wanted.has(type)) continue;
        const info = byType.get(type) ?? { count: 0, attrs: new Map<string, Set<string>>() };
        byType.set(type, info);
        info.count += n;
        for (const [attr, kind] of sig[1])
          info.attrs.set(attr, (info.attrs.get(attr) ?? new Set()).add(kind));
      }
    }
    return [...byType]
      .map(([type, info]) => ({
        type,
        entityCount: info.count,
        attributes: [...info.attrs]
          .map(([name, kinds]) => ({ name, attributeTypes: [...kinds].sort(cmp) }))
          .sort((a, b) => cmp(a.name, b.name)),
      }))
      .sort((a, b) => cmp(a.type, b.type));
  }

  /** Attributes of a tenant (all, or those named) with instance counts, attribute types and type names. */
  async listAttributes(tenant: string, only?: string[]): Promise<AttributeInfo[]> {
    const wanted = only ? new Set(only) : undefined;
    const byName = new Map<string, { count: number; kinds: Set<string>; types: Set<string> }>();
    for (const { sig, n } of await this.shapes(tenant)) {
      for (const [attr, kind, instances] of sig[1]) {
        if (wanted && !wanted.has(attr)) continue;
        const info = byName.get(attr) ?? { count: 0, kinds: new Set<string>(), types: new Set<string>() };
        byName.set(attr, info);
        info.count += instances * n;
        info.kinds.add(kind);
        for (const t of sig[0]) info.types.add(t);
      }
    }
    return [...byName]
      .map(([name, i]) => ({
        name,
        attributeCount: i.count,
        attributeTypes: [...i.kinds].sort(cmp),
        typeNames: [...i.types].sort(cmp),
      }))
      .sort((a, b) => cmp(a.name, b.name));
  }

  private async shapes(tenant: string): Promise<Array<{ sig: Signature; n: number }>> {
    const found = await rows<{ signature: string; n: string }>(
      this.db,
      'SELECT signature, count(*) AS n FROM entities WHERE tenant = $1 GROUP BY signature',
      [tenant],
    );
    return found.map((r) => {
      let sig = this.parsed.get(r.signature);
      if (!sig) this.parsed.set(r.signature, (sig = JSON.parse(r.signature) as Signature));
      return { sig, n: Number(r.n) };
    });
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
