/**
 * The map screen: loads the city's geography (District, RoadSegment, Building) and every observed
 * entity page by page, keeps them current from the live feed (coalesced every 500 ms), and wires the
 * sidebar's filter and list and the entity panel.
 */
import type { ApiClient } from '../api/client.js';
import type { DashboardConfig } from '../api/config.js';
import { queryAll } from '../api/ngsi.js';
import { Coalescer } from '../lib/coalescer.js';
import { districtFills, type DistrictMode } from '../lib/district-fill.js';
import { displayName, geometryOf, stringOf, type NgsiEntity } from '../lib/entity.js';
import { collection, geographyFeature, type PointProps } from '../lib/features.js';
import { boundsOf, verticesOf } from '../lib/geo.js';
import { PointIndex } from '../lib/point-index.js';
import { NOT_ON_MAP } from '../lib/type-names.js';
import type { LiveHub } from '../live/live-stream.js';
import { openBasemap } from '../map/basemap.js';
import { MapView } from '../map/map-view.js';
import { Sidebar } from '../map/sidebar.js';
import { EntityPanel } from '../panel/entity-panel.js';
import { h } from '../ui/dom.js';
import type { Page } from './page.js';

/** What tests read through `window.__urbis`. */
export interface MapTestHooks {
  map: MapView['map'];
  points: () => number;
  clusterLabels: () => number;
  /** The tenant shown, so a test can tell this map from the one before a tenant switch. */
  tenant: string;
  loaded: boolean;
  /** Live batches applied (one source update each) and the entity changes they carried. */
  liveBatches: number;
  liveChanges: number;
}

export class MapPage implements Page {
  readonly title = 'Map';
  private view: MapView | undefined;
  private readonly index = new PointIndex();
  private readonly coalescer = new Coalescer<NgsiEntity>((batch) => {
    this.index.apply(batch);
    this.refresh();
    if (this.hooks !== undefined) {
      this.hooks.liveBatches++;
      this.hooks.liveChanges += batch.length;
    }
  });
  private hooks: MapTestHooks | undefined;
  private districts: NgsiEntity[] = [];
  private sidebar: Sidebar | undefined;
  private panel: EntityPanel | undefined;
  private unsubscribe: (() => void) | undefined;
  private abort = new AbortController();
  private visible: Array<{ p: PointProps; at: [number, number] }> = [];

  constructor(
    private readonly api: ApiClient,
    private readonly config: DashboardConfig,
    private readonly live: LiveHub,
    private readonly observedTypes: readonly string[],
    private readonly tenant: string,
  ) {}

  async mount(root: HTMLElement): Promise<void> {
    const mapBox = h('div', { class: 'map', id: 'map' });
    this.sidebar = new Sidebar({
      filterChanged: () => this.refresh(),
      districtModeChanged: (m) => this.paintDistricts(m),
      open: (id) => void this.openEntity(id, true),
    });
    this.panel = new EntityPanel(this.api, this.live);
    this.panel.onClose = () => this.view?.select(undefined);
    root.append(h('div', { class: 'map-page' }, this.sidebar.el, mapBox, this.panel.el));
    const basemap = this.config.basemap !== null ? await openBasemap(this.config.basemap) : undefined;
    const view = new MapView(mapBox, basemap);
    this.view = view;
    view.onSelect = (id) => void this.openEntity(id, false);
    const hooks: MapTestHooks = {
      map: view.map,
      points: () => this.index.size,
      clusterLabels: () => view.clusters.count,
      tenant: this.tenant,
      loaded: false,
      liveBatches: 0,
      liveChanges: 0,
    };
    this.hooks = hooks;
    (window as unknown as { __urbis?: MapTestHooks }).__urbis = hooks;
    view.map.on('moveend', () => this.updateList());
    this.unsubscribe = this.live.subscribe({
      entity: (e) => {
        const type = Array.isArray(e.type) ? e.type[0] : e.type;
        if (type !== undefined && !NOT_ON_MAP.has(type))
          this.coalescer.add({ kind: 'upsert', id: e.id, value: e });
      },
      deleted: (r) => this.coalescer.add({ kind: 'delete', id: r.id }),
      // The feed was interrupted: changes may have been missed, so read everything again.
      resync: () =>
        void queryAll(
          this.api,
          this.observedTypes,
          (page) => this.index.upsert(page),
          this.abort.signal,
        ).then(() => this.refresh()),
    });
    const signal = this.abort.signal;
    await this.loadGeography(signal);
    await queryAll(
      this.api,
      this.observedTypes,
      (page) => {
        this.index.upsert(page);
        this.refresh();
      },
      signal,
    );
    hooks.loaded = true;
  }

  private async loadGeography(signal: AbortSignal): Promise<void> {
    const [districts, roads, buildings] = await Promise.all(
      ['District', 'RoadSegment', 'Building'].map((t) =>
        queryAll(this.api, [t], undefined, signal).catch(() => []),
      ),
    );
    const view = this.view as MapView;
    this.districts = districts ?? [];
    this.paintDistricts('name');
    this.sidebar?.setDistricts(this.districts.map((d) => ({ id: d.id, name: displayName(d) })));
    view.setRoads(
      collection(
        (roads ?? []).map((r) =>
          geographyFeature(r, { roadClass: stringOf(r, 'roadClass') ?? 'residential' }),
        ),
      ),
    );
    view.setBuildings(collection((buildings ?? []).map((b) => geographyFeature(b, {}))));
    const vertices = this.districts.flatMap((d) => {
      const g = geometryOf(d);
      return g === undefined ? [] : verticesOf(g);
    });
    const b = boundsOf(vertices);
    if (b !== undefined) view.fit(b);
  }

  private paintDistricts(mode: DistrictMode): void {
    const fills = districtFills(this.districts, mode);
    const labels: Array<{ name: string; at: [number, number] }> = [];
    for (const d of this.districts) {
      const g = geometryOf(d);
      if (g === undefined) continue;
      const v = verticesOf(g);
      const at: [number, number] = [
        v.reduce((s, p) => s + p[0], 0) / v.length,
        v.reduce((s, p) => s + p[1], 0) / v.length,
      ];
      labels.push({ name: displayName(d), at });
    }
    this.view?.setDistricts(
      collection(this.districts.map((d) => geographyFeature(d, { colour: fills.get(d.id) ?? '#ddd' }))),
      labels,
    );
  }

  private filterTypes(): Set<string> {
    const all = [...this.index.countsByType().keys()];
    return new Set(all.filter((t) => !(this.sidebar?.hiddenTypes.has(t) ?? false)));
  }

  /** Rebuild the visible features after a batch or a filter change (one setData). */
  private refresh(): void {
    if (this.view === undefined || this.sidebar === undefined) return;
    const district = this.districts.find((d) => d.id === this.sidebar?.districtId);
    const g = district === undefined ? undefined : geometryOf(district);
    const fc = this.index.visible({
      types: this.filterTypes(),
      text: this.sidebar.text,
      ...(g ? { district: g } : {}),
    });
    this.view.setPoints(fc);
    this.sidebar.setTypes(this.index.countsByType());
    this.visible = fc.features.map((f) => ({
      p: f.properties,
      at: f.geometry.coordinates as [number, number],
    }));
    this.updateList();
  }

  /** The list: every match while a search or district is chosen (explicit), else what is in view. */
  private updateList(): void {
    if (this.view === undefined || this.sidebar === undefined) return;
    if (this.sidebar.text.trim() !== '' || this.sidebar.districtId !== '') {
      this.sidebar.setVisible(
        this.visible.map((v) => v.p),
        'match',
      );
      return;
    }
    const bounds = this.view.map.getBounds();
    this.sidebar.setVisible(
      this.visible.filter((v) => bounds.contains(v.at)).map((v) => v.p),
      'in view',
    );
  }

  /** Open the panel; from the list the map centres on the entity, from a click only when it is hidden. */
  private async openEntity(id: string, fromList: boolean): Promise<void> {
    const known = this.index.get(id);
    const g = known === undefined ? undefined : geometryOf(known);
    const at = g?.type === 'Point' ? (g.coordinates as [number, number]) : undefined;
    this.view?.select(at);
    const opening = this.panel?.open(id, known);
    // The panel takes room from the map: resize now, then bring the entity into view beside it.
    const view = this.view;
    if (view !== undefined && at !== undefined) {
      view.map.resize();
      if (fromList || !view.map.getBounds().contains(at)) view.map.easeTo({ center: at, duration: 300 });
    }
    await opening;
  }

  unmount(): void {
    delete (window as unknown as { __urbis?: MapTestHooks }).__urbis;
    this.abort.abort();
    this.coalescer.stop();
    this.unsubscribe?.();
    this.panel?.close();
    this.view?.map.remove();
  }
}
