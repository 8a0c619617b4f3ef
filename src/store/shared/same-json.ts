/**
 * Structural equality of JSON values, used by the stores' writers to tell an unchanged attribute
 * (its index rows stay) and an unchanged instance (no new history row) from a changed one. Key order
 * does not count: the value is the same JSON. Pure and dialect-neutral (decision 0011).
 */

/** True when `a` and `b` are the same JSON value (objects compared by keys, arrays by position). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (
      !Object.hasOwn(b, k) ||
      !sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])
    )
      return false;
  }
  return true;
}
