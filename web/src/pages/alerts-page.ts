/**
 * The alerts screen: active and acknowledged alerts, kept current by the live feed (an Alert entity
 * arrives whole on every change), with acknowledge and clear; and the alert rules with a form to
 * create, edit and delete them.
 */
import type { ApiClient } from '../api/client.js';
import {
  acknowledgeAlert,
  alertView,
  clearAlert,
  deleteRule,
  isAlert,
  listAlerts,
  listRules,
  type AlertView,
} from '../api/alerts.js';
import { freshness } from '../lib/freshness.js';
import { formatValue } from '../lib/units.js';
import type { LiveHub } from '../live/live-stream.js';
import { announce, h, replace } from '../ui/dom.js';
import type { Page } from './page.js';
import { RuleForm } from './rule-form.js';

export class AlertsPage implements Page {
  readonly title = 'Alerts';
  private readonly alerts = new Map<string, AlertView>();
  private readonly alertList = h('ul', {
    class: 'alerts',
    'aria-live': 'polite',
    'aria-label': 'Open alerts',
  });
  private readonly rulesBody = h('tbody');
  private readonly note = h('p', { class: 'muted', role: 'status' });
  private readonly form: RuleForm;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly api: ApiClient,
    private readonly live: LiveHub,
  ) {
    this.form = new RuleForm(api, () => void this.loadRules());
  }

  async mount(root: HTMLElement): Promise<void> {
    const col = (t: string) => h('th', { scope: 'col' }, t);
    root.append(
      h(
        'div',
        { class: 'page alerts-page' },
        h('h1', {}, 'Alerts'),
        h(
          'section',
          { 'aria-labelledby': 'open-alerts' },
          h('h2', { id: 'open-alerts' }, 'Open alerts'),
          this.note,
          this.alertList,
        ),
        h(
          'section',
          { 'aria-labelledby': 'rules-title', class: 'rules' },
          h('h2', { id: 'rules-title' }, 'Rules'),
          h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              {},
              h('thead', {}, h('tr', {}, ...['Id', 'Name', 'Severity', 'Condition', 'Enabled', ''].map(col))),
              this.rulesBody,
            ),
          ),
          this.form.el,
        ),
      ),
    );
    this.unsubscribe = this.live.subscribe({
      entity: (e) => {
        if (!isAlert(e)) return;
        const a = alertView(e);
        const isNew = !this.alerts.has(a.id);
        if (a.status === 'cleared') this.alerts.delete(a.id);
        else this.alerts.set(a.id, a);
        if (isNew && a.status === 'active') announce(`New ${a.severity} alert: ${a.description}`);
        this.renderAlerts();
      },
      deleted: (r) => {
        if (this.alerts.delete(r.id)) this.renderAlerts();
      },
      resync: () => void this.loadAlerts(),
    });
    await Promise.all([this.loadAlerts(), this.loadRules()]);
  }

  private async loadAlerts(): Promise<void> {
    try {
      const open = await listAlerts(this.api, ['active', 'acknowledged']);
      this.alerts.clear();
      for (const a of open) this.alerts.set(a.id, a);
      this.renderAlerts();
    } catch (e) {
      this.note.textContent = `Alerts unavailable: ${(e as Error).message}`;
    }
  }

  private renderAlerts(): void {
    const list = [...this.alerts.values()].sort((a, b) => b.dateIssued.localeCompare(a.dateIssued));
    this.note.textContent = list.length === 0 ? 'No open alerts.' : `${list.length} open.`;
    const now = Date.now();
    replace(
      this.alertList,
      ...list.map((a) =>
        h(
          'li',
          { class: `alert sev-${a.severity}`, 'data-alert': a.id, 'data-status': a.status },
          h('span', { class: `badge sev-${a.severity}` }, a.severity || 'alert'),
          h('strong', {}, ` ${a.description || a.category || a.id} `),
          h(
            'span',
            { class: 'muted' },
            `${a.status} · ${freshness(a.dateIssued, now).text} · `,
            h('code', {}, a.source),
          ),
          a.value !== undefined ? h('span', {}, ` value ${formatValue(a.value)}`) : null,
          h(
            'span',
            { class: 'actions' },
            a.status === 'active'
              ? h(
                  'button',
                  { type: 'button', onclick: () => void this.act(a.id, 'acknowledge') },
                  'Acknowledge',
                )
              : null,
            h('button', { type: 'button', onclick: () => void this.act(a.id, 'clear') }, 'Clear'),
          ),
        ),
      ),
    );
  }

  private async act(id: string, what: 'acknowledge' | 'clear'): Promise<void> {
    try {
      await (what === 'acknowledge' ? acknowledgeAlert(this.api, id) : clearAlert(this.api, id));
      const a = this.alerts.get(id);
      if (a !== undefined) {
        if (what === 'clear') this.alerts.delete(id);
        else a.status = 'acknowledged';
        this.renderAlerts();
      }
      announce(`Alert ${what === 'clear' ? 'cleared' : 'acknowledged'}`);
    } catch (e) {
      this.note.textContent = `Could not ${what}: ${(e as Error).message}`;
    }
  }

  private async loadRules(): Promise<void> {
    try {
      const rules = await listRules(this.api);
      replace(
        this.rulesBody,
        ...rules.map((r) =>
          h(
            'tr',
            { 'data-rule': r.id },
            h('th', { scope: 'row' }, h('code', {}, r.id)),
            h('td', {}, r.name),
            h('td', {}, r.severity),
            h('td', {}, h('code', {}, JSON.stringify(r.condition))),
            h('td', {}, r.enabled !== false ? 'yes' : 'no'),
            h(
              'td',
              {},
              h(
                'button',
                { type: 'button', 'aria-label': `Edit rule ${r.id}`, onclick: () => this.form.edit(r) },
                'Edit',
              ),
              h(
                'button',
                {
                  type: 'button',
                  'aria-label': `Delete rule ${r.id}`,
                  onclick: () => {
                    if (window.confirm(`Delete rule ${r.id}?`))
                      void deleteRule(this.api, r.id).then(
                        () => this.loadRules(),
                        (e: Error) => (this.note.textContent = e.message),
                      );
                  },
                },
                'Delete',
              ),
            ),
          ),
        ),
      );
    } catch (e) {
      replace(
        this.rulesBody,
        h('tr', {}, h('td', { colspan: 6 }, `Rules unavailable: ${(e as Error).message}`)),
      );
    }
  }

  unmount(): void {
    this.unsubscribe?.();
  }
}
