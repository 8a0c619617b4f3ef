/**
 * The per-endpoint concurrency cap: at most `cap` notifications in flight to one endpoint (scheme,
 * host and port), whichever subscriptions they belong to, so that one city system's receiver is
 * not flooded and one slow receiver does not take every connection. Who finds no free slot waits
 * and is woken when one frees.
 */

/** Counts sends in flight per endpoint; `W` is whatever a waiter is (the dispatcher's per-subscription state). */
export class EndpointSlots<W> {
  private readonly active = new Map<string, number>();
  private readonly waiters = new Map<string, Set<W>>();

  constructor(private readonly cap: number) {}

  /** The endpoint key of a URI: scheme, host and port (userinfo, path and query left out). */
  static keyOf(uri: string): string {
    if (!URL.canParse(uri)) return uri;
    const u = new URL(uri);
    return `${u.protocol}//${u.host}`;
  }

  free(endpoint: string): boolean {
    return (this.active.get(endpoint) ?? 0) < this.cap;
  }

  /** Take a slot (call only when `free`). */
  acquire(endpoint: string): void {
    this.active.set(endpoint, (this.active.get(endpoint) ?? 0) + 1);
  }

  /** Give a slot back; returns the waiters to wake (they try again, and wait again if they lose). */
  release(endpoint: string): W[] {
    const n = (this.active.get(endpoint) ?? 1) - 1;
    if (n > 0) this.active.set(endpoint, n);
    else this.active.delete(endpoint);
    const waiting = this.waiters.get(endpoint);
    if (waiting === undefined) return [];
    this.waiters.delete(endpoint);
    return [...waiting];
  }

  /** Be woken when a slot of `endpoint` frees. */
  wait(endpoint: string, waiter: W): void {
    let set = this.waiters.get(endpoint);
    if (set === undefined) this.waiters.set(endpoint, (set = new Set()));
    set.add(waiter);
  }

  /** Sends in flight to `endpoint`. */
  inFlight(endpoint: string): number {
    return this.active.get(endpoint) ?? 0;
  }
}
