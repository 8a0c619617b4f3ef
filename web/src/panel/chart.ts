/**
 * The history chart of one attribute: uPlot over 24 h / 7 d / 30 d, from the temporal API's
 * aggregation (avg, min, max per period) — the server aggregates in SQL, the browser draws a few
 * hundred points at most whatever the history's length.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ApiClient } from '../api/client.js';
import { temporalAggregate } from '../api/ngsi.js';
import { aggregatedSeries, WINDOWS, type WindowKey } from '../lib/temporal.js';
import { h, replace } from '../ui/dom.js';

const METHODS = ['avg', 'min', 'max'] as const;
const COLOURS: Record<(typeof METHODS)[number], string> = { avg: '#1d4ed8', min: '#0f766e', max: '#b91c1c' };

export class HistoryChart {
  readonly el: HTMLElement;
  private readonly plotBox: HTMLElement;
  private readonly status: HTMLElement;
  private plot: uPlot | undefined;
  private window: WindowKey = '24h';
  private attr = '';
  private seq = 0;

  constructor(
    private readonly api: ApiClient,
    private readonly entityId: string,
    attributes: string[],
    private readonly unit: (attr: string) => string,
  ) {
    this.attr = attributes[0] ?? '';
    const select = h(
      'select',
      {
        'aria-label': 'Attribute to chart',
        onchange: (e) => this.show((e.target as HTMLSelectElement).value),
      },
      ...attributes.map((a) => h('option', { value: a }, a)),
    );
    const windows = h(
      'div',
      { class: 'segmented', role: 'group', 'aria-label': 'Time window' },
      ...(Object.keys(WINDOWS) as WindowKey[]).map((k) =>
        h(
          'button',
          {
            type: 'button',
            'aria-pressed': k === this.window ? 'true' : 'false',
            'data-window': k,
            onclick: (e) => {
              this.window = k;
              for (const b of (e.currentTarget as HTMLElement).parentElement?.children ?? [])
                b.setAttribute('aria-pressed', String((b as HTMLElement).dataset.window === k));
              void this.load();
            },
          },
          WINDOWS[k].label,
        ),
      ),
    );
    this.status = h('p', { class: 'muted', role: 'status' });
    this.plotBox = h('div', { class: 'chart', 'data-points': '0' });
    this.el = h(
      'section',
      { class: 'panel-section', 'aria-label': 'History' },
      h('h3', {}, 'History'),
      h('div', { class: 'row' }, select, windows),
      this.plotBox,
      this.status,
    );
    if (this.attr !== '') void this.load();
    else this.status.textContent = 'No numeric attribute to chart.';
  }

  private show(attr: string): void {
    this.attr = attr;
    void this.load();
  }

  /** Fetch the aggregate for the current attribute and window, and draw it. */
  async load(): Promise<void> {
    const seq = ++this.seq;
    const w = WINDOWS[this.window];
    this.status.textContent = 'Loading…';
    try {
      const body = await temporalAggregate(
        this.api,
        this.entityId,
        this.attr,
        new Date(Date.now() - w.ms),
        w.period,
        METHODS,
      );
      if (seq !== this.seq) return;
      const s = aggregatedSeries(body, this.attr, METHODS);
      const now = Date.now() / 1000;
      this.draw(
        s.x,
        METHODS.map((m) => s.y[m] ?? []),
        [now - w.ms / 1000, now],
      );
      this.plotBox.dataset.points = String(s.x.length);
      this.status.textContent =
        s.x.length === 0
          ? `No history in the last ${w.label}.`
          : `${s.x.length} periods of ${w.period}, avg / min / max.`;
    } catch (e) {
      if (seq !== this.seq) return;
      this.status.textContent = `History unavailable: ${(e as Error).message}`;
    }
  }

  /** Draw the columns over the whole window (`range`, Unix seconds), however few periods have data. */
  private draw(x: number[], ys: Array<Array<number | null>>, range: [number, number]): void {
    this.plot?.destroy();
    replace(this.plotBox);
    const width = Math.max(260, this.plotBox.clientWidth || 320);
    const unit = this.unit(this.attr);
    this.plot = new uPlot(
      {
        width,
        height: 180,
        series: [
          {},
          ...METHODS.map((m) => ({
            label: m,
            stroke: COLOURS[m],
            width: m === 'avg' ? 2 : 1,
            spanGaps: false,
          })),
        ],
        scales: { x: { time: true, range: () => range } },
        axes: [{}, { label: unit, size: 50 }],
        legend: { show: true },
      },
      [x, ...ys] as uPlot.AlignedData,
      this.plotBox,
    );
  }

  destroy(): void {
    this.seq++;
    this.plot?.destroy();
  }
}
