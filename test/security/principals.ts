/**
 * Principals for security tests: one per built-in role in each of two tenants, made through the
 * governance services of a test kit, each with its own API key.
 */
import type { Governance } from '../../src/governance/governance.js';

export interface Caller {
  name: string;
  /** Tenant the principal belongs to (`*` for the platform administrator, undefined for anonymous). */
  tenant?: string;
  roles: string[];
  /** Authorization header value (undefined: anonymous). */
  authorization?: string;
}

export const ROLES = ['admin', 'operator', 'editor', 'viewer', 'none'] as const;

/** Make `<role>-<tenant>` principals with keys in each tenant. */
export async function makeCallers(governance: Governance, tenants: string[]): Promise<Caller[]> {
  const out: Caller[] = [];
  for (const tenant of tenants) {
    for (const role of ROLES) {
      const id = `${role}-${tenant}`;
      const roles = role === 'none' ? [] : [role];
      await governance.identity.createPrincipal({ tenant, id, kind: 'service', roles });
      const { secret } = await governance.identity.createKey({ tenant, principalId: id });
      out.push({ name: id, tenant, roles, authorization: `Bearer ${secret}` });
    }
  }
  return out;
}
