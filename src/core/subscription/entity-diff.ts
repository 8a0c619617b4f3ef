/**
 * What changed between two states of one entity, attribute instance by attribute instance (an
 * instance is identified by its attribute name and datasetId). Subscriptions use it to tell which
 * notification triggers a change fires and which previous values `showChanges` reports.
 */
import { instancesOf, type Attribute, type Entity } from '../model/entity.js';

/** One instance before and after an update. */
export interface InstanceChange {
  before: Attribute;
  after: Attribute;
}

/** The differences, by expanded attribute name; attributes with no change are absent. */
export interface EntityDiff {
  created: Map<string, Attribute[]>;
  updated: Map<string, InstanceChange[]>;
  deleted: Map<string, Attribute[]>;
  /** The entity's types or scopes changed. */
  typeOrScopeChanged: boolean;
}

/**
 * Compare `before` and `after` (either may be absent: creation, deletion). An instance counts as
 * updated when anything in it differs — its value, a sub-attribute, observedAt, or modifiedAt (which
 * an update rewrites even when the value stays the same, so a repeated reading is still an update).
 */
export function diffEntities(before: Entity | undefined, after: Entity | undefined): EntityDiff {
  const diff: EntityDiff = {
    created: new Map(),
    updated: new Map(),
    deleted: new Map(),
    typeOrScopeChanged:
      before !== undefined &&
      after !== undefined &&
      (!sameJson(before.type, after.type) || !sameJson(before.scope, after.scope)),
  };
  const names = new Set([...Object.keys(before?.attrs ?? {}), ...Object.keys(after?.attrs ?? {})]);
  for (const name of names) {
    const old = instancesOf(before?.attrs, name) ?? [];
    const now = instancesOf(after?.attrs, name) ?? [];
    for (const a of now) {
      const b = old.find((o) => o.datasetId === a.datasetId);
      if (b === undefined) push(diff.created, name, a);
      else if (!sameJson(a, b)) push(diff.updated, name, { before: b, after: a });
    }
    for (const b of old) {
      if (!now.some((a) => a.datasetId === b.datasetId)) push(diff.deleted, name, b);
    }
  }
  return diff;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** Deep equality of JSON values (object member order does not matter). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => sameJson(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bKeys = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return keys.length === bKeys.length && keys.every((k) => Object.hasOwn(bo, k) && sameJson(ao[k], bo[k]));
}
