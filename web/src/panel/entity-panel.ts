/**
 * The entity panel (a side panel on a laptop, a bottom sheet on a tablet): current values with units
 * and freshness, the history chart, and the device behind the entity with its commands. Follows the
 * live feed for this entity and for its Device entity (command statuses).
 */
import type { ApiClient } from '../api/client.js';
import { getEntity } from '../api/ngsi.js';
import {
  attributes,
  displayName,
  entityType,
  stringOf,
  type AttrView,
  type NgsiEntity,
} from '../lib/entity.js';
import { freshness } from '../lib/freshness.js';
import { chartableAttributes } from '../lib/temporal.js';
import { typeName } from '../lib/type-names.js';
import { formatValue, unitSymbol } from '../lib/units.js';
import type { LiveHub } from '../live/live-stream.js';
import { h, replace } from '../ui/dom.js';
import { HistoryChart } from './chart.js';
import { DeviceSection } from './device-section.js';

/** Attributes not shown in the values table (shown elsewhere, or noise). */
const HIDDEN = new Set(['location', 'refDevice', 'name']);

export class EntityPanel {
  readonly el: HTMLElement;
  private readonly body: HTMLElement;
  private readonly title: HTMLElement;
  private entity: NgsiEntity | undefined;
  private chart: HistoryChart | undefined;
  private device: DeviceSection | undefined;
  private valuesBox: HTMLElement | undefined;
  private unsubscribe: (() => void) | undefined;
  private ticker: number | undefined;
  onClose: (() => void) | undefined;

  constructor(
    private readonly api: ApiClient,
    private readonly live: LiveHub,
  ) {
    this.title = h('h2', { id: 'panel-title', tabindex: '-1' });
    this.body = h('div', { class: 'panel-body' });
    this.el = h(
      'aside',
      { class: 'entity-panel', 'aria-labelledby': 'panel-title', hidden: true },
      h(
        'header',
        { class: 'panel-header' },
        this.title,
        h(
          'button',
          { type: 'button', class: 'close', 'aria-label': 'Close panel', onclick: () => this.close() },
          '×',
        ),
      ),
      this.body,
    );
    this.el.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.close();
    });
  }

  get openId(): string | undefined {
    return this.entity?.id;
  }

  /** Open `id`, with `known` shown at once while the full entity loads. */
  async open(id: string, known?: NgsiEntity): Promise<void> {
    this.teardown();
    this.el.hidden = false;
    if (known !== undefined) this.render(known);
    else {
      this.title.textContent = id;
      replace(this.body, h('p', { class: 'muted' }, 'Loading…'));
    }
    this.title.focus();
    const e = await getEntity(this.api, id).catch((err: Error) => {
      replace(this.body, h('p', { class: 'error' }, `Cannot read ${id}: ${err.message}`));
      return undefined;
    });
    if (e === undefined) return;
    this.render(e);
    this.unsubscribe = this.live.subscribe({
      entity: (x) => {
        if (x.id === this.entity?.id) {
          this.entity = x;
          this.renderValues();
        } else if (x.id === this.device?.deviceEntityId) void this.device.refreshCommands();
      },
      deleted: (r) => {
        if (r.id === this.entity?.id)
          replace(this.body, h('p', { class: 'muted' }, 'This entity was deleted.'));
      },
    });
    // Ages ("2 min ago") move on with the clock.
    this.ticker = window.setInterval(() => this.renderValues(), 30_000);
  }

  private render(e: NgsiEntity): void {
    this.entity = e;
    this.title.textContent = displayName(e);
    this.valuesBox = h('section', { class: 'panel-section', 'aria-label': 'Current values' });
    const attrs = attributes(e).filter((a) => !HIDDEN.has(a.name) && a.kind === 'Property');
    this.chart?.destroy();
    this.chart = new HistoryChart(this.api, e.id, chartableAttributes(attrs), (name) =>
      unitSymbol(attributes(this.entity ?? e).find((a) => a.name === name)?.unitCode),
    );
    const ref = stringOf(e, 'refDevice');
    this.device?.close();
    this.device = ref !== undefined ? new DeviceSection(this.api, ref) : undefined;
    replace(
      this.body,
      h('p', { class: 'muted' }, `${typeName(entityType(e))} · `, h('code', {}, e.id)),
      this.valuesBox,
      this.chart.el,
      this.device?.el,
    );
    this.renderValues();
  }

  private renderValues(): void {
    if (this.entity === undefined || this.valuesBox === undefined) return;
    const now = Date.now();
    const rows = attributes(this.entity).filter((a) => !HIDDEN.has(a.name) && a.kind !== 'GeoProperty');
    replace(
      this.valuesBox,
      h('h3', {}, 'Current values'),
      h(
        'table',
        { class: 'values' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Attribute'),
            h('th', { scope: 'col' }, 'Value'),
            h('th', { scope: 'col' }, 'Observed'),
          ),
        ),
        h('tbody', {}, ...rows.map((a) => this.row(a, now))),
      ),
    );
  }

  private row(a: AttrView, now: number): HTMLElement {
    const f = freshness(a.observedAt, now);
    return h(
      'tr',
      { 'data-attr': a.name },
      h('th', { scope: 'row' }, a.name),
      h(
        'td',
        {},
        a.kind === 'Relationship' ? h('code', {}, String(a.value)) : formatValue(a.value, a.unitCode),
      ),
      h(
        'td',
        { class: a.observedAt !== undefined && f.stale ? 'stale' : '' },
        a.observedAt === undefined ? '—' : f.text,
      ),
    );
  }

  private teardown(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.ticker !== undefined) window.clearInterval(this.ticker);
    this.chart?.destroy();
    this.device?.close();
    this.chart = undefined;
    this.device = undefined;
  }

  close(): void {
    this.teardown();
    this.entity = undefined;
    this.el.hidden = true;
    this.onClose?.();
  }
}
