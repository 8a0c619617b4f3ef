/**
 * Reading (never trusting) the claims of the tokens an identity provider returns: the access token's
 * `exp` (when to return to the sign-in screen) and tenant claim (which tenant to open), the ID token's
 * `nonce`. The browser does not verify signatures — Urbis verifies the access token on every request —
 * so these claims only steer the interface; a forged one gains nothing but a refused request.
 */

/** The payload of a compact JWS, or undefined when `token` is not one (an opaque token). */
export function jwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[1] === undefined || parts[1] === '') return undefined;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(b64.padEnd(b64.length + ((4 - (b64.length % 4)) % 4), '='));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const value = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    // Not base64url JSON: an opaque token as far as the dashboard is concerned.
    return undefined;
  }
}

/**
 * The claim at a dotted path, as Urbis reads it (src/governance/identity/oidc.ts): a top-level claim
 * of that exact name first (names such as "https://city.example/tenant"), else a walk through objects.
 */
export function claimAt(payload: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(payload, path)) return payload[path];
  let node: unknown = payload;
  for (const segment of path.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, segment))
      return undefined;
    node = (node as Record<string, unknown>)[segment];
  }
  return node;
}

/**
 * When the access token stops being accepted, in ms since the epoch: its `exp` claim when it is a JWT
 * with one, else `expires_in` of the token response counted from `now`; undefined if neither says.
 */
export function expiryOf(accessToken: string, expiresIn: unknown, now: number): number | undefined {
  const exp = jwtPayload(accessToken)?.exp;
  if (typeof exp === 'number' && Number.isFinite(exp)) return exp * 1000;
  if (typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0)
    return now + expiresIn * 1000;
  return undefined;
}

/** The tenant the access token names at `claim`, or undefined (no such claim, or not a name). */
export function tenantOf(accessToken: string, claim: string): string | undefined {
  if (claim === '') return undefined; // the server reads no tenant claim: the default tenant
  const payload = jwtPayload(accessToken);
  const value = payload === undefined ? undefined : claimAt(payload, claim);
  return typeof value === 'string' && value !== '' ? value : undefined;
}
