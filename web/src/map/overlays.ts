/**
 * HTML overlays on the map: cluster counts (as buttons that zoom into the cluster) and district
 * labels. They are HTML because the style has no glyphs to draw text with — glyphs would be fetched
 * from a server, and the dashboard fetches nothing but Urbis's data.
 */
import { Marker, type GeoJSONSource, type Map as MapLibreMap } from 'maplibre-gl';
import { CLUSTER_LAYER, SOURCES } from './style.js';

/** Keeps one count marker per rendered cluster, created and removed as the view changes. */
export class ClusterLabels {
  private readonly markers = new Map<number, Marker>();
  private frame = 0;

  constructor(private readonly map: MapLibreMap) {
    const schedule = () => this.schedule();
    map.on('move', schedule);
    map.on('idle', schedule);
  }

  schedule(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.update();
    });
  }

  /** How many cluster labels are shown (tests). */
  get count(): number {
    return this.markers.size;
  }

  private update(): void {
    if (this.map.getLayer(CLUSTER_LAYER) === undefined) return;
    const seen = new Set<number>();
    for (const f of this.map.queryRenderedFeatures({ layers: [CLUSTER_LAYER] })) {
      const p = f.properties as { cluster_id?: number; point_count?: number };
      if (typeof p.cluster_id !== 'number' || f.geometry.type !== 'Point') continue;
      if (seen.has(p.cluster_id)) continue;
      seen.add(p.cluster_id);
      const at = f.geometry.coordinates as [number, number];
      const existing = this.markers.get(p.cluster_id);
      if (existing !== undefined) {
        existing.setLngLat(at);
        continue;
      }
      const id = p.cluster_id;
      const el = document.createElement('button');
      el.type = 'button';
      el.className = 'cluster-count';
      el.textContent = String(p.point_count ?? '');
      el.setAttribute('aria-label', `Cluster of ${p.point_count ?? 0} entities: zoom in`);
      el.addEventListener('click', (ev) => {
        ev.stopPropagation();
        void this.expand(id, at);
      });
      this.markers.set(id, new Marker({ element: el }).setLngLat(at).addTo(this.map));
    }
    for (const [id, m] of this.markers) {
      if (!seen.has(id)) {
        m.remove();
        this.markers.delete(id);
      }
    }
  }

  private async expand(clusterId: number, at: [number, number]): Promise<void> {
    const source = this.map.getSource<GeoJSONSource>(SOURCES.points);
    if (source === undefined) return;
    const zoom = await source.getClusterExpansionZoom(clusterId);
    this.map.easeTo({ center: at, zoom });
  }

  /** Remove every marker (data replaced: cluster ids change). */
  reset(): void {
    for (const m of this.markers.values()) m.remove();
    this.markers.clear();
    this.schedule();
  }
}

/** District names as HTML labels at each district's mean vertex, hidden from assistive tech (the list names them). */
export class DistrictLabels {
  private markers: Marker[] = [];

  constructor(private readonly map: MapLibreMap) {}

  set(labels: Array<{ name: string; at: [number, number] }>): void {
    for (const m of this.markers) m.remove();
    this.markers = labels.map(({ name, at }) => {
      const el = document.createElement('span');
      el.className = 'district-label';
      el.textContent = name;
      el.setAttribute('aria-hidden', 'true');
      return new Marker({ element: el }).setLngLat(at).addTo(this.map);
    });
  }
}
