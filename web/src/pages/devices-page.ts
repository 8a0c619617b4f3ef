/**
 * The devices screen: every device of the tenant with its connectivity (online/offline, last seen,
 * battery, RSSI/SNR, last error), filtered by state, profile and text, paged, and exported as CSV.
 * `GET /devices` has no filters, so the page reads all devices (1,000 a request) and filters here;
 * live updates of Device entities trigger a coalesced re-read.
 */
import type { ApiClient } from '../api/client.js';
import { listAllDevices, type Device } from '../api/devices.js';
import { devicesCsv, filterDevices, pageOf, type DeviceFilter } from '../lib/device-rows.js';
import { freshness } from '../lib/freshness.js';
import type { LiveHub } from '../live/live-stream.js';
import { h, replace, uid } from '../ui/dom.js';
import type { Page } from './page.js';

const PAGE_SIZE = 25;

export class DevicesPage implements Page {
  readonly title = 'Devices';
  private devices: Device[] = [];
  private filter: DeviceFilter = { state: 'all', profile: '', text: '' };
  private page = 0;
  private readonly tbody = h('tbody');
  private readonly pager = h('div', { class: 'pager', role: 'group', 'aria-label': 'Pages' });
  private readonly summary = h('p', { role: 'status', class: 'muted' });
  private readonly profileSelect = h(
    'select',
    { id: uid('profile') },
    h('option', { value: '' }, 'All profiles'),
  );
  private unsubscribe: (() => void) | undefined;
  private reloadTimer: number | undefined;

  constructor(
    private readonly api: ApiClient,
    private readonly live: LiveHub,
  ) {}

  async mount(root: HTMLElement): Promise<void> {
    const stateId = uid('state');
    const textId = uid('text');
    const state = h(
      'select',
      { id: stateId },
      h('option', { value: 'all' }, 'All states'),
      h('option', { value: 'online' }, 'Online'),
      h('option', { value: 'offline' }, 'Offline'),
    );
    state.addEventListener('change', () => this.set({ state: state.value as DeviceFilter['state'] }));
    this.profileSelect.addEventListener('change', () => this.set({ profile: this.profileSelect.value }));
    const text = h('input', {
      id: textId,
      type: 'search',
      placeholder: 'id, entity or error',
      autocomplete: 'off',
    });
    text.addEventListener('input', () => this.set({ text: text.value }));
    const exportButton = h('button', { type: 'button', onclick: () => this.exportCsv() }, 'Export CSV');
    const col = (t: string) => h('th', { scope: 'col' }, t);
    root.append(
      h(
        'div',
        { class: 'page devices-page' },
        h('h1', {}, 'Devices'),
        h(
          'div',
          { class: 'toolbar', role: 'search', 'aria-label': 'Filter devices' },
          h('label', { for: stateId }, 'State'),
          state,
          h('label', { for: this.profileSelect.id }, 'Profile'),
          this.profileSelect,
          h('label', { for: textId }, 'Search'),
          text,
          exportButton,
        ),
        this.summary,
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'devices' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...['Id', 'Profile', 'State', 'Last seen', 'Battery', 'RSSI / SNR', 'Last error'].map(col),
              ),
            ),
            this.tbody,
          ),
        ),
        this.pager,
      ),
    );
    this.unsubscribe = this.live.subscribe({
      entity: (e) => {
        if ((Array.isArray(e.type) ? e.type[0] : e.type) === 'Device') this.scheduleReload();
      },
      deleted: (r) => {
        if (r.type === 'Device') this.scheduleReload();
      },
      resync: () => this.scheduleReload(),
    });
    await this.reload();
  }

  private scheduleReload(): void {
    if (this.reloadTimer !== undefined) return;
    this.reloadTimer = window.setTimeout(() => {
      this.reloadTimer = undefined;
      void this.reload();
    }, 2000);
  }

  private async reload(): Promise<void> {
    try {
      this.devices = await listAllDevices(this.api);
    } catch (e) {
      this.summary.textContent = `Devices unavailable: ${(e as Error).message}`;
      return;
    }
    const profiles = [...new Set(this.devices.map((d) => d.profile))].sort();
    const chosen = this.profileSelect.value;
    replace(
      this.profileSelect,
      h('option', { value: '' }, 'All profiles'),
      ...profiles.map((p) => h('option', { value: p, selected: p === chosen }, p)),
    );
    this.render();
  }

  private set(change: Partial<DeviceFilter>): void {
    this.filter = { ...this.filter, ...change };
    this.page = 0;
    this.render();
  }

  private render(): void {
    const rows = filterDevices(this.devices, this.filter);
    const p = pageOf(rows, this.page, PAGE_SIZE);
    this.page = p.page;
    this.summary.textContent = `${rows.length} of ${this.devices.length} devices.`;
    const now = Date.now();
    replace(
      this.tbody,
      ...p.rows.map((d) => {
        const seen = freshness(d.state.lastSeen, now);
        return h(
          'tr',
          { 'data-device': d.id },
          h('th', { scope: 'row' }, h('code', {}, d.id)),
          h('td', {}, d.profile),
          h(
            'td',
            {},
            h(
              'span',
              { class: `badge ${d.state.online ? 'ok' : 'bad'}` },
              d.state.online ? 'online' : 'offline',
            ),
          ),
          h('td', { class: seen.stale ? 'stale' : '', title: d.state.lastSeen ?? '' }, seen.text),
          h('td', {}, d.state.battery === undefined ? '—' : `${d.state.battery}%`),
          h('td', {}, d.state.rssi === undefined ? '—' : `${d.state.rssi} dBm / ${d.state.snr ?? '—'} dB`),
          h('td', {}, d.state.lastError ?? ''),
        );
      }),
    );
    replace(
      this.pager,
      h('button', { type: 'button', disabled: p.page === 0, onclick: () => this.go(p.page - 1) }, 'Previous'),
      h('span', {}, ` Page ${p.page + 1} of ${p.pages} `),
      h(
        'button',
        { type: 'button', disabled: p.page >= p.pages - 1, onclick: () => this.go(p.page + 1) },
        'Next',
      ),
    );
  }

  private go(n: number): void {
    this.page = n;
    this.render();
  }

  /** Download the filtered devices (all pages) as CSV. */
  private exportCsv(): void {
    const blob = new Blob([devicesCsv(filterDevices(this.devices, this.filter))], {
      type: 'text/csv;charset=utf-8',
    });
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: `urbis-devices-${new Date().toISOString().slice(0, 10)}.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  unmount(): void {
    this.unsubscribe?.();
    if (this.reloadTimer !== undefined) window.clearTimeout(this.reloadTimer);
  }
}
