/**
 * The MapLibre map: sources for the city's geography and its observed entities, updated in batches
 * (one setData per coalesced batch, never one source per entity), HTML overlays for text, and the
 * selection ring. Emits `select(id)` when an entity is clicked.
 */
import { Map as MapLibreMap, NavigationControl, setWorkerUrl, type GeoJSONSource } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { FeatureCollection, PointProps } from '../lib/features.js';
import { ClusterLabels, DistrictLabels } from './overlays.js';
import { buildStyle, CLUSTER_LAYER, POINT_LAYER, SOURCES, type BasemapInfo } from './style.js';

// The worker is its own file next to the bundle (same origin: CSP worker-src 'self' suffices).
setWorkerUrl(workerUrl);

const SELECTION = 'selection';

export class MapView {
  readonly map: MapLibreMap;
  readonly clusters: ClusterLabels;
  private readonly districtLabels: DistrictLabels;
  private readonly ready: Promise<void>;
  onSelect: ((id: string) => void) | undefined;

  constructor(container: HTMLElement, basemap?: BasemapInfo) {
    this.map = new MapLibreMap({
      container,
      style: buildStyle(basemap),
      center: [0, 0],
      zoom: 1,
      attributionControl: false,
      // Keyboard panning and zooming when the map has focus (arrows, +/-).
      keyboard: true,
    });
    this.map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    this.map
      .getCanvas()
      .setAttribute('aria-label', 'City map. Use the entity list to open entities by keyboard.');
    this.clusters = new ClusterLabels(this.map);
    this.districtLabels = new DistrictLabels(this.map);
    this.ready = new Promise((resolve) => this.map.once('load', () => resolve()));
    void this.ready.then(() => this.installInteractions());
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  private installInteractions(): void {
    const map = this.map;
    map.addSource(SELECTION, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addLayer({
      id: 'selection-ring',
      type: 'circle',
      source: SELECTION,
      paint: {
        'circle-radius': 13,
        'circle-color': 'rgba(0,0,0,0)',
        'circle-stroke-color': '#111111',
        'circle-stroke-width': 3,
      },
    });
    map.on('click', POINT_LAYER, (e) => {
      const id = e.features?.[0]?.properties?.id;
      if (typeof id === 'string') this.onSelect?.(id);
    });
    for (const layer of [POINT_LAYER, CLUSTER_LAYER]) {
      map.on('mouseenter', layer, () => (map.getCanvas().style.cursor = 'pointer'));
      map.on('mouseleave', layer, () => (map.getCanvas().style.cursor = ''));
    }
  }

  /** Replace the observed entities' features (already filtered). */
  setPoints(fc: FeatureCollection<PointProps>): void {
    void this.setSource(SOURCES.points, fc).then(() => this.clusters.reset());
  }

  setDistricts(
    fc: FeatureCollection<Record<string, string | number>>,
    labels: Array<{ name: string; at: [number, number] }>,
  ): void {
    void this.setSource(SOURCES.districts, fc);
    this.districtLabels.set(labels);
  }

  setRoads(fc: FeatureCollection<Record<string, string | number>>): void {
    void this.setSource(SOURCES.roads, fc);
  }

  setBuildings(fc: FeatureCollection<Record<string, string | number>>): void {
    void this.setSource(SOURCES.buildings, fc);
  }

  /** Ring the selected entity (or nothing). */
  select(at: [number, number] | undefined): void {
    const fc = {
      type: 'FeatureCollection',
      features:
        at === undefined
          ? []
          : [{ type: 'Feature', geometry: { type: 'Point', coordinates: at }, properties: {} }],
    };
    void this.setSource(SELECTION, fc);
  }

  fit(bounds: [number, number, number, number]): void {
    this.map.fitBounds(bounds, { padding: 30, duration: 0 });
  }

  private async setSource(id: string, data: unknown): Promise<void> {
    await this.ready;
    const source = this.map.getSource<GeoJSONSource>(id);
    await source?.setData(data as Parameters<GeoJSONSource['setData']>[0]);
  }
}
