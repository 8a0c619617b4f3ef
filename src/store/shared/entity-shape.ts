/**
 * The discovery signature of an entity — what /types and /attributes count: its types, and each
 * attribute with its attribute type and number of instances. Both stores derive it from the entity
 * alone when they write it (SQLite keeps counters per signature, PostgreSQL a column it groups by),
 * so one function here makes both list the same types and attributes by construction (decision 0011).
 */
import type { Attribute, Entity } from '../../core/model/entity.js';
import { byCodeUnit } from './code-order.js';

/** The parsed form of a signature: [types sorted, [attribute, attribute type, instances][] sorted]. */
export type Signature = [string[], Array<[string, string, number]>];

/** The instances of every attribute, skipping malformed entries. */
export function attributes(e: Entity): Array<[string, Attribute[]]> {
  return Object.entries(e.attrs).filter((kv): kv is [string, Attribute[]] => Array.isArray(kv[1]));
}

/** The discovery signature of an entity: the JSON text of its `Signature`. */
export function signature(e: Entity): string {
  const kinds = new Map<string, [string, string, number]>();
  for (const [attr, instances] of attributes(e)) {
    for (const inst of instances) {
      const key = `${attr}\u0000${inst.type}`;
      const kind = kinds.get(key);
      if (kind) kind[2]++;
      else kinds.set(key, [attr, inst.type, 1]);
    }
  }
  const triples = [...kinds.values()].sort((a, b) => byCodeUnit(a[0], b[0]) || byCodeUnit(a[1], b[1]));
  const sig: Signature = [[...new Set(e.type)].sort(byCodeUnit), triples];
  return JSON.stringify(sig);
}

/**
 * True when two versions of an entity have the same signature: same types, same attributes with
 * the same attribute types per instance. Cheaper than building both signatures (the usual update).
 */
export function sameShape(a: Entity, b: Entity): boolean {
  if (a.type.length !== b.type.length || a.type.some((t, i) => t !== b.type[i])) return false;
  const ka = Object.keys(a.attrs);
  if (ka.length !== Object.keys(b.attrs).length) return false;
  for (const k of ka) {
    const x = a.attrs[k];
    const y = Object.hasOwn(b.attrs, k) ? b.attrs[k] : undefined;
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i]?.type !== y[i]?.type) return false;
  }
  return true;
}
