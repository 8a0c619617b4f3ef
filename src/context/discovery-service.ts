/**
 * Type and attribute discovery (clause 5.7.5 – 5.7.10): what types and attributes a tenant's
 * entities use, answered from the store's indexes.
 */
import { NgsiError } from '../core/errors.js';
import type { AttributeInfo, Store, TypeInfo } from '../store/port.js';

export class DiscoveryService {
  constructor(private readonly store: Store) {}

  private async requireTenant(tenant: string): Promise<void> {
    if (!(await this.store.tenantExists(tenant))) {
      throw new NgsiError('NonexistentTenant', `tenant ${JSON.stringify(tenant)} does not exist`);
    }
  }

  /** All types of the tenant, or only those named (expanded). */
  async types(tenant: string, names?: string[]): Promise<TypeInfo[]> {
    await this.requireTenant(tenant);
    return this.store.listTypes(tenant, names);
  }

  /** All attributes of the tenant, or only those named (expanded). */
  async attributes(tenant: string, names?: string[]): Promise<AttributeInfo[]> {
    await this.requireTenant(tenant);
    return this.store.listAttributes(tenant, names);
  }
}
