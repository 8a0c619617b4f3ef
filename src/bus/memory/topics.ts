/**
 * Topic matching for the in-memory bus, the same as NATS subjects: tokens split on '.', `*` matches
 * exactly one token, a final `>` matches one or more tokens. Names are checked by the port before.
 */

/** True when `topic` matches `pattern`. */
export function matchesPattern(pattern: string, topic: string): boolean {
  const p = pattern.split('.');
  const t = topic.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>') return t.length > i;
    if (i >= t.length) return false;
    if (token !== '*' && token !== t[i]) return false;
  }
  return p.length === t.length;
}
