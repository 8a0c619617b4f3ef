/**
 * The pure parts of the OAuth 2.0 Authorization Code flow with PKCE (RFC 7636) for a public client:
 * random verifiers, states and nonces, the S256 code challenge, the authorization request URL, the
 * token request body and the reading of the authorization response. WebCrypto only (no library), so
 * the same code runs in the browser and in Node's tests; no DOM, no storage, no network.
 */

/** RFC 7636 §4.1: a verifier is 43–128 characters of [A-Z a-z 0-9 - . _ ~]. */
export const VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

/** Bytes as base64url without padding (RFC 4648 §5), as PKCE and JWTs write them. */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * `bytes` random bytes as base64url: 32 bytes give 43 characters (256 bits), the verifier length RFC
 * 7636 §4.1 recommends; also used for `state` and `nonce`, which need to be unguessable, not long.
 */
export function randomToken(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 96)
    throw new RangeError('between 16 and 96 random bytes (a PKCE verifier must stay within 128 chars)');
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** A fresh code verifier (43 characters, within the RFC's alphabet). */
export const newVerifier = (): string => randomToken(32);

/** The S256 code challenge of `verifier`: BASE64URL(SHA-256(ASCII(verifier))) (RFC 7636 §4.2). */
export async function challengeS256(verifier: string): Promise<string> {
  if (!VERIFIER_PATTERN.test(verifier))
    throw new Error('a PKCE code verifier is 43–128 characters of A–Z a–z 0–9 - . _ ~');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** What the authorization request says (OpenID Connect Core §3.1.2.1 with RFC 7636). */
export interface AuthorizeRequest {
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  state: string;
  nonce: string;
  codeChallenge: string;
  scope?: string;
}

/** The URL the browser is sent to; parameters already on the endpoint (some IdPs use them) are kept. */
export function authorizeUrl(r: AuthorizeRequest): string {
  const url = new URL(r.authorizationEndpoint);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: r.clientId,
    redirect_uri: r.redirectUri,
    scope: r.scope ?? 'openid',
    code_challenge: r.codeChallenge,
    code_challenge_method: 'S256',
    state: r.state,
    nonce: r.nonce,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.href;
}

/** The redirect URI of a page: its origin and path, without query or hash (what the IdP sends back to). */
export function redirectUriOf(href: string): string {
  const url = new URL(href);
  return `${url.origin}${url.pathname}`;
}

/** The form body of the token request (RFC 6749 §4.1.3 with the verifier of RFC 7636 §4.5). */
export function tokenRequestBody(p: {
  code: string;
  redirectUri: string;
  clientId: string;
  verifier: string;
}): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    code: p.code,
    redirect_uri: p.redirectUri,
    client_id: p.clientId,
    code_verifier: p.verifier,
  });
}

/** The parameters of an authorization response that the page must consume and then remove from its URL. */
export const RESPONSE_PARAMS = [
  'code',
  'state',
  'error',
  'error_description',
  'error_uri',
  'iss',
  'session_state',
];

/** What the page's URL says about a sign-in in progress. */
export type AuthorizationResponse =
  | { kind: 'none' }
  | { kind: 'code'; code: string; state: string; iss?: string }
  | { kind: 'error'; error: string; description?: string; state?: string };

/** Read an authorization response (RFC 6749 §4.1.2 / §4.1.2.1) from a URL's query. */
export function readAuthorizationResponse(href: string): AuthorizationResponse {
  const q = new URL(href).searchParams;
  const error = q.get('error');
  if (error !== null) {
    const out: AuthorizationResponse = { kind: 'error', error };
    const description = q.get('error_description');
    if (description !== null) out.description = description;
    const state = q.get('state');
    if (state !== null) out.state = state;
    return out;
  }
  const code = q.get('code');
  const state = q.get('state');
  if (code === null && state === null) return { kind: 'none' };
  const out: AuthorizationResponse = { kind: 'code', code: code ?? '', state: state ?? '' };
  const iss = q.get('iss');
  if (iss !== null) out.iss = iss;
  return out;
}

/** The URL without the authorization response's parameters (hash kept), for history.replaceState. */
export function withoutResponseParams(href: string): string {
  const url = new URL(href);
  for (const p of RESPONSE_PARAMS) url.searchParams.delete(p);
  return url.href;
}

/**
 * Whether the returned `state` is the one this tab sent: it binds the response to the request (RFC
 * 6749 §10.12, CSRF). Both must be non-empty; compared in full, in constant time for equal lengths.
 */
export function stateMatches(expected: string | undefined, returned: string | undefined): boolean {
  if (
    expected === undefined ||
    returned === undefined ||
    expected === '' ||
    expected.length !== returned.length
  )
    return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ returned.charCodeAt(i);
  return diff === 0;
}
