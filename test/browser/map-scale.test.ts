// The map at city scale in a real browser: 10,000 entities load page by page, and a burst of 2,000
// live changes reaches the map in a handful of coalesced source updates (never one per entity) while
// the page keeps drawing frames. Needs dist/ and web/dist built first.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, signInTo, type PageGlobals } from './support/browser.js';
import { adminHeaders } from './support/seed.js';
import { startUrbis, type RunningUrbis } from './support/urbis-process.js';

const TENANT = 'scale';
const N = 10_000;

const station = (i: number, pm25: number) => ({
  id: `urn:ngsi-ld:AirQualityObserved:s${i}`,
  type: 'AirQualityObserved',
  pm25: { type: 'Property', value: pm25, unitCode: 'GQ', observedAt: new Date().toISOString() },
  location: {
    type: 'GeoProperty',
    value: { type: 'Point', coordinates: [-8.7 + (i % 100) * 0.002, 41.1 + Math.floor(i / 100) * 0.001] },
  },
});

describe('map at city scale (browser)', () => {
  let urbis: RunningUrbis;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];

  const upsert = async (entities: unknown[]) => {
    const res = await fetch(`${urbis.origin}/ngsi-ld/v1/entityOperations/upsert`, {
      method: 'POST',
      headers: { ...adminHeaders(urbis.adminKey), 'ngsild-tenant': TENANT },
      body: JSON.stringify(entities),
    });
    expect([201, 204]).toContain(res.status);
  };

  beforeAll(async () => {
    urbis = await startUrbis();
    await upsert(Array.from({ length: N }, (_, i) => station(i, 5)));
    ({ browser, page, consoleErrors } = await openBrowser());
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await urbis?.stop();
  });

  it('loads 10,000 entities and draws them as clusters', async () => {
    await signInTo(page, urbis.origin, urbis.adminKey, TENANT);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__urbis?.points())).toBe(N);
    await expect.poll(() => page.locator('.cluster-count').count(), { timeout: 15_000 }).toBeGreaterThan(0);
  });

  it('applies a burst of 2,000 live changes in a few batches while frames keep coming', async () => {
    // Count frames and the longest gap between two, while the burst arrives.
    const frames = page.evaluate(
      () =>
        new Promise<{ frames: number; longestGap: number }>((resolve) => {
          const g = globalThis as unknown as PageGlobals;
          let frames = 0;
          let last = performance.now();
          let longestGap = 0;
          const start = last;
          const tick = (t: number) => {
            frames++;
            longestGap = Math.max(longestGap, t - last);
            last = t;
            if (t - start < 4000) g.requestAnimationFrame(tick);
            else resolve({ frames, longestGap });
          };
          g.requestAnimationFrame(tick);
        }),
    );
    const before = await page.evaluate(() => {
      const u = (globalThis as unknown as PageGlobals).__urbis;
      return { batches: u?.liveBatches ?? 0, changes: u?.liveChanges ?? 0 };
    });
    await upsert(Array.from({ length: 2000 }, (_, i) => station(i * 5, 80)));
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as PageGlobals).__urbis?.liveChanges ?? 0), {
        timeout: 20_000,
      })
      .toBeGreaterThanOrEqual(before.changes + 2000);
    const after = await page.evaluate(() => (globalThis as unknown as PageGlobals).__urbis?.liveBatches ?? 0);
    // Coalesced: every 500 ms at most one source update, however many messages.
    expect(after - before.batches).toBeLessThanOrEqual(20);
    const f = await frames;
    expect(f.frames).toBeGreaterThan(20);
    expect(f.longestGap).toBeLessThan(2000);
    expect(consoleErrors).toEqual([]);
  });
});
