/**
 * The map's style, built in code: no style URL, no glyphs, no sprites — nothing is fetched but
 * Urbis's own data. Without glyphs MapLibre cannot draw text, so there are no symbol layers at all:
 * labels and cluster counts are HTML overlays (cluster-labels.ts), and devices are circle layers.
 * An optional basemap is a PMTiles archive on Urbis's origin (pmtiles:// protocol).
 */
import type { LayerSpecification, StyleSpecification } from 'maplibre-gl';

const EMPTY = { type: 'FeatureCollection', features: [] } as const;

export const SOURCES = {
  districts: 'districts',
  roads: 'roads',
  buildings: 'buildings',
  points: 'points',
} as const;
export const POINT_LAYER = 'entity-points';
export const CLUSTER_LAYER = 'entity-clusters';

export interface BasemapInfo {
  url: string;
  /** 'vector' (MVT tiles: fills and lines only) or 'raster'. */
  kind: 'vector' | 'raster';
  /** Vector layer names of the archive, for the simple fill/line layers. */
  vectorLayers?: string[];
}

/** The whole style; `basemap` adds its source and layers underneath the city's own. */
export function buildStyle(basemap?: BasemapInfo): StyleSpecification {
  const layers: LayerSpecification[] = [
    { id: 'background', type: 'background', paint: { 'background-color': '#eef0f2' } },
  ];
  const sources: StyleSpecification['sources'] = {
    [SOURCES.districts]: { type: 'geojson', data: EMPTY },
    [SOURCES.roads]: { type: 'geojson', data: EMPTY },
    [SOURCES.buildings]: { type: 'geojson', data: EMPTY },
    [SOURCES.points]: {
      type: 'geojson',
      data: EMPTY,
      cluster: true,
      clusterRadius: 40,
      clusterMaxZoom: 15,
    },
  };
  if (basemap !== undefined) {
    sources.basemap =
      basemap.kind === 'raster'
        ? { type: 'raster', url: `pmtiles://${basemap.url}`, tileSize: 256 }
        : { type: 'vector', url: `pmtiles://${basemap.url}` };
    layers.push(...basemapLayers(basemap));
  }
  layers.push(
    {
      id: 'district-fill',
      type: 'fill',
      source: SOURCES.districts,
      paint: { 'fill-color': ['get', 'colour'], 'fill-opacity': 0.55 },
    },
    {
      id: 'district-outline',
      type: 'line',
      source: SOURCES.districts,
      paint: { 'line-color': '#4a5160', 'line-width': 1.5 },
    },
    {
      id: 'roads',
      type: 'line',
      source: SOURCES.roads,
      layout: { 'line-cap': 'round', 'line-join': 'round' },
      paint: {
        'line-color': [
          'match',
          ['get', 'roadClass'],
          'primary',
          '#d98c2b',
          'secondary',
          '#c9b26a',
          '#ffffff',
        ],
        'line-width': [
          'interpolate',
          ['linear'],
          ['zoom'],
          11,
          ['match', ['get', 'roadClass'], 'primary', 2.5, 'secondary', 1.5, 0.6],
          16,
          ['match', ['get', 'roadClass'], 'primary', 9, 'secondary', 6, 3],
        ],
      },
    },
    {
      id: 'buildings',
      type: 'circle',
      source: SOURCES.buildings,
      paint: {
        'circle-color': '#6b6f78',
        'circle-radius': 5,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1,
      },
    },
    {
      id: CLUSTER_LAYER,
      type: 'circle',
      source: SOURCES.points,
      filter: ['has', 'point_count'],
      paint: {
        'circle-color': '#1d3557',
        'circle-opacity': 0.85,
        'circle-radius': ['step', ['get', 'point_count'], 14, 50, 18, 500, 24],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
      },
    },
    {
      id: POINT_LAYER,
      type: 'circle',
      source: SOURCES.points,
      filter: ['!', ['has', 'point_count']],
      paint: {
        'circle-color': ['get', 'colour'],
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 5, 17, 9],
        'circle-stroke-color': [
          'case',
          ['boolean', ['feature-state', 'selected'], false],
          '#000000',
          '#ffffff',
        ],
        'circle-stroke-width': ['case', ['boolean', ['feature-state', 'selected'], false], 3, 1.5],
      },
    },
  );
  return { version: 8, sources, layers };
}

/** Simple layers for a basemap: a raster layer, or for vector tiles a fill and a line per source layer. */
function basemapLayers(b: BasemapInfo): LayerSpecification[] {
  if (b.kind === 'raster') return [{ id: 'basemap-raster', type: 'raster', source: 'basemap' }];
  const out: LayerSpecification[] = [];
  for (const name of b.vectorLayers ?? []) {
    out.push(
      {
        id: `basemap-${name}-fill`,
        type: 'fill',
        source: 'basemap',
        'source-layer': name,
        filter: ['==', ['geometry-type'], 'Polygon'],
        paint: { 'fill-color': '#dfe3e8', 'fill-opacity': 0.8 },
      },
      {
        id: `basemap-${name}-line`,
        type: 'line',
        source: 'basemap',
        'source-layer': name,
        paint: { 'line-color': '#b8bfc8', 'line-width': 0.8 },
      },
    );
  }
  return out;
}
