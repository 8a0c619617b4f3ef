// The newcomer's view (issue #7): `urbis serve` with the demo city on, in a real browser. Without
// signing in, the city's open data is on the map within a minute and the demo's scripted incidents
// raise alerts that appear on the alerts screen; signed in, a street light obeys a dim command sent
// from its panel (over MQTT, to the simulated lamp) until SUCCEEDED, and an air-quality station shows
// its history. The README's screenshots of the demo city are taken here.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, signInTo, type PageGlobals } from './support/browser.js';
import { ROOT, startUrbis, type RunningUrbis } from './support/urbis-process.js';

const IMAGES = join(ROOT, 'docs', 'images');
const TENANT = 'demo';

describe('the demo city in the dashboard (browser)', () => {
  let urbis: RunningUrbis;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];
  let foreign: string[] = [];
  let startedAt = 0;

  beforeAll(async () => {
    startedAt = Date.now();
    // Time runs 60× faster for the city's days; incidents begin within its first half minute anyway.
    urbis = await startUrbis(['--demo', '--demo-speed', '60']);
    ({ browser, page, consoleErrors, foreign } = await openBrowser());
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await urbis?.stop();
  });

  const globals = () => page.evaluate(() => (globalThis as unknown as PageGlobals).__urbis?.points() ?? 0);

  it('shows the living city to a visitor who has not signed in, within a minute of the start', async () => {
    await page.goto(urbis.origin);
    await page.waitForFunction(
      (tenant) => {
        const u = (globalThis as unknown as PageGlobals).__urbis;
        return u?.tenant === tenant && u.loaded;
      },
      TENANT,
      { timeout: 60_000 },
    );
    // Open data only: air quality, noise, parking, lights, bins, traffic … (not the household meters).
    await expect.poll(globals, { timeout: 30_000 }).toBeGreaterThan(250);
    expect(Date.now() - startedAt).toBeLessThan(60_000);
    await expect.poll(() => page.locator('.cluster-count').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.waitForTimeout(1000);
    await page.screenshot({ path: join(IMAGES, 'demo-city-map.png') });
  });

  it('shows the alerts the scripted incidents raise', async () => {
    await page.getByRole('link', { name: 'Alerts' }).click();
    const active = page.locator('li.alert[data-status="active"]');
    await active.first().waitFor({ timeout: 60_000 });
    expect(await active.count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(IMAGES, 'demo-city-alerts.png') });
  });

  it('signed in, dims a street light from its panel and follows the command to SUCCEEDED', async () => {
    await signInTo(page, urbis.origin, urbis.adminKey, TENANT);
    await page.getByLabel('Search', { exact: true }).fill('light-001');
    const light = page.locator('.entity-item[data-id$=":light-001"]');
    await light.first().click();
    const form = page.getByRole('form', { name: 'Send a command' });
    await form.waitFor();
    await form.getByLabel('Value').fill('35');
    await form.getByRole('button', { name: 'Send command' }).click();
    await page.locator('.commands [data-status="SUCCEEDED"]').first().waitFor({ timeout: 30_000 });
  });

  it(
    'opens an air-quality station with its history (the demo sent the last day at start)',
    { timeout: 90_000 },
    async () => {
      // The day of history goes in the background after the start: wait until this station's is in.
      const id = 'urn:ngsi-ld:AirQualityObserved:aq-001';
      const since = new Date(Date.now() - 20 * 3600_000).toISOString();
      const instances = async () => {
        const res = await fetch(
          `${urbis.origin}/ngsi-ld/v1/temporal/entities/${encodeURIComponent(id)}?timerel=before&timeAt=${since}`,
          { headers: { authorization: `Bearer ${urbis.adminKey}`, 'ngsild-tenant': TENANT } },
        );
        const body = (await res.json()) as Record<string, unknown>;
        return Object.values(body).reduce<number>((n, v) => n + (Array.isArray(v) ? v.length : 0), 0);
      };
      await expect.poll(instances, { timeout: 60_000 }).toBeGreaterThan(0);
      await page.getByLabel('Search', { exact: true }).fill('aq-001');
      await page.locator('.entity-item[data-id$=":aq-001"]').first().click();
      const panel = page.locator('.entity-panel');
      await expect
        .poll(async () => Number(await panel.locator('.chart').getAttribute('data-points')), {
          timeout: 30_000,
        })
        .toBeGreaterThan(10);
      await page.getByLabel('Search', { exact: true }).fill('');
      await page.waitForTimeout(1000);
      await page.screenshot({ path: join(IMAGES, 'demo-city-entity.png') });
    },
  );

  it('raised no console error and sent no request beyond 127.0.0.1', () => {
    expect(consoleErrors).toEqual([]);
    expect(foreign).toEqual([]);
  });
});
