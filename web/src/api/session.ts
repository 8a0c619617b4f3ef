/**
 * The signed-in session: the bearer credential — an API key, or an access token from the OpenID
 * Connect issuer, with its expiry — (or none: anonymous) and the tenant, kept in sessionStorage so
 * that they die with the tab and are never written to disk by a "remember me".
 */

const KEY = 'urbis.apiKey';
const VIA = 'urbis.via';
const EXPIRES = 'urbis.expiresAt';
const TENANT = 'urbis.tenant';

/** How the credential was obtained. */
export type SignInVia = 'key' | 'oidc';

export interface SignInOptions {
  via?: SignInVia;
  /** When the credential stops being accepted (ms since the epoch); undefined: not known to expire. */
  expiresAt?: number;
}

export class Session {
  constructor(
    private readonly storage: Storage,
    private readonly defaultTenant: string,
  ) {}

  /** The bearer credential (an API key or an access token), sent as `Authorization: Bearer …`. */
  get apiKey(): string | undefined {
    return this.storage.getItem(KEY) ?? undefined;
  }

  get via(): SignInVia | undefined {
    if (this.apiKey === undefined) return undefined;
    return this.storage.getItem(VIA) === 'oidc' ? 'oidc' : 'key';
  }

  /** When the credential expires (ms since the epoch), if known. */
  get expiresAt(): number | undefined {
    const raw = this.storage.getItem(EXPIRES);
    const n = raw === null ? NaN : Number(raw);
    return Number.isFinite(n) ? n : undefined;
  }

  get tenant(): string {
    return this.storage.getItem(TENANT) ?? this.defaultTenant;
  }

  signIn(credential: string, options: SignInOptions = {}): void {
    this.storage.setItem(KEY, credential);
    this.storage.setItem(VIA, options.via ?? 'key');
    if (options.expiresAt !== undefined) this.storage.setItem(EXPIRES, String(options.expiresAt));
    else this.storage.removeItem(EXPIRES);
  }

  signOut(): void {
    for (const k of [KEY, VIA, EXPIRES, TENANT]) this.storage.removeItem(k);
  }

  /** Address `tenant` ('' is the platform's default tenant, which may differ from the server's suggestion). */
  setTenant(tenant: string): void {
    if (tenant === this.defaultTenant) this.storage.removeItem(TENANT);
    else this.storage.setItem(TENANT, tenant);
  }
}
