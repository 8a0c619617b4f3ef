// A local basemap: `urbis serve --basemap <file.pmtiles>` serves the archive on its own origin and the
// dashboard draws it under the city, read with byte-range requests through the pmtiles protocol —
// nothing fetched from elsewhere. The archive is a one-tile raster made by the test.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, signInTo } from './support/browser.js';
import { rasterPmtiles } from './support/pmtiles-fixture.js';
import { adminHeaders } from './support/seed.js';
import { startUrbis, type RunningUrbis } from './support/urbis-process.js';

const TENANT = 'mapped';

/** The map as the test reads it in the page. */
interface MapGlobals {
  __urbis?: {
    map: {
      getSource(id: string): unknown;
      isSourceLoaded(id: string): boolean;
      getStyle(): { layers: Array<{ id: string }> };
    };
  };
}

describe('PMTiles basemap (browser)', () => {
  let dir: string;
  let urbis: RunningUrbis;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];
  let foreign: string[] = [];
  const rangeRequests: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'urbis-basemap-'));
    const file = join(dir, 'city.pmtiles');
    writeFileSync(file, rasterPmtiles());
    urbis = await startUrbis(['--basemap', file]);
    const res = await fetch(`${urbis.origin}/ngsi-ld/v1/entities`, {
      method: 'POST',
      headers: { ...adminHeaders(urbis.adminKey), 'ngsild-tenant': TENANT },
      body: JSON.stringify({
        id: 'urn:ngsi-ld:AirQualityObserved:b1',
        type: 'AirQualityObserved',
        location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [-8.6, 41.15] } },
      }),
    });
    expect(res.status).toBe(201);
    ({ browser, page, consoleErrors, foreign } = await openBrowser());
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/basemap.pmtiles' && r.headers().range !== undefined)
        rangeRequests.push(r.headers().range as string);
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await urbis?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('draws the archive as a raster layer under the city, read by byte ranges from Urbis', async () => {
    const config = (await (await fetch(`${urbis.origin}/dashboard/config`)).json()) as { basemap: string };
    expect(config.basemap).toBe('/basemap.pmtiles');
    await signInTo(page, urbis.origin, urbis.adminKey, TENANT);
    const layers = await page.evaluate(() =>
      ((globalThis as unknown as MapGlobals).__urbis?.map.getStyle().layers ?? []).map((l) => l.id),
    );
    expect(layers.indexOf('basemap-raster')).toBeGreaterThan(0);
    expect(layers.indexOf('basemap-raster')).toBeLessThan(layers.indexOf('district-fill'));
    await expect
      .poll(
        () =>
          page.evaluate(() => (globalThis as unknown as MapGlobals).__urbis?.map.isSourceLoaded('basemap')),
        {
          timeout: 15_000,
        },
      )
      .toBe(true);
    expect(rangeRequests.length).toBeGreaterThan(0);
    expect(rangeRequests.every((r) => /^bytes=\d+-\d+$/.test(r))).toBe(true);
    expect(consoleErrors).toEqual([]);
    expect(foreign).toEqual([]);
  });
});
