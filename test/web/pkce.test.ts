// The dashboard's OpenID Connect sign-in, without a browser: the PKCE primitives against RFC 7636
// (appendix B), the authorization request it builds, the state check that refuses answers the tab did
// not ask for, the token exchange (form body, verifier, nonce) and the claims read from the token.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { beginSignIn, completeSignIn, discover, type TabStorage } from '../../web/src/auth/oidc.js';
import { claimAt, expiryOf, jwtPayload, tenantOf } from '../../web/src/auth/token-claims.js';
import {
  authorizeUrl,
  base64url,
  challengeS256,
  newVerifier,
  readAuthorizationResponse,
  redirectUriOf,
  stateMatches,
  tokenRequestBody,
  VERIFIER_PATTERN,
  withoutResponseParams,
} from '../../web/src/lib/pkce.js';

const ISSUER = 'http://127.0.0.1:7777/realms/city';
const CLIENT = { issuer: ISSUER, clientId: 'urbis-dashboard' };
const PAGE = 'http://127.0.0.1:8080/?x=1#/devices';

/** sessionStorage's interface over a Map. */
class MemoryStorage implements TabStorage {
  private readonly m = new Map<string, string>();
  getItem(k: string): string | null {
    return this.m.get(k) ?? null;
  }
  removeItem(k: string): void {
    this.m.delete(k);
  }
  setItem(k: string, v: string): void {
    this.m.set(k, v);
  }
}

/** An unsigned JWT with `claims` (the dashboard reads claims, it never verifies signatures). */
const jwt = (claims: Record<string, unknown>): string =>
  `${base64url(new TextEncoder().encode('{"alg":"RS256"}'))}.${base64url(new TextEncoder().encode(JSON.stringify(claims)))}.c2ln`;

interface Call {
  url: string;
  init: RequestInit | undefined;
}

/** A fake issuer: discovery and a token endpoint that checks the verifier against the challenge it saw. */
function fakeIssuer(opts: { challenge?: () => string | undefined; nonce?: () => string | undefined } = {}) {
  const calls: Call[] = [];
  const fetchImpl = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, init });
    if (url === `${ISSUER}/.well-known/openid-configuration`)
      return Response.json({
        issuer: ISSUER,
        authorization_endpoint: `${ISSUER}/protocol/auth?kc_idp_hint=city`,
        token_endpoint: `${ISSUER}/protocol/token`,
      });
    if (url === `${ISSUER}/protocol/token`) {
      const form = new URLSearchParams(String(init?.body));
      const verifier = form.get('code_verifier') ?? '';
      const expected = opts.challenge?.();
      const actual = createHash('sha256').update(verifier).digest('base64url');
      if (expected !== undefined && actual !== expected)
        return Response.json(
          { error: 'invalid_grant', error_description: 'PKCE verification failed' },
          { status: 400 },
        );
      return Response.json({
        access_token: jwt({ sub: 'ada', exp: 2_000_000_000, tenant: 'city', org: { tenant: 'harbour' } }),
        token_type: 'Bearer',
        expires_in: 300,
        id_token: jwt({ sub: 'ada', nonce: opts.nonce?.() }),
      });
    }
    return new Response('not found', { status: 404 });
  }) as typeof fetch;
  return { fetchImpl, calls };
}

describe('PKCE primitives (RFC 7636)', () => {
  it('makes verifiers of 43 characters from the unreserved alphabet, different every time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const v = newVerifier();
      expect(v).toMatch(VERIFIER_PATTERN);
      expect(v).toHaveLength(43);
      expect(v).toMatch(/^[A-Za-z0-9_-]+$/);
      seen.add(v);
    }
    expect(seen.size).toBe(200);
  });

  it('computes the S256 challenge of the RFC 7636 appendix B example', async () => {
    // Appendix B's 32 octets, their base64url verifier, and its challenge, as the RFC prints them.
    // (The brief quoted a garbled pair, dBjftJeZ4CVP-mJ92K9… → E9Melhoa2OwvFrEXgjdn…; it is not the RFC's.)
    const octets = [
      116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214,
      191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    ];
    const verifier = base64url(new Uint8Array(octets));
    expect(verifier).toBe('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    expect(await challengeS256(verifier)).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('agrees with Node’s SHA-256 on random verifiers and refuses verifiers outside the RFC', async () => {
    const v = newVerifier();
    expect(await challengeS256(v)).toBe(createHash('sha256').update(v).digest('base64url'));
    await expect(challengeS256('short')).rejects.toThrow(/43–128/);
    await expect(challengeS256('a'.repeat(129))).rejects.toThrow(/43–128/);
    await expect(challengeS256(`${'a'.repeat(43)}+`)).rejects.toThrow(/43–128/);
    expect(await challengeS256('~'.repeat(128))).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('writes base64url without padding', () => {
    expect(base64url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
    expect(base64url(new Uint8Array([]))).toBe('');
  });
});

describe('authorization request and response', () => {
  it('puts every parameter of a code + PKCE request on the endpoint, keeping the endpoint’s own', () => {
    const url = new URL(
      authorizeUrl({
        authorizationEndpoint: 'https://idp.example/auth?kc_idp_hint=city',
        clientId: 'urbis-dashboard',
        redirectUri: 'https://urbis.example/',
        state: 's1',
        nonce: 'n1',
        codeChallenge: 'E9Melhoa2OwvFrEXgjdn6nTqiQFfUUnsc0m8c-kVc0U',
      }),
    );
    expect(url.origin + url.pathname).toBe('https://idp.example/auth');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      kc_idp_hint: 'city',
      response_type: 'code',
      client_id: 'urbis-dashboard',
      redirect_uri: 'https://urbis.example/',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEXgjdn6nTqiQFfUUnsc0m8c-kVc0U',
      code_challenge_method: 'S256',
      state: 's1',
      nonce: 'n1',
    });
  });

  it('takes the page’s origin and path as redirect URI, without query or hash', () => {
    expect(redirectUriOf('http://127.0.0.1:8080/?code=1#/map')).toBe('http://127.0.0.1:8080/');
    expect(redirectUriOf('https://city.example/ops/index.html#/alerts')).toBe(
      'https://city.example/ops/index.html',
    );
  });

  it('reads codes and errors from the answer, and strips them from the URL (hash and other params kept)', () => {
    expect(readAuthorizationResponse('http://h/?code=c&state=s&iss=http%3A%2F%2Fi')).toEqual({
      kind: 'code',
      code: 'c',
      state: 's',
      iss: 'http://i',
    });
    expect(readAuthorizationResponse('http://h/?error=access_denied&error_description=no&state=s')).toEqual({
      kind: 'error',
      error: 'access_denied',
      description: 'no',
      state: 's',
    });
    expect(readAuthorizationResponse('http://h/?x=1#/map')).toEqual({ kind: 'none' });
    expect(withoutResponseParams('http://h/?x=1&code=c&state=s&session_state=q#/map')).toBe(
      'http://h/?x=1#/map',
    );
  });

  it('matches the state only when it is exactly the one sent', () => {
    expect(stateMatches('abc', 'abc')).toBe(true);
    expect(stateMatches('abc', 'abd')).toBe(false);
    expect(stateMatches('abc', 'abcd')).toBe(false);
    expect(stateMatches('abc', undefined)).toBe(false);
    expect(stateMatches(undefined, 'abc')).toBe(false);
    expect(stateMatches('', '')).toBe(false);
  });

  it('form-encodes the token request with the verifier', () => {
    const body = tokenRequestBody({ code: 'c&1', redirectUri: 'http://h/', clientId: 'dash', verifier: 'v' });
    expect(body.toString()).toBe(
      'grant_type=authorization_code&code=c%261&redirect_uri=http%3A%2F%2Fh%2F&client_id=dash&code_verifier=v',
    );
  });
});

describe('the sign-in round trip', () => {
  /** Start a sign-in and return the authorization URL's parameters and the storage holding the request. */
  async function started(fetchImpl: typeof fetch) {
    const storage = new MemoryStorage();
    const url = new URL(await beginSignIn(CLIENT, storage, PAGE, fetchImpl, 1_000));
    return { storage, params: Object.fromEntries(url.searchParams), url };
  }

  it('discovers the endpoints, sends a PKCE request and exchanges the code with the verifier', async () => {
    // What the provider saw at its authorization endpoint (filled in below).
    const seen: { challenge?: string; nonce?: string } = {};
    const idp = fakeIssuer({ challenge: () => seen.challenge, nonce: () => seen.nonce });
    const { storage, params, url } = await started(idp.fetchImpl);
    expect(url.href.startsWith(`${ISSUER}/protocol/auth?`)).toBe(true);
    expect(params).toMatchObject({
      response_type: 'code',
      client_id: 'urbis-dashboard',
      redirect_uri: 'http://127.0.0.1:8080/',
      scope: 'openid',
      code_challenge_method: 'S256',
    });
    expect(params.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.state).not.toBe(params.nonce);
    seen.challenge = params.code_challenge;
    seen.nonce = params.nonce;
    const back = `http://127.0.0.1:8080/?code=abc&state=${params.state}`;
    const done = await completeSignIn(CLIENT, storage, back, idp.fetchImpl, 2_000);
    expect(done).toEqual({
      kind: 'signed-in',
      accessToken: expect.any(String),
      expiresAt: 2_000_000_000_000,
      tenant: 'city',
    });
    const token = idp.calls.at(-1) as Call;
    expect(token.init?.method).toBe('POST');
    expect(new Headers(token.init?.headers).get('content-type')).toBe('application/x-www-form-urlencoded');
    const form = Object.fromEntries(new URLSearchParams(String(token.init?.body)));
    expect(form).toMatchObject({
      grant_type: 'authorization_code',
      code: 'abc',
      redirect_uri: 'http://127.0.0.1:8080/',
      client_id: 'urbis-dashboard',
    });
    expect(form.code_verifier).toMatch(VERIFIER_PATTERN);
    // The request is used once: the same answer replayed is refused.
    const again = await completeSignIn(CLIENT, storage, back, idp.fetchImpl, 3_000);
    expect(again).toMatchObject({ kind: 'failed', message: expect.stringContaining('state') });
  });

  it('refuses an answer whose state is not the one sent, without asking for a token', async () => {
    const idp = fakeIssuer();
    const { storage, params } = await started(idp.fetchImpl);
    const before = idp.calls.length;
    const done = await completeSignIn(
      CLIENT,
      storage,
      `http://127.0.0.1:8080/?code=abc&state=${params.state}x`,
      idp.fetchImpl,
      2_000,
    );
    expect(done).toMatchObject({ kind: 'failed', message: expect.stringContaining('state mismatch') });
    expect(idp.calls.length).toBe(before);
  });

  it('refuses an answer that comes too late, from another issuer, or with another nonce', async () => {
    const idp = fakeIssuer({ nonce: () => 'not-ours' });
    let s = await started(idp.fetchImpl);
    expect(
      await completeSignIn(
        CLIENT,
        s.storage,
        `http://h/?code=c&state=${s.params.state}`,
        idp.fetchImpl,
        1_000 + 11 * 60_000,
      ),
    ).toMatchObject({ kind: 'failed' });
    s = await started(idp.fetchImpl);
    expect(
      await completeSignIn(
        CLIENT,
        s.storage,
        `http://h/?code=c&state=${s.params.state}&iss=http%3A%2F%2Fevil`,
        idp.fetchImpl,
        2_000,
      ),
    ).toMatchObject({ kind: 'failed', message: expect.stringContaining('another identity provider') });
    s = await started(idp.fetchImpl);
    expect(
      await completeSignIn(
        CLIENT,
        s.storage,
        `http://h/?code=c&state=${s.params.state}`,
        idp.fetchImpl,
        2_000,
      ),
    ).toMatchObject({ kind: 'failed', message: expect.stringContaining('nonce') });
  });

  it('shows the provider’s error and the token endpoint’s refusal', async () => {
    const idp = fakeIssuer({ challenge: () => 'not-the-challenge' });
    let s = await started(idp.fetchImpl);
    expect(
      await completeSignIn(
        CLIENT,
        s.storage,
        `http://h/?error=access_denied&error_description=User%20cancelled&state=${s.params.state}`,
        idp.fetchImpl,
        2_000,
      ),
    ).toEqual({
      kind: 'failed',
      message: 'The identity provider refused the sign-in (access_denied: User cancelled).',
    });
    s = await started(idp.fetchImpl);
    expect(
      await completeSignIn(
        CLIENT,
        s.storage,
        `http://h/?code=c&state=${s.params.state}`,
        idp.fetchImpl,
        2_000,
      ),
    ).toEqual({
      kind: 'failed',
      message: 'The identity provider did not issue a token (invalid_grant: PKCE verification failed).',
    });
  });

  it('leaves a page that is no answer alone', async () => {
    const idp = fakeIssuer();
    expect(await completeSignIn(CLIENT, new MemoryStorage(), PAGE, idp.fetchImpl)).toEqual({ kind: 'none' });
    expect(idp.calls).toEqual([]);
  });

  it('refuses a discovery document of another issuer or without endpoints', async () => {
    const doc = (body: unknown) => (async () => Response.json(body)) as typeof fetch;
    await expect(discover(ISSUER, doc({ issuer: 'http://other' }))).rejects.toThrow(/another issuer/);
    await expect(
      discover(ISSUER, doc({ issuer: ISSUER, authorization_endpoint: 'javascript:alert(1)' })),
    ).rejects.toThrow(/authorization_endpoint/);
    await expect(
      discover(
        'https://idp.example',
        doc({
          issuer: 'https://idp.example',
          authorization_endpoint: 'http://idp.example/a',
          token_endpoint: 'https://idp.example/t',
        }),
      ),
    ).rejects.toThrow(/authorization_endpoint/);
  });
});

describe('token claims', () => {
  const token = jwt({
    sub: 'ada',
    exp: 1_900_000_000,
    tenant: 'city',
    'https://x/tenant': 'dotted',
    org: { unit: 'roads' },
  });

  it('reads the payload, and nothing from an opaque token', () => {
    expect(jwtPayload(token)).toMatchObject({ sub: 'ada' });
    expect(jwtPayload('opaque-token')).toBeUndefined();
    expect(jwtPayload('a.!!!.c')).toBeUndefined();
  });

  it('finds claims by dotted path, a literal dotted name first', () => {
    const p = jwtPayload(token) as Record<string, unknown>;
    expect(claimAt(p, 'org.unit')).toBe('roads');
    expect(claimAt(p, 'https://x/tenant')).toBe('dotted');
    expect(claimAt(p, 'org.none')).toBeUndefined();
    expect(tenantOf(token, 'tenant')).toBe('city');
    expect(tenantOf(token, 'org')).toBeUndefined();
  });

  it('takes the expiry from exp, else from expires_in', () => {
    expect(expiryOf(token, 60, 5)).toBe(1_900_000_000_000);
    expect(expiryOf('opaque', 60, 5_000)).toBe(65_000);
    expect(expiryOf('opaque', undefined, 5_000)).toBeUndefined();
  });
});
