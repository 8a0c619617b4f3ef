/**
 * The policy file read at start-up (`--policy-file`): policies as code, reviewed in version control
 * and applied by the server. Each tenant's document is stored as a new policy version (so it is
 * versioned and audited like an API change) unless it equals the version in force.
 *
 * ```json
 * { "tenants": { "@default": { "rules": [ … ] }, "city": { "rules": [ … ] } } }
 * ```
 * `@default` names the default tenant (requests without NGSILD-Tenant).
 */
import { isDeepStrictEqual } from 'node:util';
import { badRequest } from '../../core/errors.js';
import type { Governance } from '../governance.js';

/** The file's key for the default tenant. */
export const DEFAULT_TENANT_KEY = '@default';

/** Apply the file; returns the tenants whose policy changed. Throws BadRequestData naming the problem. */
export async function applyPolicyFile(governance: Governance, text: string, name: string): Promise<string[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw badRequest(`${name}: not JSON (${(e as Error).message})`);
  }
  const tenants = (raw as { tenants?: unknown } | null)?.tenants;
  if (tenants === null || typeof tenants !== 'object' || Array.isArray(tenants))
    throw badRequest(`${name}: expected {"tenants": {"<tenant>": <policy>, …}}`);
  const changed: string[] = [];
  for (const [key, document] of Object.entries(tenants as Record<string, unknown>)) {
    const tenant = key === DEFAULT_TENANT_KEY ? '' : key;
    const current = await governance.policies.current(tenant);
    if (current.source === 'stored' && isDeepStrictEqual(current.document, document)) continue;
    let version: number;
    try {
      version = (await governance.policies.put(tenant, document, 'policy-file', new Date().toISOString()))
        .version;
    } catch (e) {
      throw badRequest(`${name}: tenant ${JSON.stringify(key)}: ${(e as Error).message}`);
    }
    await governance.audit.recordNow({
      at: new Date().toISOString(),
      tenant,
      principal: 'policy-file',
      action: 'policy.put',
      target: name,
      outcome: 'success',
      detail: { version },
    });
    changed.push(key);
  }
  return changed;
}
