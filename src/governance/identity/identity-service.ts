/**
 * Principals (users and service accounts, per tenant, with roles) and their API keys: create, list,
 * revoke, authenticate, and the bootstrap administrator. There is no default password or key: the
 * first start makes a platform administrator key and hands it out once (the caller prints it), or
 * takes the one the operator set in URBIS_ADMIN_KEY. Knows nothing of HTTP.
 */
import {
  NgsiError,
  alreadyExists,
  badRequest,
  notFound,
  unauthorized,
  isNgsiError,
} from '../../core/errors.js';
import {
  ALL_TENANTS,
  type ApiKeyRecord,
  type IdentityRepository,
  type PrincipalRecord,
} from '../../store/governance-port.js';
import { ACTIONS, type Action, type Principal } from '../policy/model.js';
import { MIN_ADMIN_KEY_LENGTH, generateKey, hashKey, keyPrefix, newId } from './api-keys.js';

/** The platform administrator made at first start. */
export const BOOTSTRAP_PRINCIPAL = 'admin';

const PRINCIPAL_ID = /^[A-Za-z0-9][A-Za-z0-9_.@:-]{0,127}$/;
const ROLE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const MAX_ROLES = 32;
/** Record a key's use at most this often (ms): a write per request would cost more than the request. */
const TOUCH_EVERY_MS = 60_000;

export interface NewPrincipal {
  tenant: string;
  id: string;
  kind: 'user' | 'service';
  roles: string[];
  description?: string;
}

export interface NewKey {
  tenant: string;
  principalId: string;
  scopes?: string[];
  /** ISO instant; must be in the future. */
  expiresAt?: string;
  description?: string;
}

export class IdentityService {
  private readonly repo: IdentityRepository;
  private readonly now: () => Date;
  private readonly touched = new Map<string, number>();

  constructor(deps: { repo: IdentityRepository; now?: () => Date }) {
    this.repo = deps.repo;
    this.now = deps.now ?? (() => new Date());
  }

  async createPrincipal(input: NewPrincipal): Promise<PrincipalRecord> {
    if (!PRINCIPAL_ID.test(input.id))
      throw badRequest('principal id: 1–128 characters of letters, digits and _ . @ : -');
    if (input.kind !== 'user' && input.kind !== 'service') throw badRequest('kind must be user or service');
    const roles = checkRoles(input.roles);
    if ((await this.repo.getPrincipal(input.tenant, input.id)) !== undefined)
      throw alreadyExists(`principal ${input.id} already exists`);
    const record: PrincipalRecord = {
      id: input.id,
      tenant: input.tenant,
      kind: input.kind,
      roles,
      ...(input.description !== undefined ? { description: checkText(input.description) } : {}),
      disabled: false,
      createdAt: this.now().toISOString(),
    };
    await this.repo.putPrincipal(record);
    return record;
  }

  async getPrincipal(tenant: string, id: string): Promise<PrincipalRecord> {
    const p = await this.repo.getPrincipal(tenant, id);
    if (p === undefined) throw notFound(`principal ${id} not found`);
    return p;
  }

  listPrincipals(tenant: string): Promise<PrincipalRecord[]> {
    return this.repo.listPrincipals(tenant);
  }

  /** Change roles, description or disabled. */
  async updatePrincipal(
    tenant: string,
    id: string,
    change: { roles?: string[]; description?: string; disabled?: boolean },
  ): Promise<PrincipalRecord> {
    const current = await this.getPrincipal(tenant, id);
    const next: PrincipalRecord = {
      ...current,
      ...(change.roles !== undefined ? { roles: checkRoles(change.roles) } : {}),
      ...(change.description !== undefined ? { description: checkText(change.description) } : {}),
      ...(change.disabled !== undefined ? { disabled: change.disabled } : {}),
    };
    await this.repo.putPrincipal(next);
    return next;
  }

  /** Delete a principal and revoke its keys. */
  async deletePrincipal(tenant: string, id: string): Promise<void> {
    if (!(await this.repo.deletePrincipal(tenant, id, this.now().toISOString())))
      throw notFound(`principal ${id} not found`);
  }

  /** A new key for an existing principal: the secret is in the answer and nowhere else, ever. */
  async createKey(input: NewKey): Promise<{ key: ApiKeyRecord; secret: string }> {
    await this.getPrincipal(input.tenant, input.principalId);
    const scopes = checkScopes(input.scopes ?? []);
    const now = this.now();
    if (input.expiresAt !== undefined) {
      const at = Date.parse(input.expiresAt);
      if (!/^\d{4}-\d\d-\d\dT/.test(input.expiresAt) || Number.isNaN(at))
        throw badRequest('expiresAt must be an ISO 8601 date-time');
      if (at <= now.getTime()) throw badRequest('expiresAt must be in the future');
    }
    const { secret, hash, prefix } = generateKey();
    const key: ApiKeyRecord = {
      id: newId('k'),
      principalId: input.principalId,
      tenant: input.tenant,
      hash,
      prefix,
      scopes,
      ...(input.description !== undefined ? { description: checkText(input.description) } : {}),
      createdAt: now.toISOString(),
      ...(input.expiresAt !== undefined ? { expiresAt: new Date(input.expiresAt).toISOString() } : {}),
      bootstrap: false,
    };
    await this.repo.putKey(key);
    return { key, secret };
  }

  /** Keys of a tenant (all keys when undefined): never their secrets, which are not kept. */
  listKeys(tenant?: string): Promise<ApiKeyRecord[]> {
    return this.repo.listKeys(tenant);
  }

  async getKey(id: string): Promise<ApiKeyRecord> {
    const key = await this.repo.getKey(id);
    if (key === undefined) throw notFound(`key ${id} not found`);
    return key;
  }

  async revokeKey(id: string): Promise<void> {
    const key = await this.getKey(id);
    if (key.revokedAt !== undefined) throw new NgsiError('BadRequestData', `key ${id} is already revoked`);
    await this.repo.revokeKey(id, this.now().toISOString());
  }

  /** The principal an API key stands for; 401 for anything but a live key of an enabled principal. */
  async authenticate(secret: string): Promise<Principal> {
    const found = await this.repo.keyAndPrincipal(hashKey(secret));
    if (found === undefined) throw unauthorized('unknown API key');
    const { key, principal } = found;
    const now = this.now();
    if (key.revokedAt !== undefined) throw unauthorized('the API key was revoked');
    if (key.expiresAt !== undefined && Date.parse(key.expiresAt) <= now.getTime())
      throw unauthorized('the API key has expired');
    if (principal === undefined || principal.disabled) throw unauthorized('the key’s principal is disabled');
    this.touch(key.id, now);
    return {
      id: principal.id,
      kind: principal.kind,
      tenant: principal.tenant,
      roles: principal.roles,
      ...(key.scopes.length > 0 ? { scopes: key.scopes as Action[] } : {}),
      via: 'key',
      keyId: key.id,
    };
  }

  /**
   * Make sure a platform administrator can get in, without any default secret: with `adminKey` (from
   * URBIS_ADMIN_KEY) that key is the bootstrap key (replacing an earlier one); without, a key is made
   * on the first start only and returned so that the caller shows it once.
   */
  async bootstrap(adminKey?: string): Promise<{ created?: string }> {
    try {
      return await this.bootstrapOnce(adminKey);
    } catch (e) {
      // Replicas starting together bootstrap at once: the one that lost the race finds what the
      // other stored (the principal, or the same URBIS_ADMIN_KEY) and has nothing left to do.
      if (isNgsiError(e) && e.kind === 'AlreadyExists') return this.bootstrapOnce(adminKey);
      throw e;
    }
  }

  private async bootstrapOnce(adminKey?: string): Promise<{ created?: string }> {
    const at = this.now().toISOString();
    if ((await this.repo.getPrincipal(ALL_TENANTS, BOOTSTRAP_PRINCIPAL)) === undefined) {
      await this.repo.putPrincipal({
        id: BOOTSTRAP_PRINCIPAL,
        tenant: ALL_TENANTS,
        kind: 'service',
        roles: ['admin'],
        description: 'platform administrator (bootstrap)',
        disabled: false,
        createdAt: at,
      });
    }
    const keys = await this.repo.listKeys(ALL_TENANTS);
    const live = keys.filter((k) => k.revokedAt === undefined);
    if (adminKey !== undefined) {
      if (adminKey.length < MIN_ADMIN_KEY_LENGTH || /\s/.test(adminKey))
        throw badRequest(
          `URBIS_ADMIN_KEY must be at least ${MIN_ADMIN_KEY_LENGTH} characters without spaces`,
        );
      const hash = hashKey(adminKey);
      const same = keys.find((k) => k.hash === hash);
      if (same?.revokedAt !== undefined) throw badRequest('URBIS_ADMIN_KEY was revoked; set a new one');
      if (same !== undefined) return {};
      for (const k of live) if (k.bootstrap) await this.repo.revokeKey(k.id, at);
      await this.repo.putKey(this.bootstrapKey(hash, keyPrefix(adminKey), at));
      return {};
    }
    if (live.some((k) => k.principalId === BOOTSTRAP_PRINCIPAL)) return {};
    if (keys.some((k) => k.bootstrap)) return {}; // revoked on purpose: the operator made other keys
    const { secret, hash, prefix } = generateKey();
    await this.repo.putKey(this.bootstrapKey(hash, prefix, at));
    return { created: secret };
  }

  private bootstrapKey(hash: string, prefix: string, at: string): ApiKeyRecord {
    return {
      id: newId('k'),
      principalId: BOOTSTRAP_PRINCIPAL,
      tenant: ALL_TENANTS,
      hash,
      prefix,
      scopes: [],
      description: 'bootstrap administrator key',
      createdAt: at,
      bootstrap: true,
    };
  }

  /** Record the key's use, at most once a minute per key; a failure only loses the timestamp. */
  private touch(id: string, now: Date): void {
    const last = this.touched.get(id) ?? 0;
    if (now.getTime() - last < TOUCH_EVERY_MS) return;
    this.touched.set(id, now.getTime());
    this.repo.touchKey(id, now.toISOString()).catch(() => undefined);
  }
}

function checkRoles(roles: unknown): string[] {
  if (!Array.isArray(roles) || roles.length > MAX_ROLES)
    throw badRequest(`roles must be an array of at most ${MAX_ROLES} role names`);
  for (const r of roles)
    if (typeof r !== 'string' || !ROLE.test(r))
      throw badRequest('a role name is 1–64 characters of letters, digits and _ . : -');
  return [...new Set(roles as string[])];
}

function checkScopes(scopes: unknown): Action[] {
  if (!Array.isArray(scopes)) throw badRequest('scopes must be an array of actions');
  for (const s of scopes)
    if (!(ACTIONS as readonly unknown[]).includes(s))
      throw badRequest(`scopes: ${JSON.stringify(s)} is not one of ${ACTIONS.join(', ')}`);
  return [...new Set(scopes as Action[])];
}

function checkText(text: unknown): string {
  if (typeof text !== 'string' || text.length > 500)
    throw badRequest('description: a string of at most 500 characters');
  return text;
}
