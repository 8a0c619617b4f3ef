/**
 * A device credential read from an HTTP `Authorization` header, shared by every HTTP way in for
 * devices (native ingest, dialects). Two forms, matching the two kinds of credential the registry
 * issues:
 * - `Bearer dev_…` — a generated device token;
 * - `Basic base64(user:password)` — a username and password, where `user` is `{tenant}/{username}`
 *   or just `{username}` (then the request's tenant applies). Device usernames never contain `/`
 *   (device ids are letters, digits, `_ . : -`) while tenant names may, so the split is at the last `/`.
 *
 * Parsing is pure and never throws: whatever a client sends, the answer is a credential or a reason
 * it is missing or malformed (both a 401 for the caller). Checking it against the registry is
 * `authenticateDevice`, which goes through the transport's `DeviceIngress`.
 *
 * Also here, for every transport that checks a credential per message (HTTP, CoAP, dialects):
 * `AuthFailureThrottle` (failed attempts spend a per-address budget, so guessing is slow) and
 * `PasswordCheckCache` (a right password is not re-hashed with scrypt on every message).
 */
import { createHmac, randomBytes } from 'node:crypto';
// A pure class shared with the HTTP gate (decision 0007): one token bucket in the code base.
import { TokenBucketLimiter } from '../../core/rate/token-bucket.js';
import type { AuthenticatedDevice } from '../registry/registry-service.js';
import { TOKEN_PREFIX } from '../registry/credentials.js';
import type { DeviceIngress } from './contract.js';

/** A credential as a device presented it (not yet checked). */
export type PresentedCredential =
  | { kind: 'token'; secret: string }
  | { kind: 'password'; tenant?: string; username: string; password: string };

export type ParsedAuthorization =
  | { ok: true; credential: PresentedCredential }
  | { ok: false; reason: 'missing' | 'malformed'; detail: string };

/** The `WWW-Authenticate` value of a 401 to a device: both schemes it may use (RFC 9110 §11.6.1). */
export const DEVICE_CHALLENGE = 'Bearer realm="urbis-devices", Basic realm="urbis-devices", charset="UTF-8"';

/** Longer headers are no credential of ours; refusing them early spares decoding megabytes. */
const MAX_HEADER_LENGTH = 4096;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Read a device credential from an Authorization header value. */
export function parseDeviceAuthorization(header: string | string[] | undefined): ParsedAuthorization {
  if (header === undefined || header === '') return missing();
  if (Array.isArray(header)) return malformed('send one Authorization header');
  if (header.length > MAX_HEADER_LENGTH) return malformed('the Authorization header is too long');
  const match = /^([A-Za-z]+) +(\S+) *$/.exec(header);
  if (match === null) return malformed('expected Authorization: Bearer <token> or Basic <base64>');
  const scheme = (match[1] as string).toLowerCase();
  const value = match[2] as string;
  if (scheme === 'bearer') {
    if (!value.startsWith(TOKEN_PREFIX)) return malformed(`a device token starts with ${TOKEN_PREFIX}`);
    return { ok: true, credential: { kind: 'token', secret: value } };
  }
  if (scheme === 'basic') return parseBasic(value);
  return malformed(`unsupported scheme ${JSON.stringify(match[1])}; use Bearer or Basic`);
}

/** `{tenant}/{username}` or `{username}`: split at the last `/` (usernames have none). */
export function splitTenantUser(user: string): { tenant?: string; username: string } {
  const slash = user.lastIndexOf('/');
  if (slash < 0) return { username: user };
  return { tenant: user.slice(0, slash), username: user.slice(slash + 1) };
}

/**
 * The device a presented credential belongs to, or undefined (unknown, wrong, revoked, disabled). A
 * password credential without a tenant of its own is looked up in `requestTenant`.
 */
export function authenticateDevice(
  ingress: Pick<DeviceIngress, 'authenticateToken' | 'authenticatePassword'>,
  credential: PresentedCredential,
  requestTenant: string,
): Promise<AuthenticatedDevice | undefined> {
  if (credential.kind === 'token') return ingress.authenticateToken(credential.secret);
  return ingress.authenticatePassword(
    credential.tenant ?? requestTenant,
    credential.username,
    credential.password,
  );
}

function parseBasic(value: string): ParsedAuthorization {
  if (!BASE64.test(value) || value.length % 4 === 1) return malformed('Basic credentials must be base64');
  // RFC 7617: the charset is UTF-8 (we announce it); a byte sequence that is not UTF-8 is refused
  // rather than silently replaced, since a mangled password could only fail later, less clearly.
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(value, 'base64'));
  } catch {
    return malformed('Basic credentials must be UTF-8');
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) return malformed('Basic credentials must be user:password');
  const { tenant, username } = splitTenantUser(decoded.slice(0, colon));
  const password = decoded.slice(colon + 1);
  if (username === '') return malformed('the username is empty');
  if (password === '') return malformed('the password is empty');
  return {
    ok: true,
    credential: { kind: 'password', ...(tenant !== undefined ? { tenant } : {}), username, password },
  };
}

function missing(): ParsedAuthorization {
  return {
    ok: false,
    reason: 'missing',
    detail: 'a device credential is required: Authorization: Bearer dev_… or Basic user:password',
  };
}

function malformed(detail: string): ParsedAuthorization {
  return { ok: false, reason: 'malformed', detail };
}

/**
 * Slows down credential guessing from one address: each failed authentication takes a token from the
 * address's bucket, and once it is empty the address is refused without a credential check until the
 * bucket has refilled (a blocked guesser learns nothing, not even from a right guess). Addresses are
 * the key, so a fleet behind one NAT shares a budget: the defaults leave room for a few misconfigured
 * devices there. Bounded memory (the limiter forgets least recently used addresses).
 */
export class AuthFailureThrottle {
  private readonly limiter: TokenBucketLimiter;
  /** Address → epoch ms until which it is refused. */
  private readonly blocked = new Map<string, number>();
  private readonly maxBlocked: number;
  private readonly now: () => number;

  constructor(options: { ratePerSec?: number; burst?: number; maxKeys?: number; now?: () => number } = {}) {
    const maxKeys = options.maxKeys ?? 100_000;
    this.limiter = new TokenBucketLimiter({
      ratePerSec: options.ratePerSec ?? 0.5,
      burst: options.burst ?? 30,
      maxKeys,
    });
    this.maxBlocked = maxKeys;
    this.now = options.now ?? Date.now;
  }

  /** Seconds the address must wait before trying again; 0 when it may try now. */
  retryAfter(address: string): number {
    const until = this.blocked.get(address);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left <= 0) {
      this.blocked.delete(address);
      return 0;
    }
    return Math.max(1, Math.ceil(left / 1000));
  }

  /** Count a failed authentication; the seconds the address is now blocked for (0: not blocked). */
  failed(address: string): number {
    const now = this.now();
    const taken = this.limiter.take(address, now);
    if (taken.ok) return 0;
    this.blocked.delete(address);
    this.blocked.set(address, now + taken.retryAfterSec * 1000);
    if (this.blocked.size > this.maxBlocked) {
      const oldest = this.blocked.keys().next();
      if (oldest.done !== true) this.blocked.delete(oldest.value);
    }
    return taken.retryAfterSec;
  }
}

/**
 * Remembers successful password checks for a short while. A password is hashed with scrypt (tens of
 * milliseconds, on purpose) and MQTT pays that once per connection, but HTTP Basic and CoAP present
 * it with every message: without this, a device posting once a second would cost a thread-pool
 * thread continuously. Entries are keyed by a keyed hash (HMAC with a per-process random key) of
 * tenant, username and password, so memory holds nothing that can be tried offline; only successes
 * are kept, so a wrong password is always checked in full. A revoked credential keeps working for at
 * most `ttlMs` (default 30 s) — the same order as an MQTT connection that stays open after revocation.
 */
export class PasswordCheckCache {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, { device: AuthenticatedDevice; until: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** `ingress` with its password check behind this cache. */
  wrap<T extends Pick<DeviceIngress, 'authenticateToken' | 'authenticatePassword'>>(ingress: T): T {
    return {
      ...ingress,
      authenticateToken: (secret: string) => ingress.authenticateToken(secret),
      authenticatePassword: (tenant: string, username: string, password: string) =>
        this.check(tenant, username, password, () =>
          ingress.authenticatePassword(tenant, username, password),
        ),
    };
  }

  private async check(
    tenant: string,
    username: string,
    password: string,
    verify: () => Promise<AuthenticatedDevice | undefined>,
  ): Promise<AuthenticatedDevice | undefined> {
    const id = createHmac('sha256', this.key)
      .update(`${tenant}\u0000${username}\u0000${password}`)
      .digest('hex');
    const now = this.now();
    const hit = this.entries.get(id);
    if (hit !== undefined && hit.until > now) return hit.device;
    this.entries.delete(id);
    const device = await verify();
    if (device !== undefined) {
      this.entries.set(id, { device, until: now + this.ttlMs });
      if (this.entries.size > this.maxEntries) {
        const oldest = this.entries.keys().next();
        if (oldest.done !== true) this.entries.delete(oldest.value);
      }
    }
    return device;
  }
}
