/**
 * The map's sidebar: the filter box (text, district), the legend with a toggle per entity type and its
 * colour bands, the district fill choice, and the keyboard-focusable list of entities in view — the
 * way to open an entity without a mouse.
 */
import { INDICATORS } from '../lib/indicators.js';
import { DISTRICT_MODES, type DistrictMode } from '../lib/district-fill.js';
import type { PointProps } from '../lib/features.js';
import { typeName } from '../lib/type-names.js';
import { h, replace, swatch, uid } from '../ui/dom.js';

/** Most entries in the list; past that the operator zooms or filters. */
const LIST_MAX = 150;

export interface SidebarEvents {
  filterChanged(): void;
  districtModeChanged(mode: DistrictMode): void;
  open(id: string): void;
}

export class Sidebar {
  readonly el: HTMLElement;
  readonly hiddenTypes = new Set<string>();
  text = '';
  districtId = '';
  private readonly legendBox = h('div', { class: 'legend' });
  private readonly districtSelect: HTMLSelectElement;
  private readonly list = h('ul', {
    class: 'entity-list',
    'aria-label': 'Entities in view or matching the search',
  });
  private readonly listNote = h('p', { class: 'muted', role: 'status' });

  constructor(private readonly on: SidebarEvents) {
    const textId = uid('filter-text');
    const districtId = uid('filter-district');
    const modeId = uid('district-mode');
    const text = h('input', { id: textId, type: 'search', placeholder: 'id or name', autocomplete: 'off' });
    text.addEventListener('input', () => {
      this.text = text.value;
      this.on.filterChanged();
    });
    this.districtSelect = h('select', { id: districtId }, h('option', { value: '' }, 'All districts'));
    this.districtSelect.addEventListener('change', () => {
      this.districtId = this.districtSelect.value;
      this.on.filterChanged();
    });
    const mode = h(
      'select',
      { id: modeId },
      ...DISTRICT_MODES.map((m) => h('option', { value: m.value }, m.label)),
    );
    mode.addEventListener('change', () => this.on.districtModeChanged(mode.value as DistrictMode));
    this.el = h(
      'div',
      { class: 'sidebar' },
      h(
        'section',
        { 'aria-label': 'Filter' },
        h('h2', {}, 'Filter'),
        h('label', { for: textId }, 'Search'),
        text,
        h('label', { for: districtId }, 'District'),
        this.districtSelect,
      ),
      h(
        'section',
        { 'aria-label': 'Layers and legend' },
        h('h2', {}, 'Layers'),
        this.legendBox,
        h('label', { for: modeId }, 'Fill districts'),
        mode,
      ),
      h('section', { 'aria-label': 'Entities' }, h('h2', {}, 'Entities'), this.listNote, this.list),
    );
  }

  setDistricts(list: Array<{ id: string; name: string }>): void {
    replace(
      this.districtSelect,
      h('option', { value: '' }, 'All districts'),
      ...list.map((d) => h('option', { value: d.id }, d.name)),
    );
  }

  /** Legend: one toggle per type present, with its count and colour bands. */
  setTypes(counts: Map<string, number>): void {
    const types = [...counts.keys()].sort((a, b) => typeName(a).localeCompare(typeName(b)));
    replace(
      this.legendBox,
      ...types.map((t) => {
        const id = uid('layer');
        const box = h('input', { id, type: 'checkbox', 'data-type': t, checked: !this.hiddenTypes.has(t) });
        box.addEventListener('change', () => {
          if (box.checked) this.hiddenTypes.delete(t);
          else this.hiddenTypes.add(t);
          this.on.filterChanged();
        });
        const ind = INDICATORS[t];
        const bands =
          ind === undefined
            ? []
            : ind.kind === 'numeric'
              ? ind.bands.map((b) => ({ colour: b.colour, label: b.label }))
              : ind.categories.map((c) => ({ colour: c.colour, label: c.label }));
        return h(
          'div',
          { class: 'legend-type' },
          h('div', { class: 'row' }, box, h('label', { for: id }, `${typeName(t)} (${counts.get(t) ?? 0})`)),
          ind === undefined
            ? null
            : h(
                'ul',
                { class: 'bands', 'aria-label': `${typeName(t)}: ${ind.title}` },
                ...bands.map((b) => h('li', {}, swatch(b.colour), b.label)),
              ),
        );
      }),
    );
  }

  /** The entities in view (or matching the search), as buttons. */
  setVisible(items: PointProps[], what: 'in view' | 'match'): void {
    const shown = items.slice(0, LIST_MAX);
    this.listNote.textContent =
      items.length > LIST_MAX
        ? `${items.length} ${what === 'match' ? 'match' : 'in view'}; the first ${LIST_MAX} are listed — zoom in or filter.`
        : `${items.length} ${what === 'match' ? 'match' : 'in view'}.`;
    replace(
      this.list,
      ...shown.map((p) =>
        h(
          'li',
          {},
          h(
            'button',
            { type: 'button', class: 'entity-item', 'data-id': p.id, onclick: () => this.on.open(p.id) },
            swatch(p.colour),
            `${p.name} `,
            h('span', { class: 'muted' }, `${typeName(p.type)} · ${p.label}`),
          ),
        ),
      ),
    );
  }
}
