/**
 * Sign-in through the OpenID Connect issuer that `/dashboard/config` names: the Authorization Code flow
 * with PKCE (RFC 7636, S256) of a public client, done by hand with WebCrypto (web/src/lib/pkce.ts).
 * `beginSignIn` discovers the endpoints, keeps state, nonce and verifier in sessionStorage (this tab
 * only) and returns the authorization URL; `completeSignIn`, on the page the provider sends back to,
 * checks the state and exchanges the code for an access token, which then is the Bearer of every API
 * request. The page's CSP lets it reach only the issuer's origin besides its own.
 */
import {
  authorizeUrl,
  challengeS256,
  newVerifier,
  randomToken,
  readAuthorizationResponse,
  redirectUriOf,
  stateMatches,
  tokenRequestBody,
} from '../lib/pkce.js';
import { expiryOf, jwtPayload, tenantOf } from './token-claims.js';

/** The issuer and client as the server configures them. */
export interface OidcClient {
  issuer: string;
  clientId: string;
  /** Claim of the access token naming the tenant (the server's --oidc-tenant-claim); default `tenant`. */
  tenantClaim?: string;
}

/** The endpoints of the issuer's discovery document that the flow uses. */
export interface Endpoints {
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

/** A request in flight, kept in sessionStorage across the round trip to the provider. */
interface Pending {
  issuer: string;
  clientId: string;
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
  tokenEndpoint: string;
  /** When it was made (ms): an old one is not honoured. */
  at: number;
}

/** The result of coming back from the provider. */
export type Completion =
  | { kind: 'none' }
  | { kind: 'signed-in'; accessToken: string; expiresAt?: number; tenant?: string }
  | { kind: 'failed'; message: string };

const PENDING = 'urbis.oidc.pending';
/** A sign-in not completed within this long is refused (a stale tab, a replayed link). */
const PENDING_TTL_MS = 10 * 60_000;
export const DEFAULT_TENANT_CLAIM = 'tenant';

/** Where the pending request waits (sessionStorage in the page; any Storage-shaped object in tests). */
export interface TabStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A failure to show on the sign-in screen as it is. */
export class OidcError extends Error {
  override readonly name = 'OidcError';
}

/** `<issuer>/.well-known/openid-configuration`, checked as OpenID Connect Discovery 1.0 §4.3 says. */
export async function discover(issuer: string, fetchImpl: typeof fetch = fetch): Promise<Endpoints> {
  const where = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let doc: Record<string, unknown>;
  try {
    const res = await fetchImpl(where, { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    doc = (await res.json()) as Record<string, unknown>;
  } catch (e) {
    throw new OidcError(`The identity provider could not be reached (${(e as Error).message}).`);
  }
  if (doc === null || typeof doc !== 'object' || doc.issuer !== issuer)
    throw new OidcError('The identity provider’s discovery document names another issuer.');
  const https = issuer.startsWith('https:');
  const endpoint = (name: string): string => {
    const value = doc[name];
    const ok =
      typeof value === 'string' &&
      URL.canParse(value) &&
      (new URL(value).protocol === 'https:' || (!https && new URL(value).protocol === 'http:'));
    if (!ok) throw new OidcError(`The identity provider’s discovery document has no usable ${name}.`);
    return value as string;
  };
  return {
    authorizationEndpoint: endpoint('authorization_endpoint'),
    tokenEndpoint: endpoint('token_endpoint'),
  };
}

/**
 * Prepare a sign-in from the page at `href`: the authorization URL to send the browser to. The state,
 * nonce and verifier stay in `storage` until `completeSignIn` consumes them.
 */
export async function beginSignIn(
  client: OidcClient,
  storage: TabStorage,
  href: string,
  fetchImpl: typeof fetch = fetch,
  now: number = Date.now(),
): Promise<string> {
  const endpoints = await discover(client.issuer, fetchImpl);
  const pending: Pending = {
    issuer: client.issuer,
    clientId: client.clientId,
    state: randomToken(),
    nonce: randomToken(),
    verifier: newVerifier(),
    redirectUri: redirectUriOf(href),
    tokenEndpoint: endpoints.tokenEndpoint,
    at: now,
  };
  storage.setItem(PENDING, JSON.stringify(pending));
  return authorizeUrl({
    authorizationEndpoint: endpoints.authorizationEndpoint,
    clientId: client.clientId,
    redirectUri: pending.redirectUri,
    state: pending.state,
    nonce: pending.nonce,
    codeChallenge: await challengeS256(pending.verifier),
  });
}

/**
 * Finish a sign-in if the page at `href` is the provider's answer: `none` when it is not, otherwise
 * `signed-in` with the access token or `failed` with a message for the sign-in screen. The pending
 * request is used once, whatever the outcome. The caller removes the answer's parameters from the URL.
 */
export async function completeSignIn(
  client: OidcClient,
  storage: TabStorage,
  href: string,
  fetchImpl: typeof fetch = fetch,
  now: number = Date.now(),
): Promise<Completion> {
  const response = readAuthorizationResponse(href);
  if (response.kind === 'none') return response;
  const pending = takePending(storage);
  try {
    if (response.kind === 'error') {
      const why = response.description !== undefined ? `: ${response.description}` : '';
      throw new OidcError(`The identity provider refused the sign-in (${response.error}${why}).`);
    }
    const fresh = pending !== undefined && now - pending.at >= 0 && now - pending.at < PENDING_TTL_MS;
    if (!fresh || !stateMatches(pending.state, response.state) || response.code === '')
      throw new OidcError(
        'This sign-in answer does not belong to a sign-in started in this tab (state mismatch); it was refused. Sign in again.',
      );
    if (pending.issuer !== client.issuer || pending.clientId !== client.clientId)
      throw new OidcError('The identity provider changed during the sign-in; sign in again.');
    // RFC 9207: a provider that names itself in the answer must be the one asked (mix-up attacks).
    if (response.iss !== undefined && response.iss !== pending.issuer)
      throw new OidcError('The sign-in answer comes from another identity provider; it was refused.');
    return await exchange(client, pending, response.code, fetchImpl, now);
  } catch (e) {
    if (e instanceof OidcError) return { kind: 'failed', message: e.message };
    throw e;
  }
}

/** The token request (form-encoded, no client secret: a public client proves itself by the verifier). */
async function exchange(
  client: OidcClient,
  pending: Pending,
  code: string,
  fetchImpl: typeof fetch,
  now: number,
): Promise<Completion> {
  let res: Response;
  try {
    res = await fetchImpl(pending.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: tokenRequestBody({
        code,
        redirectUri: pending.redirectUri,
        clientId: pending.clientId,
        verifier: pending.verifier,
      }),
    });
  } catch (e) {
    throw new OidcError(`The identity provider could not be reached (${(e as Error).message}).`);
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    const error = typeof body.error === 'string' ? body.error : `HTTP ${res.status}`;
    const why = typeof body.error_description === 'string' ? `: ${body.error_description}` : '';
    throw new OidcError(`The identity provider did not issue a token (${error}${why}).`);
  }
  const accessToken = body.access_token;
  if (typeof accessToken !== 'string' || accessToken === '')
    throw new OidcError('The identity provider answered without an access token.');
  if (typeof body.token_type === 'string' && body.token_type.toLowerCase() !== 'bearer')
    throw new OidcError(`The identity provider issued a ${body.token_type} token, not a Bearer token.`);
  // The ID token is not verified here (Urbis verifies the access token), but a nonce that is not ours
  // means the answer was made for another request: refuse it.
  if (typeof body.id_token === 'string' && jwtPayload(body.id_token)?.nonce !== pending.nonce)
    throw new OidcError(
      'The identity provider’s ID token was made for another sign-in (nonce); it was refused.',
    );
  const out: Completion = { kind: 'signed-in', accessToken };
  const expiresAt = expiryOf(accessToken, body.expires_in, now);
  if (expiresAt !== undefined) out.expiresAt = expiresAt;
  const tenant = tenantOf(accessToken, client.tenantClaim ?? DEFAULT_TENANT_CLAIM);
  if (tenant !== undefined) out.tenant = tenant;
  return out;
}

/** The pending request, removed from storage (one use); undefined when absent or unreadable. */
function takePending(storage: TabStorage): Pending | undefined {
  const raw = storage.getItem(PENDING);
  storage.removeItem(PENDING);
  if (raw === null) return undefined;
  try {
    const p = JSON.parse(raw) as Partial<Pending>;
    const fields = [
      'issuer',
      'clientId',
      'state',
      'nonce',
      'verifier',
      'redirectUri',
      'tokenEndpoint',
    ] as const;
    if (fields.every((f) => typeof p[f] === 'string') && typeof p.at === 'number') return p as Pending;
  } catch {
    // Written by an older build or by hand: as good as absent.
  }
  return undefined;
}
