/**
 * The signed-in session: the API key (or none: anonymous) and the tenant, kept in sessionStorage so
 * that they die with the tab and are never written to disk by a "remember me".
 */

const KEY = 'urbis.apiKey';
const TENANT = 'urbis.tenant';

export class Session {
  constructor(
    private readonly storage: Storage,
    private readonly defaultTenant: string,
  ) {}

  get apiKey(): string | undefined {
    return this.storage.getItem(KEY) ?? undefined;
  }

  get tenant(): string {
    return this.storage.getItem(TENANT) ?? this.defaultTenant;
  }

  signIn(apiKey: string): void {
    this.storage.setItem(KEY, apiKey);
  }

  signOut(): void {
    this.storage.removeItem(KEY);
    this.storage.removeItem(TENANT);
  }

  setTenant(tenant: string): void {
    if (tenant === '' || tenant === this.defaultTenant) this.storage.removeItem(TENANT);
    else this.storage.setItem(TENANT, tenant);
  }
}
