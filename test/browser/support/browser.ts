/**
 * Debian's chromium through playwright-core, as every browser test opens it: headless, software WebGL
 * (SwiftShader, so MapLibre draws without a GPU), a laptop viewport, every request checked to stay on
 * 127.0.0.1, and console errors collected.
 */
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  // WebGL without a GPU: SwiftShader, so MapLibre can draw.
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

export interface OpenBrowser {
  browser: Browser;
  page: Page;
  /** Console errors and uncaught exceptions of the page. */
  consoleErrors: string[];
  /** Requests to any host but 127.0.0.1 (aborted). */
  foreign: string[];
}

export async function openBrowser(): Promise<OpenBrowser> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
  const foreign: string[] = [];
  const consoleErrors: string[] = [];
  // Nothing may leave the machine: any request to another host is recorded and refused.
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'blob:' || url.protocol === 'data:' || url.hostname === '127.0.0.1')
      return route.continue();
    foreign.push(url.href);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  return { browser, page, consoleErrors, foreign };
}

/** What the page exposes (web/src/pages/map-page.ts MapTestHooks), typed without the DOM library. */
export interface PageGlobals {
  sessionStorage: { getItem(key: string): string | null };
  getComputedStyle(el: unknown): { position: string };
  requestAnimationFrame(fn: (t: number) => void): number;
  __urbis?: {
    loaded: boolean;
    tenant: string;
    points(): number;
    liveBatches: number;
    liveChanges: number;
    map: { queryRenderedFeatures(o: { layers: string[] }): Array<{ properties: Record<string, number> }> };
  };
}

/** Sign in with `key`, switch to `tenant`, and wait until its map has loaded every entity. */
export async function signInTo(page: Page, origin: string, key: string, tenant: string): Promise<void> {
  // The sign-in screen's own route: a visitor of the demo city is shown the map, not this screen.
  await page.goto(`${origin}/#/sign-in`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  const field = page.getByLabel('Tenant');
  await field.fill(tenant);
  await field.press('Enter');
  await page.waitForFunction(
    (t) => {
      const u = (globalThis as unknown as PageGlobals).__urbis;
      return u?.tenant === t && u.loaded;
    },
    tenant,
    { timeout: 60_000 },
  );
}
