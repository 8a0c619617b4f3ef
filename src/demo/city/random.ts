/**
 * Seeded randomness for the demo city. Math.random cannot be seeded, and the city must be the same
 * for the same seed on every machine (tests, screenshots, a restart on the same data dir), so the
 * generator draws from mulberry32, a tiny 32-bit PRNG with good enough statistics for scenery.
 * The behaviours need noise that does not depend on the order devices are simulated in, so they use
 * a hash of (device id, instant, salt) instead of a shared stream: `hashUnit`.
 */

/** A stream of uniform numbers in [0, 1). */
export type Rng = () => number;

/** mulberry32 (Tommy Ettinger): 32 bits of state, full period 2^32; `seed` is taken modulo 2^32. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 32-bit FNV-1a of a string, then a murmur3 finaliser so that near strings land far apart. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) fixed by its parts: the same parts always give the same number. */
export function hashUnit(...parts: ReadonlyArray<string | number>): number {
  return hash32(parts.join('\u0001')) / 4294967296;
}

/** A standard normal number fixed by its parts (Box–Muller on two hashes). */
export function hashNormal(...parts: ReadonlyArray<string | number>): number {
  const u = Math.max(hashUnit(...parts, 'u'), 1e-12);
  const v = hashUnit(...parts, 'v');
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Smooth noise in [0, 1): hashed values at every multiple of `periodS` seconds, interpolated with a
 * smoothstep, so that weather and baselines wander instead of jumping between two reports.
 */
export function smoothNoise(key: string, tMs: number, periodS: number): number {
  const x = tMs / 1000 / periodS;
  const i = Math.floor(x);
  const f = x - i;
  const s = f * f * (3 - 2 * f);
  const a = hashUnit(key, i);
  const b = hashUnit(key, i + 1);
  return a + (b - a) * s;
}

/** An integer in [min, max] from a stream. */
export function randInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** A number in [min, max) from a stream. */
export function randRange(rng: Rng, min: number, max: number): number {
  return min + rng() * (max - min);
}

/** One element of a non-empty list. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** A copy of `items` in a seeded random order (Fisher–Yates). */
export function shuffle<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
