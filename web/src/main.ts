/**
 * The operations dashboard's entry: read /dashboard/config, restore the session, draw the header
 * (navigation, tenant, live status, sign in/out) and route between the map, devices and alerts
 * screens by the URL hash. Everything it shows comes from Urbis's public HTTP API on this origin.
 */
import './styles.css';
import { ApiClient, ApiError } from './api/client.js';
import { loadConfig, type DashboardConfig } from './api/config.js';
import { listTypes } from './api/ngsi.js';
import { Session } from './api/session.js';
import { signInView } from './auth/sign-in.js';
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

class App {
  private readonly main = h('main', { id: 'main', tabindex: '-1' });
  private readonly header = h('header', { class: 'top' });
  private readonly liveBadge = h('span', { class: 'live-status', role: 'status', 'aria-live': 'polite' });
  private page: Page | undefined;
  private live: LiveHub | undefined;
  private observed: string[] = [];
  private api: ApiClient;
  private admin = false;

  constructor(
    private readonly config: DashboardConfig,
    private readonly session: Session,
  ) {
    this.api = new ApiClient(session, config.context);
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
    if (this.session.apiKey === undefined && !this.config.demo) {
      this.showSignIn();
      return;
    }
    await this.connect();
  }

  /** (Re)start after sign-in or a tenant change: types, live feed, then the screen. */
  private async connect(): Promise<void> {
    this.live?.stop();
    this.admin = await this.isAdmin();
    try {
      this.observed = (await listTypes(this.api)).filter((t) => !NOT_ON_MAP.has(t));
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        this.showSignIn();
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

  private async isAdmin(): Promise<boolean> {
    if (this.session.apiKey === undefined) return false;
    return this.api.request('/admin/keys').then(
      () => true,
      () => false,
    );
  }

  private showLive(s: LiveStatus): void {
    this.liveBadge.textContent = s === 'live' ? '● Live' : s === 'connecting' ? '○ Connecting…' : '○ Offline';
    this.liveBadge.className = `live-status ${s}`;
  }

  private drawHeader(): void {
    const current = location.hash || '#/map';
    const tenantId = uid('tenant');
    const tenant = h('input', {
      id: tenantId,
      value: this.session.tenant,
      list: 'tenants',
      size: 12,
      readonly: !this.admin,
      'aria-describedby': this.admin ? undefined : 'tenant-note',
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
      h('datalist', { id: 'tenants' }, h('option', { value: this.config.defaultTenant })),
      this.admin
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
      if (e instanceof ApiError && e.status === 401) this.showSignIn();
      else
        this.main.append(
          h('p', { class: 'error', role: 'alert' }, `Could not load: ${(e as Error).message}`),
        );
    }
  }

  private showSignIn(): void {
    this.page?.unmount();
    this.page = undefined;
    this.live?.stop();
    this.live = undefined;
    replace(this.header, h('span', { class: 'brand' }, 'Urbis'));
    replace(
      this.main,
      signInView(this.config, this.session.tenant, (key) => {
        this.session.signIn(key);
        if (location.hash === '#/sign-in' || location.hash === '') location.hash = '#/map';
        void this.connect();
      }),
    );
    this.main.querySelector('input')?.focus();
  }

  private signOut(): void {
    this.session.signOut();
    this.live?.stop();
    this.live = undefined;
    if (this.config.demo) void this.connect();
    else this.showSignIn();
  }
}

const config = await loadConfig();
await new App(config, new Session(window.sessionStorage, config.defaultTenant)).start();
