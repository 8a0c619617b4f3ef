/**
 * A bounded least-recently-used map. A Map keeps insertion order, so re-inserting on every hit keeps
 * the least recently used entry first, and eviction is one iterator step. Used for resolved @context
 * caches, which must stay bounded because clients choose their keys.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  /** @param capacity most entries kept; 0 or less keeps nothing. */
  constructor(readonly capacity: number) {}

  /** The value for `key`, now marked most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /** Stores `value` as the most recently used entry, evicting the least recently used beyond capacity. */
  set(key: K, value: V): void {
    if (this.capacity <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  /** Removes `key`; true when it was present. */
  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  /** How many entries are held. */
  get size(): number {
    return this.entries.size;
  }
}
