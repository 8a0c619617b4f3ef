/**
 * Keyed, rotating pseudonyms for identifiers such as licence plates and MAC addresses.
 *
 * Why not a plain hash: the space of such identifiers is small and structured (a country's plates are
 * a few hundred million strings; a MAC is 24 bits of vendor prefix, largely known, and 24 bits of
 * serial), so anyone can hash every candidate in minutes and read the identifiers back from SHA-256
 * "anonymised" data. An HMAC under a secret key cannot be enumerated without the key.
 *
 * Why rotate: a stable pseudonym still links every record of one car or phone, across months, into a
 * movement profile. Each tenant gets a new random key every `rotation` period, and the repository
 * destroys keys once they expire, so pseudonyms of different periods cannot be linked — not even by
 * the operator. Within a period the same identifier gives the same pseudonym, which is what counting
 * (occupancy, dwell time, origin–destination within the day) needs.
 *
 * Periods are aligned to multiples of `rotation` since the Unix epoch (a daily key runs from UTC
 * midnight), so every replica sharing the store agrees on them; the repository makes the choice of
 * key atomic. Each process caches the current key until its notAfter.
 */
import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { LruCache } from '../../core/jsonld/lru-cache.js';
import type { PseudonymKey, PseudonymKeyRepository } from '../../store/governance-port.js';
import type { GovernTools } from './apply-governance.js';
import { hmacPseudonym } from './treatments.js';

export interface PseudonymiserOptions {
  keys: PseudonymKeyRepository;
  /** Key lifetime in milliseconds (at least one second; a day is typical). */
  rotation: number;
  /** Clock (epoch ms), for tests. */
  now?: () => number;
  /** Tenants whose key is cached (default 10,000; tenant names come from clients, so bounded). */
  cacheSize?: number;
}

/** The pseudonym function of one tenant's current key. */
export interface PseudonymTools extends GovernTools {
  /** Id of the key (never its secret), for logs and audit. */
  readonly keyId: string;
  /** When the key expires (ISO); tools must not be kept beyond it. */
  readonly notAfter: string;
}

const KEY_BYTES = 32;

export class Pseudonymiser {
  private readonly keys: PseudonymKeyRepository;
  private readonly rotation: number;
  private readonly now: () => number;
  private readonly cache: LruCache<string, { tools: PseudonymTools; notAfterMs: number }>;
  private readonly pending = new Map<string, Promise<PseudonymTools>>();

  constructor(options: PseudonymiserOptions) {
    if (!Number.isSafeInteger(options.rotation) || options.rotation < 1000) {
      throw new RangeError(`pseudonym key rotation must be at least 1000 ms, got ${options.rotation}`);
    }
    this.keys = options.keys;
    this.rotation = options.rotation;
    this.now = options.now ?? Date.now;
    this.cache = new LruCache(options.cacheSize ?? 10_000);
  }

  /** The tools of the tenant's key valid now (created when there is none). */
  forTenant(tenant: string): Promise<PseudonymTools> {
    const now = this.now();
    const hit = this.cache.get(tenant);
    if (hit !== undefined) {
      if (now < hit.notAfterMs) return Promise.resolve(hit.tools);
      // Drop our reference to the expired key; the repository destroys the stored one.
      this.cache.delete(tenant);
    }
    const inflight = this.pending.get(tenant);
    if (inflight !== undefined) return inflight;
    const promise = this.load(tenant, now).finally(() => this.pending.delete(tenant));
    this.pending.set(tenant, promise);
    return promise;
  }

  /** Destroy every tenant's expired keys (for a scheduled job: tenants that stopped sending data). */
  destroyExpired(): Promise<number> {
    return this.keys.destroyExpired(new Date(this.now()).toISOString());
  }

  private async load(tenant: string, now: number): Promise<PseudonymTools> {
    const key = await this.keys.current(tenant, new Date(now).toISOString(), () => this.newKey(tenant, now));
    const notAfterMs = Date.parse(key.notAfter);
    const secret = Buffer.from(key.secret, 'base64');
    if (secret.length < KEY_BYTES || Number.isNaN(notAfterMs)) {
      throw new Error(`pseudonym key ${key.id} of tenant ${tenant} is malformed`);
    }
    const keyObject: KeyObject = createSecretKey(secret);
    secret.fill(0);
    const tools: PseudonymTools = {
      keyId: key.id,
      notAfter: key.notAfter,
      pseudonymise: (value, length) => hmacPseudonym(keyObject, value, length),
    };
    if (now < notAfterMs) this.cache.set(tenant, { tools, notAfterMs });
    return tools;
  }

  private newKey(tenant: string, now: number): PseudonymKey {
    const start = Math.floor(now / this.rotation) * this.rotation;
    return {
      id: `pk_${randomBytes(12).toString('base64url')}`,
      tenant,
      secret: randomBytes(KEY_BYTES).toString('base64'),
      createdAt: new Date(now).toISOString(),
      notAfter: new Date(start + this.rotation).toISOString(),
    };
  }
}
