/**
 * Bearer tokens from an external OpenID Connect issuer (Keycloak, Entra ID, Auth0, …): a JWT is
 * accepted only when `jose` has checked its signature against the issuer's published keys (JWKS), its
 * algorithm against an allow-list, and its `iss`, `aud`, `exp` and `nbf` claims. The claims then give
 * the principal: `sub`, an optional tenant, and roles mapped from the issuer's vocabulary to Urbis's
 * through configuration, so that the issuer never names Urbis roles directly.
 *
 * Every failure is a CredentialError whose reason lets the HTTP layer answer 401 (the token's fault)
 * or 503 ('unavailable': the issuer's keys could not be fetched, nobody can be authenticated now).
 * Messages never repeat the token nor its claims' values: they end up in logs and responses.
 */
import {
  createRemoteJWKSet,
  customFetch,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';

/** How an issuer is trusted and how its claims become an Urbis principal. */
export interface OidcSettings {
  /** The exact `iss` value of accepted tokens. */
  issuer: string;
  /** The `aud` value a token must carry (among others, if it is an array). */
  audience: string;
  /** The issuer's key set; when absent, `jwks_uri` of `${issuer}/.well-known/openid-configuration`. */
  jwksUri?: string;
  /** Accepted signature algorithms: asymmetric ones only (an HMAC key would be a shared secret). */
  algorithms: string[];
  /** Dotted path of the claim holding the issuer's roles (an array of strings, or one string). */
  rolesClaim: string;
  /** Dotted path of the claim naming the tenant; absent → tokens carry no tenant. */
  tenantClaim?: string;
  /** Issuer role → Urbis role; values the map does not name are ignored. */
  roleMap: Record<string, string>;
  /** Tolerated clock skew for `exp` and `nbf`, in seconds; default 30. */
  clockToleranceSec?: number;
  /** Timeout of each discovery or JWKS fetch, in ms. */
  timeoutMs: number;
}

/** The principal a valid token names. */
export interface VerifiedToken {
  subject: string;
  tenant?: string;
  /** Urbis roles, deduplicated, in the order the token lists them. */
  roles: string[];
  /** The token's `exp`, in seconds since the epoch. */
  expiresAt: number;
  issuer: string;
}

/**
 * Why a token was refused: 'malformed' (not a compact JWS of sane size), 'expired', 'invalid'
 * (signature, algorithm, key, issuer, audience, missing or wrong claims) or 'unavailable' (the
 * issuer's discovery document or keys could not be fetched: not the client's fault).
 */
export type CredentialFailure = 'malformed' | 'expired' | 'invalid' | 'unavailable';

/** A refused credential. The message is safe to log and to show: it never contains the token. */
export class CredentialError extends Error {
  override readonly name = 'CredentialError';

  constructor(
    readonly reason: CredentialFailure,
    message: string,
  ) {
    super(message);
  }
}

/** Verifies bearer tokens of one issuer. */
export interface OidcVerifier {
  /** The principal of `token` (the bare JWT, without "Bearer "); rejects with CredentialError only. */
  verify(token: string): Promise<VerifiedToken>;
}

export const DEFAULT_CLOCK_TOLERANCE_SEC = 30;

/** Tokens longer than this are refused before any parsing (real ones are a few KiB at most). */
export const MAX_TOKEN_LENGTH = 16 * 1024;

/** Asymmetric JWS algorithms that `jose` verifies on Node. HS* is refused: see assertAlgorithms. */
const ASYMMETRIC_ALGORITHMS: ReadonlySet<string> = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);

/** After a successful JWKS fetch, an unknown `kid` triggers another fetch only after this long. */
const JWKS_COOLDOWN_MS = 30_000;

/**
 * After a failed fetch (discovery or JWKS), further fetches fail fast for this long: while the issuer
 * is down, a flood of tokens must not become a flood of requests to it. Cached keys keep working.
 */
const FETCH_RETRY_AFTER_MS = 1_000;

/** Largest discovery document read (real ones are a few KiB). */
const MAX_DISCOVERY_BYTES = 256 * 1024;

/** Three base64url segments; the signature may be empty (alg "none", refused later with a clear reason). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Parses a role map written as `issuerRole=urbisRole,…` (e.g. "city-admin=admin,ops=operator"), as
 * configuration gives it. Spaces around names are ignored; an issuer role may contain '=' (the last
 * one separates). Throws an Error naming the faulty entry; an empty text is an empty map.
 */
export function parseRoleMap(text: string): Record<string, string> {
  const entries: [string, string][] = [];
  if (text.trim() === '') return {};
  for (const [index, raw] of text.split(',').entries()) {
    const entry = raw.trim();
    const at = entry.lastIndexOf('=');
    if (at < 0) throw new Error(`role map entry ${index + 1} (${JSON.stringify(entry)}) lacks '='`);
    const from = entry.slice(0, at).trim();
    const to = entry.slice(at + 1).trim();
    if (from === '')
      throw new Error(`role map entry ${index + 1} (${JSON.stringify(entry)}) has no issuer role`);
    if (!/^[A-Za-z][A-Za-z0-9_.-]*$/.test(to)) {
      throw new Error(
        `role map entry ${index + 1} (${JSON.stringify(entry)}): the Urbis role must be a name (letters, digits, _ . -)`,
      );
    }
    if (entries.some(([seen]) => seen === from)) {
      throw new Error(`role map names the issuer role ${JSON.stringify(from)} twice`);
    }
    entries.push([from, to]);
  }
  // fromEntries defines own properties, so even "__proto__" is a plain key here.
  return Object.fromEntries(entries);
}

/**
 * A verifier for one issuer. Settings are checked now (throws Error naming the setting); nothing is
 * fetched until the first token arrives. `options.keySet` replaces the remote key set (tests, or keys
 * provisioned out of band).
 */
export function createOidcVerifier(
  settings: OidcSettings,
  options: { keySet?: JWTVerifyGetKey } = {},
): OidcVerifier {
  const s = checkSettings(settings);
  const fetchOnce = throttledFetch(s.timeoutMs);
  let remote: Promise<JWTVerifyGetKey> | undefined;

  /** The issuer's key set: given, configured or discovered; a failed discovery is retried next time. */
  const keySet = (): Promise<JWTVerifyGetKey> => {
    if (options.keySet) return Promise.resolve(options.keySet);
    remote ??= (
      s.jwksUri !== undefined ? Promise.resolve(new URL(s.jwksUri)) : discoverJwksUri(s.issuer, fetchOnce)
    )
      .then((url) =>
        createRemoteJWKSet(url, {
          timeoutDuration: s.timeoutMs,
          cooldownDuration: JWKS_COOLDOWN_MS,
          [customFetch]: fetchOnce,
        }),
      )
      .catch((e: unknown) => {
        remote = undefined;
        throw e;
      });
    return remote;
  };

  /** Resolves the token's key, telling the issuer's failures (unavailable) from the token's (invalid). */
  const getKey: JWTVerifyGetKey = async (header, token) => {
    const resolve = await keySet();
    try {
      return await resolve(header, token);
    } catch (e) {
      if (isTokenFault(e)) throw e;
      throw unavailable(e);
    }
  };

  return {
    async verify(token: string): Promise<VerifiedToken> {
      if (typeof token !== 'string' || token.length === 0) {
        throw new CredentialError('malformed', 'the bearer token is empty');
      }
      if (token.length > MAX_TOKEN_LENGTH) {
        throw new CredentialError(
          'malformed',
          `the bearer token is longer than ${MAX_TOKEN_LENGTH} characters`,
        );
      }
      if (!COMPACT_JWS.test(token)) {
        throw new CredentialError('malformed', 'the bearer token is not a JWT (three base64url segments)');
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          issuer: s.issuer,
          audience: s.audience,
          algorithms: s.algorithms,
          clockTolerance: s.clockToleranceSec,
          requiredClaims: ['sub', 'exp'],
        }));
      } catch (e) {
        throw toCredentialError(e);
      }
      return principal(payload, s);
    },
  };
}

/** Settings after validation, with defaults applied and the role map as a Map (no prototype lookups). */
interface CheckedSettings {
  issuer: string;
  audience: string;
  jwksUri?: string;
  algorithms: string[];
  rolesPath: ClaimPath;
  tenantPath?: ClaimPath;
  roleMap: Map<string, string>;
  clockToleranceSec: number;
  timeoutMs: number;
}

function checkSettings(s: OidcSettings): CheckedSettings {
  if (typeof s.issuer !== 'string' || s.issuer.trim() === '')
    throw new Error('OIDC issuer must not be empty');
  if (typeof s.audience !== 'string' || s.audience.trim() === '') {
    throw new Error('OIDC audience must not be empty');
  }
  if (s.jwksUri !== undefined) assertHttpUrl(s.jwksUri, 'OIDC jwksUri');
  else
    assertHttpUrl(s.issuer, 'OIDC issuer (its discovery document locates the keys, as jwksUri is not set)');
  assertAlgorithms(s.algorithms);
  const clockToleranceSec = s.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC;
  if (!Number.isFinite(clockToleranceSec) || clockToleranceSec < 0) {
    throw new Error(
      `OIDC clockToleranceSec must be a non-negative number of seconds, not ${clockToleranceSec}`,
    );
  }
  if (!Number.isInteger(s.timeoutMs) || s.timeoutMs <= 0) {
    throw new Error(`OIDC timeoutMs must be a positive integer, not ${s.timeoutMs}`);
  }
  const roleMap = new Map<string, string>();
  for (const [from, to] of Object.entries(s.roleMap ?? {})) {
    if (typeof to !== 'string' || to === '') {
      throw new Error(`OIDC roleMap maps ${JSON.stringify(from)} to no Urbis role`);
    }
    roleMap.set(from, to);
  }
  const checked: CheckedSettings = {
    issuer: s.issuer,
    audience: s.audience,
    algorithms: [...s.algorithms],
    rolesPath: claimPath(s.rolesClaim, 'OIDC rolesClaim'),
    roleMap,
    clockToleranceSec,
    timeoutMs: s.timeoutMs,
  };
  if (s.jwksUri !== undefined) checked.jwksUri = s.jwksUri;
  if (s.tenantClaim !== undefined) checked.tenantPath = claimPath(s.tenantClaim, 'OIDC tenantClaim');
  return checked;
}

/**
 * Only asymmetric algorithms: with HS256 allowed, a token "signed" with the issuer's public key as an
 * HMAC secret could pass wherever the key set hands out key bytes (the algorithm confusion attack).
 */
function assertAlgorithms(algorithms: string[]): void {
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new Error('OIDC algorithms must list at least one algorithm, e.g. RS256');
  }
  for (const alg of algorithms) {
    if (typeof alg === 'string' && alg.toLowerCase() === 'none') {
      throw new Error('OIDC algorithms must not include "none" (unsigned tokens)');
    }
    if (typeof alg === 'string' && /^HS\d+$/i.test(alg)) {
      throw new Error(`OIDC algorithms must not include ${alg}: symmetric algorithms are refused`);
    }
    if (typeof alg !== 'string' || !ASYMMETRIC_ALGORITHMS.has(alg)) {
      throw new Error(
        `OIDC algorithm ${JSON.stringify(alg)} is not supported; use some of ${[...ASYMMETRIC_ALGORITHMS].join(', ')}`,
      );
    }
  }
}

function assertHttpUrl(text: string, what: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${what} must be an http(s) URL, not ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`${what} must be an http(s) URL, not ${JSON.stringify(text)}`);
  }
}

/** A claim's location: the dotted text (a claim may be named so, e.g. "https://city.example/roles") and its segments. */
interface ClaimPath {
  whole: string;
  segments: string[];
}

function claimPath(text: string, what: string): ClaimPath {
  if (typeof text !== 'string' || text === '' || text.split('.').some((segment) => segment === '')) {
    throw new Error(
      `${what} must be a dotted claim path such as "realm_access.roles", not ${JSON.stringify(text)}`,
    );
  }
  return { whole: text, segments: text.split('.') };
}

/** The claim at `path`: a top-level claim of that exact name first, else a walk through nested objects. */
function claimAt(payload: JWTPayload, path: ClaimPath): unknown {
  if (Object.hasOwn(payload, path.whole)) return payload[path.whole];
  let node: unknown = payload;
  for (const segment of path.segments) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, segment)) {
      return undefined;
    }
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/** The principal of a token whose signature and standard claims jose has checked. */
function principal(payload: JWTPayload, s: CheckedSettings): VerifiedToken {
  const { sub, exp, iss } = payload;
  if (typeof sub !== 'string' || sub === '') {
    throw new CredentialError('invalid', 'token claim "sub" must be a non-empty string');
  }
  // jose has checked that exp is present and a number, and iss equals the configured issuer.
  const verified: VerifiedToken = {
    subject: sub,
    roles: mapRoles(claimAt(payload, s.rolesPath), s.roleMap),
    expiresAt: exp as number,
    issuer: iss as string,
  };
  if (s.tenantPath !== undefined) {
    const tenant = claimAt(payload, s.tenantPath);
    if (tenant !== undefined) {
      // A tenant claim of the wrong shape is refused, not ignored: ignoring it would widen access.
      if (typeof tenant !== 'string' || tenant === '') {
        throw new CredentialError(
          'invalid',
          `token claim "${s.tenantPath.whole}" (tenant) must be a non-empty string`,
        );
      }
      verified.tenant = tenant;
    }
  }
  return verified;
}

function mapRoles(claim: unknown, roleMap: Map<string, string>): string[] {
  const values = typeof claim === 'string' ? [claim] : Array.isArray(claim) ? claim : [];
  const roles = new Set<string>();
  for (const value of values) {
    const role = typeof value === 'string' ? roleMap.get(value) : undefined;
    if (role !== undefined) roles.add(role);
  }
  return [...roles];
}

/** Key-resolution failures caused by the token itself (its kid or alg), as opposed to the issuer. */
function isTokenFault(e: unknown): boolean {
  return (
    e instanceof errors.JWKSNoMatchingKey ||
    e instanceof errors.JWKSMultipleMatchingKeys ||
    e instanceof errors.JOSEAlgNotAllowed ||
    e instanceof errors.JOSENotSupported ||
    e instanceof errors.JWSInvalid ||
    e instanceof CredentialError
  );
}

function unavailable(e: unknown): CredentialError {
  if (e instanceof CredentialError) return e;
  const timedOut =
    e instanceof errors.JWKSTimeout ||
    (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError'));
  return new CredentialError(
    'unavailable',
    timedOut
      ? "the issuer's signing keys could not be fetched in time"
      : "the issuer's signing keys could not be fetched",
  );
}

/** jose's verdict as a CredentialError. jose's own messages are not passed on: some quote claim values. */
function toCredentialError(e: unknown): CredentialError {
  if (e instanceof CredentialError) return e;
  if (e instanceof errors.JWTExpired) return new CredentialError('expired', 'the bearer token has expired');
  if (e instanceof errors.JWTClaimValidationFailed) {
    const claim = ['iss', 'aud', 'sub', 'exp', 'nbf', 'iat', 'typ'].includes(e.claim) ? e.claim : 'a';
    if (e.reason === 'missing') return new CredentialError('invalid', `token claim "${claim}" is missing`);
    if (claim === 'nbf') return new CredentialError('invalid', 'the bearer token is not valid yet (nbf)');
    return new CredentialError('invalid', `token claim "${claim}" is not acceptable`);
  }
  if (e instanceof errors.JOSEAlgNotAllowed) {
    return new CredentialError('invalid', "the token's signature algorithm is not allowed");
  }
  if (e instanceof errors.JWKSNoMatchingKey) {
    return new CredentialError('invalid', "no key of the issuer matches the token's kid and alg");
  }
  if (e instanceof errors.JWKSMultipleMatchingKeys) {
    return new CredentialError('invalid', "several keys of the issuer match the token's kid and alg");
  }
  if (e instanceof errors.JWSSignatureVerificationFailed) {
    return new CredentialError('invalid', "the token's signature does not verify");
  }
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) {
    return new CredentialError('malformed', 'the bearer token is not a well-formed JWT');
  }
  if (e instanceof errors.JWKSTimeout) return unavailable(e);
  // Anything else (an unsupported algorithm, a key that does not fit the algorithm …) is the token's.
  return new CredentialError('invalid', 'the bearer token could not be verified');
}

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * fetch with a timeout, no redirects, and a short memory of failure (FETCH_RETRY_AFTER_MS) during which
 * further calls fail without touching the network. Shared by discovery and the JWKS.
 */
function throttledFetch(timeoutMs: number): Fetch {
  let failedAt = -Infinity;
  return async (url, init) => {
    if (Date.now() - failedAt < FETCH_RETRY_AFTER_MS) throw new Error('the issuer failed moments ago');
    try {
      const response = await fetch(url, {
        ...init,
        redirect: 'manual',
        signal: init.signal ?? AbortSignal.timeout(timeoutMs),
      });
      if (response.status !== 200) failedAt = Date.now();
      return response;
    } catch (e) {
      failedAt = Date.now();
      throw e;
    }
  };
}

/**
 * The `jwks_uri` of the issuer's discovery document (OpenID Connect Discovery 1.0, section 4). The
 * document must name the configured issuer exactly (section 4.3), and an https issuer may not send
 * us to plain http for its keys.
 */
async function discoverJwksUri(issuer: string, fetchOnce: Fetch): Promise<URL> {
  const where = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let document: unknown;
  try {
    const response = await fetchOnce(where, { method: 'GET', headers: { accept: 'application/json' } });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}`);
    }
    document = JSON.parse(await readCapped(response, MAX_DISCOVERY_BYTES));
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
    throw new CredentialError(
      'unavailable',
      `the issuer's discovery document could not be fetched${timedOut ? ' in time' : ''}`,
    );
  }
  const doc = document !== null && typeof document === 'object' ? (document as Record<string, unknown>) : {};
  if (doc['issuer'] !== issuer) {
    throw new CredentialError('unavailable', "the issuer's discovery document names another issuer");
  }
  const jwksUri = doc['jwks_uri'];
  let url: URL | undefined;
  try {
    url = typeof jwksUri === 'string' ? new URL(jwksUri) : undefined;
  } catch {
    url = undefined;
  }
  const allowed = issuer.startsWith('https:') ? ['https:'] : ['https:', 'http:'];
  if (url === undefined || !allowed.includes(url.protocol)) {
    throw new CredentialError('unavailable', "the issuer's discovery document has no usable jwks_uri");
  }
  return url;
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new Error(`larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
