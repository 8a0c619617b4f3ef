/**
 * Type and attribute discovery (clause 5.7.5 – 5.7.10): what types and attributes a tenant's
 * entities use, answered from the store's indexes. A caller whose policy restricts reading sees only
 * the types it can reach, with counts of the entities it can reach, and not the attributes hidden
 * from it: discovery must not reveal what retrieval would not.
 */
import { NgsiError } from '../core/errors.js';
import type { AttributeInfo, Store, TypeInfo } from '../store/port.js';
import type { Scope } from './scope.js';

export class DiscoveryService {
  constructor(private readonly store: Store) {}

  private async requireTenant(tenant: string): Promise<void> {
    if (!(await this.store.tenantExists(tenant))) {
      throw new NgsiError('NonexistentTenant', `tenant ${JSON.stringify(tenant)} does not exist`);
    }
  }

  /** All types of the tenant, or only those named (expanded). */
  async types(scope: Scope, names?: string[]): Promise<TypeInfo[]> {
    await this.requireTenant(scope.tenant);
    const all = await this.store.listTypes(scope.tenant, names);
    const access = scope.access;
    if (access === undefined || access.unrestricted) return all;
    const out: TypeInfo[] = [];
    for (const info of all) {
      const entityCount = await this.visibleCount(scope, { type: info.type });
      if (entityCount === 0) continue;
      const attributes = info.attributes.filter((a) => !access.hidesAttr('read', a.name, [info.type]));
      out.push({ ...info, entityCount, attributes });
    }
    return out;
  }

  /** All attributes of the tenant, or only those named (expanded). */
  async attributes(scope: Scope, names?: string[]): Promise<AttributeInfo[]> {
    await this.requireTenant(scope.tenant);
    const all = await this.store.listAttributes(scope.tenant, names);
    const access = scope.access;
    if (access === undefined || access.unrestricted) return all;
    const visibleTypes = new Set((await this.types(scope)).map((t) => t.type));
    const out: AttributeInfo[] = [];
    for (const info of all) {
      const typeNames = info.typeNames.filter(
        (t) => visibleTypes.has(t) && !access.hidesAttr('read', info.name, [t]),
      );
      if (typeNames.length === 0) continue;
      const attributeCount = await this.visibleCount(scope, { attr: info.name, types: typeNames });
      if (attributeCount === 0) continue;
      out.push({ ...info, typeNames, attributeCount });
    }
    return out;
  }

  /** Entities the caller can read, of a type or having an attribute (of some types). */
  private async visibleCount(
    scope: Scope,
    of: { type: string } | { attr: string; types: string[] },
  ): Promise<number> {
    const visibility = scope.access?.visibility('read');
    if (visibility !== undefined && visibility.allow.length === 0) return 0;
    const selection =
      'type' in of
        ? { type: { kind: 'type' as const, name: of.type } }
        : {
            attrs: [of.attr],
            type: { kind: 'or' as const, items: of.types.map((name) => ({ kind: 'type' as const, name })) },
          };
    const result = await this.store.queryEntities(scope.tenant, {
      ...selection,
      ...(visibility !== undefined ? { visibility } : {}),
      limit: 1,
      offset: 0,
      count: true,
    });
    return result.count ?? 0;
  }
}
