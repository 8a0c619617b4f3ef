/**
 * Tenants' policies: the stored, versioned documents (every change is a new version; none is ever
 * edited), compiled once and kept in memory, and the Access of a principal in a tenant. A tenant
 * without a policy of its own gets the built-in one (default-policy.ts). The cache is revalidated
 * every few seconds against the store's latest version, so that a policy written by another process
 * (the CLI, another replica) takes effect without a restart. Knows nothing of HTTP.
 */
import type { TermMapper } from '../../core/jsonld/terms.js';
import { notFound } from '../../core/errors.js';
import type { PolicyRepository, StoredPolicy } from '../../store/governance-port.js';
import { Access } from './access.js';
import { DEFAULT_POLICY_DOCUMENT } from './default-policy.js';
import type { CompiledPolicy, Principal } from './model.js';
import { parsePolicy, policyContext } from './parse-policy.js';

/** Resolves a document's @context (undefined: the core context) to a term mapper. */
export interface ContextResolution {
  resolve(raw: unknown): Promise<TermMapper>;
}

/** A policy as shown to administrators. */
export interface PolicyView {
  tenant: string;
  /** 0 for the built-in default. */
  version: number;
  source: 'stored' | 'default';
  document: unknown;
  createdAt?: string;
  createdBy?: string;
}

/** How long a cached policy is trusted before its version is checked again (ms). */
const REVALIDATE_MS = 2000;

export class PolicyService {
  private readonly repo: PolicyRepository;
  private readonly contexts: ContextResolution;
  private readonly clock: () => number;
  private readonly cache = new Map<string, { policy: CompiledPolicy; checkedAt: number }>();
  private fallback: CompiledPolicy | undefined;

  constructor(deps: { repo: PolicyRepository; contexts: ContextResolution; clock?: () => number }) {
    this.repo = deps.repo;
    this.contexts = deps.contexts;
    this.clock = deps.clock ?? Date.now;
  }

  /** Compile the default and every stored policy (at start-up). */
  async load(): Promise<void> {
    this.fallback = await this.compile(DEFAULT_POLICY_DOCUMENT, 0);
    for (const tenant of await this.repo.tenants()) await this.refresh(tenant);
  }

  /** What the principal may do in the tenant. */
  async accessFor(tenant: string, principal: Principal): Promise<Access> {
    const cached = this.cache.get(tenant);
    if (cached === undefined || this.clock() - cached.checkedAt > REVALIDATE_MS) await this.refresh(tenant);
    return this.accessNow(tenant, principal);
  }

  /** Like accessFor, from memory only (for code that cannot wait: the subscription reactor). */
  accessNow(tenant: string, principal: Principal): Access {
    return new Access(this.cache.get(tenant)?.policy ?? this.defaultPolicy(), principal, tenant);
  }

  /** Validate, store as the next version, and apply at once. Throws BadRequestData for a bad document. */
  async put(tenant: string, document: unknown, by: string, at: string): Promise<StoredPolicy> {
    await this.compile(document, 0); // refuse before storing anything
    const stored = await this.repo.put(tenant, document, by, at);
    this.cache.set(tenant, {
      policy: await this.compile(stored.document, stored.version),
      checkedAt: this.clock(),
    });
    return stored;
  }

  /** The policy in force (the built-in default when the tenant has none). */
  async current(tenant: string): Promise<PolicyView> {
    const stored = await this.repo.current(tenant);
    if (stored === undefined)
      return { tenant, version: 0, source: 'default', document: DEFAULT_POLICY_DOCUMENT };
    return view(stored);
  }

  async version(tenant: string, version: number): Promise<PolicyView> {
    if (version === 0) return { tenant, version: 0, source: 'default', document: DEFAULT_POLICY_DOCUMENT };
    const stored = await this.repo.get(tenant, version);
    if (stored === undefined) throw notFound(`policy version ${version} of this tenant not found`);
    return view(stored);
  }

  versions(tenant: string): Promise<Array<Omit<StoredPolicy, 'document'>>> {
    return this.repo.versions(tenant);
  }

  private async refresh(tenant: string): Promise<void> {
    const cached = this.cache.get(tenant);
    const stored = await this.repo.current(tenant);
    const now = this.clock();
    if (stored === undefined) {
      this.cache.set(tenant, { policy: this.defaultPolicy(), checkedAt: now });
      return;
    }
    if (cached?.policy.version === stored.version) {
      cached.checkedAt = now;
      return;
    }
    this.cache.set(tenant, { policy: await this.compile(stored.document, stored.version), checkedAt: now });
  }

  private defaultPolicy(): CompiledPolicy {
    if (this.fallback === undefined) throw new Error('PolicyService.load() was not called');
    return this.fallback;
  }

  private async compile(document: unknown, version: number): Promise<CompiledPolicy> {
    const mapper = await this.contexts.resolve(policyContext(document));
    return parsePolicy(document, mapper, version);
  }
}

function view(stored: StoredPolicy): PolicyView {
  return {
    tenant: stored.tenant,
    version: stored.version,
    source: 'stored',
    document: stored.document,
    createdAt: stored.createdAt,
    createdBy: stored.createdBy,
  };
}
