/**
 * A local basemap: a PMTiles archive on Urbis's own origin (`config.basemap`), read through the
 * `pmtiles` package's MapLibre protocol with HTTP range requests — no tile server, no internet.
 * The archive's header says whether its tiles are vector (MVT) or raster.
 */
import { addProtocol } from 'maplibre-gl';
import { PMTiles, Protocol, TileType } from 'pmtiles';
import type { BasemapInfo } from './style.js';

let protocol: Protocol | undefined;

/** Register the archive and describe it for the style; undefined (and a console warning) when unreadable. */
export async function openBasemap(path: string): Promise<BasemapInfo | undefined> {
  const url = new URL(path, window.location.href);
  if (url.origin !== window.location.origin) return undefined; // same origin only, by design
  if (protocol === undefined) {
    protocol = new Protocol();
    addProtocol('pmtiles', protocol.tile);
  }
  const archive = new PMTiles(url.href);
  protocol.add(archive);
  try {
    const header = await archive.getHeader();
    if (header.tileType === TileType.Mvt) {
      const meta = (await archive.getMetadata()) as { vector_layers?: Array<{ id: string }> } | undefined;
      return { url: url.href, kind: 'vector', vectorLayers: (meta?.vector_layers ?? []).map((l) => l.id) };
    }
    return { url: url.href, kind: 'raster' };
  } catch (e) {
    console.warn('basemap not loaded:', e);
    return undefined;
  }
}
