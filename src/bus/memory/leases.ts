/**
 * In-memory leases: one holder per (ttl, name), lost `ttlMs` after the last acquire or renew. Keyed by
 * the ttl as well as the name because the NATS bus keeps one KV bucket per ttl (its only way to expire
 * keys on NATS 2.9), and both adapters must behave alike. Times are monotonic (`performance.now`).
 */

interface Held {
  readonly token: number;
  expiresAt: number;
}

/** The lease table of one broker. */
export class MemoryLeases {
  private readonly held = new Map<string, Held>();
  private tokens = 0;

  /** A token for the new holder, or undefined when a live holder exists. */
  acquire(name: string, ttlMs: number): number | undefined {
    const key = `${ttlMs}/${name}`;
    const now = performance.now();
    const current = this.held.get(key);
    if (current !== undefined && current.expiresAt > now) return undefined;
    const token = ++this.tokens;
    this.held.set(key, { token, expiresAt: now + ttlMs });
    return token;
  }

  /** Extends the holder's lease; false when `token` no longer holds it. */
  renew(name: string, ttlMs: number, token: number): boolean {
    const current = this.held.get(`${ttlMs}/${name}`);
    const now = performance.now();
    if (current === undefined || current.token !== token || current.expiresAt <= now) return false;
    current.expiresAt = now + ttlMs;
    return true;
  }

  /** Frees the lease if `token` still holds it. */
  release(name: string, ttlMs: number, token: number): void {
    const key = `${ttlMs}/${name}`;
    if (this.held.get(key)?.token === token) this.held.delete(key);
  }
}
