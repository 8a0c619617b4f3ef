/**
 * What an attribute path selects in an entity: the first half of the q semantics (see q-match.ts for
 * the whole of it). Selection works on expanded entities with expanded paths.
 */
import type { Attribute, Entity } from '../model/entity.js';
import type { AttrPath } from './ast.js';
import { isPathMember } from './attr-path.js';

/** A value a path selects, and whether it is the target of a Relationship (then only ==/!= apply). */
export interface Selected {
  value: unknown;
  relationship: boolean;
}

/**
 * The target elements of `path` in `entity`, before arrays are opened: one entry per attribute
 * instance (any datasetId) that defines the target, more for the values of a LanguageProperty.
 * An empty result means the target element does not exist.
 */
export function selectTargets(entity: Entity, path: AttrPath): Selected[] {
  const instances = own(entity.attrs, path.attr);
  if (!Array.isArray(instances)) return [];
  const out: Selected[] = [];
  for (const instance of instances as Attribute[]) collect(instance, path, out);
  return out;
}

/** The values a comparison looks at: the targets, with each array opened into its elements. */
export function selectValues(entity: Entity, path: AttrPath): Selected[] {
  const out: Selected[] = [];
  for (const t of selectTargets(entity, path)) {
    if (Array.isArray(t.value)) {
      for (const v of t.value) out.push({ value: unwrap(v), relationship: t.relationship });
    } else {
      out.push(t);
    }
  }
  return out;
}

function collect(instance: Attribute, path: AttrPath, out: Selected[]): void {
  let node: Attribute | undefined = instance;
  for (const name of path.sub) {
    if (isPathMember(name)) {
      // A member ends the path (the parser refuses anything after it but JSON keys).
      push(out, descend(node[name], path.keys), false);
      return;
    }
    node = asAttribute(own(node.sub, name));
    if (node === undefined) return;
  }
  const relationship = node.type === 'Relationship' || node.type === 'ListRelationship';
  if (node.type === 'LanguageProperty') {
    const map = node.value;
    if (map === null || typeof map !== 'object') return;
    const [lang, ...rest] = path.keys;
    // `attr[en]` picks one language, `attr[*]` or no key any of them.
    const texts = lang === undefined || lang === '*' ? Object.values(map) : [own(map, lang)];
    for (const t of texts) push(out, descend(t, rest), false);
    return;
  }
  push(out, descend(node.value, path.keys), relationship);
}

function push(out: Selected[], value: unknown, relationship: boolean): void {
  if (value !== undefined) out.push({ value: unwrap(value), relationship });
}

/** Follow JSON member names into object values; anything else (or a missing member) is undefined. */
function descend(value: unknown, keys: readonly string[]): unknown {
  let v = value;
  for (const k of keys) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = own(v, k);
  }
  return v;
}

/** A JSON-LD value object (`{"@type": "DateTime", "@value": "…"}`) stands for its `@value`. */
function unwrap(value: unknown): unknown {
  if (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.hasOwn(value, '@value')
  ) {
    return (value as Record<string, unknown>)['@value'];
  }
  return value;
}

/** An own member only: names like `constructor` or `__proto__` must not reach the prototype. */
function own(container: unknown, key: string): unknown {
  if (container === null || typeof container !== 'object') return undefined;
  return Object.hasOwn(container, key) ? (container as Record<string, unknown>)[key] : undefined;
}

function asAttribute(v: unknown): Attribute | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Attribute) : undefined;
}
