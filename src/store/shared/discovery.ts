/**
 * Discovery (/types, /attributes) from the number of entities of each shape (entity-shape.ts): how a
 * store counts its shapes is its own (SQLite keeps counters, PostgreSQL groups by a column), turning
 * (signature, count) pairs into TypeInfo / AttributeInfo is the same for both, and lives here so that
 * the two list alike by construction (decision 0011). Costs the number of distinct shapes, not of
 * entities.
 */
import type { AttributeInfo, TypeInfo } from '../port.js';
import { byCodeUnit } from './code-order.js';
import type { Signature } from './entity-shape.js';

/** A shape and how many entities of a tenant have it. */
export interface ShapeCount {
  sig: Signature;
  n: number;
}

/**
 * Parsed signatures by text. Keyed by text rather than by a store's row id: ids of a rolled-back
 * transaction can be handed out again. A tenant has few shapes, so the cache stays small.
 */
export class SignatureCache {
  private readonly parsed = new Map<string, Signature>();

  /** The parsed form of a signature text. */
  parse(text: string): Signature {
    let sig = this.parsed.get(text);
    if (!sig) this.parsed.set(text, (sig = JSON.parse(text) as Signature));
    return sig;
  }
}

/** Types (all, or those named) with entity counts and attributes, sorted by name. */
export function typesOf(shapes: Iterable<ShapeCount>, only?: string[]): TypeInfo[] {
  const wanted = only ? new Set(only) : undefined;
  const byType = new Map<string, { count: number; attrs: Map<string, Set<string>> }>();
  for (const { sig, n } of shapes) {
    for (const type of sig[0]) {
      if (wanted && !wanted.has(type)) continue;
      const info = byType.get(type) ?? { count: 0, attrs: new Map<string, Set<string>>() };
      byType.set(type, info);
      info.count += n;
      for (const [attr, kind] of sig[1]) info.attrs.set(attr, (info.attrs.get(attr) ?? new Set()).add(kind));
    }
  }
  return [...byType]
    .map(([type, info]) => ({
      type,
      entityCount: info.count,
      attributes: [...info.attrs]
        .map(([name, kinds]) => ({ name, attributeTypes: [...kinds].sort(byCodeUnit) }))
        .sort((a, b) => byCodeUnit(a.name, b.name)),
    }))
    .sort((a, b) => byCodeUnit(a.type, b.type));
}

/** Attributes (all, or those named) with instance counts, attribute types and type names, sorted by name. */
export function attributesOf(shapes: Iterable<ShapeCount>, only?: string[]): AttributeInfo[] {
  const wanted = only ? new Set(only) : undefined;
  const byName = new Map<string, { count: number; kinds: Set<string>; types: Set<string> }>();
  for (const { sig, n } of shapes) {
    for (const [attr, kind, instances] of sig[1]) {
      if (wanted && !wanted.has(attr)) continue;
      const info = byName.get(attr) ?? { count: 0, kinds: new Set<string>(), types: new Set<string>() };
      byName.set(attr, info);
      info.count += instances * n;
      info.kinds.add(kind);
      for (const t of sig[0]) info.types.add(t);
    }
  }
  return [...byName]
    .map(([name, i]) => ({
      name,
      attributeCount: i.count,
      attributeTypes: [...i.kinds].sort(byCodeUnit),
      typeNames: [...i.types].sort(byCodeUnit),
    }))
    .sort((a, b) => byCodeUnit(a.name, b.name));
}
