/**
 * The operations dashboard's entry: read /dashboard/config, restore the session, draw the header
 * (navigation, tenant, live status, sign in/out) and route between the map, devices and alerts
 * screens by the URL hash. Everything it shows comes from Urbis's public HTTP API on this origin (and,
 * to sign in through OpenID Connect, the issuer's discovery and token endpoints).
 *
 * A credential that stops working — an access token past its `exp`, or any 401 from Urbis — returns the
 * dashboard to the sign-in screen with a notice, instead of leaving a map that silently stops updating.
 */
import './styles.css';
import { ApiClient, ApiError } from './api/client.js';
import { loadConfig, type DashboardConfig } from './api/config.js';
import { listTypes } from './api/ngsi.js';
import { Session } from './api/session.js';
import { completeSignIn, type OidcClient } from './auth/oidc.js';
import { signInView } from './auth/sign-in.js';
import { withoutResponseParams } from './lib/pkce.js';
import { NOT_ON_MAP } from './lib/type-names.js';
import { LiveHub, type LiveStatus } from './live/live-stream.js';
import { AlertsPage } from './pages/alerts-page.js';
import { DevicesPage } from './pages/devices-page.js';
import { MapPage } from './pages/map-page.js';
import type { Page } from './pages/page.js';
import { h, replace, uid } from './ui/dom.js';

const ROUTES = [
  { hash: '#/map', label: 'Map' },
  { hash: '#/devices', label: 'Devices' },
  { hash: '#/alerts', label: 'Alerts' },
] as const;

/** Types the live feed always carries besides those on the map. */
const LIVE_EXTRA = ['Alert', 'Device'];

/** setTimeout's longest delay (about 24.8 days); a later expiry is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const EXPIRED = 'Your sign-in has expired. Sign in again.';
const REFUSED = 'Urbis no longer accepts this sign-in (expired or revoked). Sign in again.';

class App {
  private readonly main = h('main', { id: 'main', tabindex: '-1' });
  private readonly header = h('header', { class: 'top' });
  private readonly liveBadge = h('span', { class: 'live-status', role: 'status', 'aria-live': 'polite' });
  private page: Page | undefined;
  private live: LiveHub | undefined;
  private observed: string[] = [];
  private api: ApiClient;
  /** The tenants a platform administrator may switch between (GET /admin/tenants); undefined: not one. */
  private tenants: string[] | undefined;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  /** The sign-in screen is up (so a late 401 does not redraw it and wipe its notice). */
  private signInShown = false;

  constructor(
    private readonly config: DashboardConfig,
    private readonly session: Session,
  ) {
    // Every API answer passes here: a 401 while signed in means the credential is dead.
    this.api = new ApiClient(session, config.context, async (...a) => {
      const res = await fetch(...a);
      if (res.status === 401 && this.session.apiKey !== undefined) this.expire(REFUSED);
      return res;
    });
    const root = document.getElementById('app') as HTMLElement;
    root.append(
      this.header,
      this.main,
      h('div', { id: 'announcer', class: 'visually-hidden', 'aria-live': 'polite' }),
    );
    // Only '#/…' hashes are routes; others (e.g. in-page anchors) leave the screen alone.
    window.addEventListener('hashchange', () => {
      if (location.hash === '' || location.hash.startsWith('#/')) void this.route();
    });
    // The skip link focuses the content instead of changing the hash (which is the router's).
    document.querySelector('.skip-link')?.addEventListener('click', (e) => {
      e.preventDefault();
      this.main.focus();
    });
  }

  async start(): Promise<void> {
    if (this.config.oidc !== null) {
      const done = await completeSignIn(
        this.oidcClient(this.config.oidc),
        window.sessionStorage,
        location.href,
      );
      if (done.kind !== 'none') history.replaceState(history.state, '', withoutResponseParams(location.href));
      if (done.kind === 'failed') {
        this.showSignIn(done.message);
        return;
      }
      if (done.kind === 'signed-in') {
        this.session.signIn(done.accessToken, { via: 'oidc', expiresAt: done.expiresAt });
        // The token names its tenant (none: the default tenant); that is the tenant it may read.
        this.session.setTenant(done.tenant ?? '');
      }
    }
    const expiresAt = this.session.expiresAt;
    if (this.session.apiKey !== undefined && expiresAt !== undefined && expiresAt <= Date.now()) {
      this.expire(EXPIRED);
      return;
    }
    if (this.session.apiKey === undefined && !this.config.demo) {
      this.showSignIn();
      return;
    }
    await this.connect();
  }

  /**
   * The issuer as the flow needs it; the server's tenant claim is followed ('' there: every token
   * is of the default tenant, whatever it carries).
   */
  private oidcClient(oidc: NonNullable<DashboardConfig['oidc']>): OidcClient {
    return typeof oidc.tenantClaim === 'string' ? { ...oidc, tenantClaim: oidc.tenantClaim } : oidc;
  }

  /** (Re)start after sign-in or a tenant change: types, live feed, then the screen. */
  private async connect(): Promise<void> {
    this.signInShown = false;
    this.live?.stop();
    this.armExpiry();
    this.tenants = await this.listTenants();
    if (this.signInShown) return;
    try {
      this.observed = (await listTypes(this.api)).filter((t) => !NOT_ON_MAP.has(t));
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        if (!this.signInShown) this.showSignIn();
        return;
      }
      // An unknown tenant (404) has no types yet: an empty city.
      this.observed = [];
    }
    this.live = new LiveHub(this.api, [...new Set([...this.observed, ...LIVE_EXTRA])]);
    this.live.onStatus = (s) => this.showLive(s);
    this.live.start();
    this.drawHeader();
    await this.route();
  }

  /**
   * The platform's tenants when the credential is a platform administrator's: `GET /admin/tenants`
   * answers them (sorted; '' is the default tenant) and refuses everyone else with 403, so it both
   * decides who may switch and fills the suggestions.
   */
  private async listTenants(): Promise<string[] | undefined> {
    if (this.session.apiKey === undefined) return undefined;
    return this.api.json<unknown>('/admin/tenants').then(
      (list) => (Array.isArray(list) ? list.filter((t): t is string => typeof t === 'string') : undefined),
      () => undefined,
    );
  }

  /** Return to the sign-in screen when the credential's known expiry passes. */
  private armExpiry(): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    const at = this.session.expiresAt;
    if (this.session.apiKey === undefined || at === undefined) return;
    const wait = at - Date.now();
    if (wait <= 0) {
      this.expire(EXPIRED);
      return;
    }
    this.expiryTimer = setTimeout(
      () => {
        if (wait > MAX_TIMER_MS) this.armExpiry();
        else this.expire(EXPIRED);
      },
      Math.min(wait, MAX_TIMER_MS),
    );
  }

  /** Forget a credential that no longer works and say so on the sign-in screen. */
  private expire(notice: string): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.session.signOut();
    this.showSignIn(notice);
  }

  private showLive(s: LiveStatus): void {
    this.liveBadge.textContent = s === 'live' ? '● Live' : s === 'connecting' ? '○ Connecting…' : '○ Offline';
    this.liveBadge.className = `live-status ${s}`;
  }

  private drawHeader(): void {
    const current = location.hash || '#/map';
    const admin = this.tenants !== undefined;
    const tenantId = uid('tenant');
    const tenant = h('input', {
      id: tenantId,
      value: this.session.tenant,
      list: 'tenants',
      size: 12,
      placeholder: '(default)',
      readonly: !admin,
      'aria-describedby': admin ? undefined : 'tenant-note',
    });
    tenant.addEventListener('change', () => {
      this.session.setTenant(tenant.value.trim());
      void this.connect();
    });
    const signedIn = this.session.apiKey !== undefined;
    replace(
      this.header,
      h('span', { class: 'brand' }, 'Urbis'),
      h(
        'nav',
        { 'aria-label': 'Screens' },
        ...ROUTES.map((r) =>
          h('a', { href: r.hash, 'aria-current': current === r.hash ? 'page' : undefined }, r.label),
        ),
      ),
      h('span', { class: 'spacer' }),
      this.liveBadge,
      h('label', { for: tenantId }, 'Tenant'),
      tenant,
      h(
        'datalist',
        { id: 'tenants' },
        // '' (the default tenant) is an empty field, which a datalist cannot offer.
        ...[...new Set([this.config.defaultTenant, ...(this.tenants ?? [])])]
          .filter((t) => t !== '')
          .map((t) => h('option', { value: t })),
      ),
      admin
        ? null
        : h('span', { id: 'tenant-note', class: 'visually-hidden' }, 'Only administrators change tenant.'),
      signedIn
        ? h('button', { type: 'button', onclick: () => this.signOut() }, 'Sign out')
        : h('button', { type: 'button', onclick: () => this.showSignIn() }, 'Sign in'),
    );
  }

  private async route(): Promise<void> {
    if (location.hash === '#/sign-in') {
      this.showSignIn();
      return;
    }
    if (this.live === undefined) return;
    const hash = ROUTES.some((r) => r.hash === location.hash) ? location.hash : '#/map';
    this.page?.unmount();
    this.main.replaceChildren();
    this.page =
      hash === '#/devices'
        ? new DevicesPage(this.api, this.live)
        : hash === '#/alerts'
          ? new AlertsPage(this.api, this.live)
          : new MapPage(this.api, this.config, this.live, this.observed, this.session.tenant);
    document.title = `${this.page.title} — Urbis`;
    this.drawHeader();
    try {
      await this.page.mount(this.main);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        if (!this.signInShown) this.showSignIn();
      } else
        this.main.append(
          h('p', { class: 'error', role: 'alert' }, `Could not load: ${(e as Error).message}`),
        );
    }
  }

  private showSignIn(notice?: string): void {
    this.signInShown = true;
    this.page?.unmount();
    this.page = undefined;
    this.live?.stop();
    this.live = undefined;
    replace(this.header, h('span', { class: 'brand' }, 'Urbis'));
    replace(
      this.main,
      signInView(
        this.config,
        this.session.tenant,
        (key, tenant) => {
          this.session.signIn(key);
          this.session.setTenant(tenant);
          if (location.hash === '#/sign-in' || location.hash === '') location.hash = '#/map';
          void this.connect();
        },
        notice,
      ),
    );
    this.main.querySelector('input')?.focus();
  }

  private signOut(): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.session.signOut();
    this.live?.stop();
    this.live = undefined;
    if (this.config.demo) void this.connect();
    else this.showSignIn();
  }
}

const config = await loadConfig();
await new App(config, new Session(window.sessionStorage, config.defaultTenant)).start();
