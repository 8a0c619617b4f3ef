// Dashboard sign-in through OpenID Connect in a real browser: a fake provider on 127.0.0.1
// (support/fake-idp.ts), a real `urbis serve` trusting it, and Debian's chromium. "Sign in with …"
// goes through the Authorization Code flow with PKCE and lands back signed in on the token's tenant;
// a forged state is refused with a message; an expired token returns to the sign-in screen; the
// tenant switcher lists the platform's tenants for the platform administrator and is read-only for
// a viewer. Needs dist/ and web/dist built first.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBrowser, type PageGlobals } from './support/browser.js';
import { startFakeIdp, type FakeIdp } from './support/fake-idp.js';
import { adminHeaders, TENANT } from './support/seed.js';
import { startUrbis, type RunningUrbis } from './support/urbis-process.js';

const STATION = 'urn:ngsi-ld:AirQualityObserved:oidc-1';

describe('OpenID Connect sign-in and the tenant switcher (browser)', () => {
  let idp: FakeIdp;
  let urbis: RunningUrbis;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];
  let foreign: string[] = [];
  let viewerKey: string;

  const issuerButton = () => page.getByRole('button', { name: `Sign in with ${idp.issuer}`, exact: true });
  const signOut = () => page.getByRole('button', { name: 'Sign out', exact: true });
  const stored = (key: string) =>
    page.evaluate((k) => (globalThis as unknown as PageGlobals).sessionStorage.getItem(k), key);

  beforeAll(async () => {
    idp = await startFakeIdp();
    idp.user = { sub: 'ada', roles: ['city-viewers'], tenant: TENANT };
    // No --allow-private-endpoints: Urbis fetches the issuer's discovery document and keys with its
    // own client, which the SSRF guard of notifications and @contexts does not govern.
    urbis = await startUrbis([
      '--oidc-issuer',
      idp.issuer,
      '--oidc-audience',
      idp.audience,
      '--oidc-client-id',
      idp.clientId,
      '--oidc-roles-claim',
      'roles',
      '--oidc-tenant-claim',
      'tenant',
      '--oidc-role-map',
      'city-viewers=viewer',
    ]);
    idp.allowOrigin = urbis.origin;
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${urbis.origin}${path}`, {
        method: 'POST',
        headers: adminHeaders(urbis.adminKey),
        body: JSON.stringify(body),
      });
      if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
      return res;
    };
    await post('/ngsi-ld/v1/entities', {
      id: STATION,
      type: 'AirQualityObserved',
      pm25: { type: 'Property', value: 12 },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [-8.61, 41.15] } },
    });
    await post('/admin/principals', { id: 'vera', kind: 'user', roles: ['viewer'] });
    viewerKey = ((await (await post('/admin/keys', { principal: 'vera' })).json()) as { secret: string })
      .secret;
    ({ browser, page, consoleErrors, foreign } = await openBrowser());
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await urbis?.stop();
    await idp?.close();
  });

  it('signs in with the issuer (code + PKCE) and opens the map of the token’s tenant', async () => {
    await page.goto(urbis.origin);
    await issuerButton().click();
    await signOut().waitFor();
    // The provider saw an S256 challenge for this page, and the token request proved the verifier.
    const [authorization] = idp.authorizations;
    expect(authorization).toMatchObject({
      response_type: 'code',
      client_id: idp.clientId,
      redirect_uri: `${urbis.origin}/`,
      scope: 'openid',
      code_challenge_method: 'S256',
    });
    expect(idp.exchanges).toEqual([{ code: expect.any(String), verified: true, status: 200 }]);
    // The answer's code and state are gone from the address bar.
    expect(new URL(page.url()).search).toBe('');
    expect(await stored('urbis.via')).toBe('oidc');
    expect(await stored('urbis.oidc.pending')).toBeNull();
    await page.waitForFunction(
      (t) => {
        const u = (globalThis as unknown as PageGlobals).__urbis;
        return u?.tenant === t && u.loaded;
      },
      TENANT,
      { timeout: 20_000 },
    );
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__urbis?.points())).toBe(1);
    // A viewer's token is no platform administrator: the tenant is its own, and fixed.
    const tenant = page.getByLabel('Tenant');
    expect(await tenant.inputValue()).toBe(TENANT);
    expect(await tenant.getAttribute('readonly')).not.toBeNull();
    // The token the page holds is accepted by Urbis in its tenant, and only there.
    const token = (await stored('urbis.apiKey')) as string;
    expect(token.split('.')).toHaveLength(3);
    const read = (tenantName: string) =>
      fetch(`${urbis.origin}/ngsi-ld/v1/entities/${STATION}`, {
        headers: {
          authorization: `Bearer ${token}`,
          'ngsild-tenant': tenantName,
          accept: 'application/json',
        },
      });
    const ok = await read(TENANT);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { id: string }).id).toBe(STATION);
    expect((await read('elsewhere')).status).toBe(403);
  });

  it('refuses an answer whose state is not the one this tab sent, with a message', async () => {
    await signOut().click();
    await issuerButton().waitFor();
    idp.mode = 'wrong-state';
    const exchanges = idp.exchanges.length;
    await issuerButton().click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('state mismatch');
    // No token was asked for, nothing is kept, and the URL no longer carries the answer.
    expect(idp.exchanges.length).toBe(exchanges);
    expect(await stored('urbis.apiKey')).toBeNull();
    expect(new URL(page.url()).search).toBe('');
    expect(await signOut().count()).toBe(0);
    idp.mode = 'deny';
    await issuerButton().click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('The identity provider refused the sign-in (access_denied: The user said no).');
    idp.mode = 'ok';
  });

  it('returns to the sign-in screen when the access token expires', async () => {
    idp.lifetimeSec = 4;
    await issuerButton().click();
    await signOut().waitFor();
    expect(Number(await stored('urbis.expiresAt'))).toBeLessThanOrEqual(Date.now() + 5_000);
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 }).toContain('expired');
    await issuerButton().waitFor();
    expect(await stored('urbis.apiKey')).toBeNull();
    idp.lifetimeSec = 300;
  });

  it('lists the tenants for the platform administrator and switches to one', async () => {
    await page.getByLabel('API key').fill(urbis.adminKey);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await signOut().waitFor();
    const tenant = page.getByLabel('Tenant');
    expect(await tenant.getAttribute('readonly')).toBeNull();
    await expect
      .poll(() =>
        page.locator('datalist#tenants option').evaluateAll((os) => os.map((o) => o.getAttribute('value'))),
      )
      .toContain(TENANT);
    await tenant.fill(TENANT);
    await tenant.press('Enter');
    await page.waitForFunction(
      (t) => {
        const u = (globalThis as unknown as PageGlobals).__urbis;
        return u?.tenant === t && u.loaded && u.points() === 1;
      },
      TENANT,
      { timeout: 20_000 },
    );
  });

  it('keeps the tenant read-only, with no list of tenants, for a viewer’s key', async () => {
    await signOut().click();
    await page.getByLabel('API key').fill(viewerKey);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await signOut().waitFor();
    const tenant = page.getByLabel('Tenant');
    await expect.poll(() => tenant.getAttribute('readonly')).not.toBeNull();
    expect(await page.locator('datalist#tenants option').count()).toBe(0);
    expect(await page.locator('#tenant-note').textContent()).toBe('Only administrators change tenant.');
  });

  it('sent no request beyond 127.0.0.1 and logged only the refusals it provoked', () => {
    expect(foreign).toEqual([]);
    // The 403s of /admin/tenants (the check for non-administrators) and of the viewer's key in the
    // default tenant are logged by Chromium as failed loads; nothing else may be.
    expect(consoleErrors.filter((e) => !/status of 403/.test(e))).toEqual([]);
  });
});
