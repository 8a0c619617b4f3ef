/**
 * Which instances of an applied change are new to the history: every instance of the entity after
 * the change, except those that the entity before it already held unchanged (same datasetId,
 * modifiedAt, observedAt and value). Two writes within one millisecond share modifiedAt: a new
 * observedAt or value still makes a new instance. The same rule in every store (decision 0011), so
 * the same writes leave the same history.
 */
import { instancesOf, type Attribute, type Entity } from '../../../core/model/entity.js';
import { sameJson } from '../same-json.js';

/** Call `f` for each instance of `after` that is new or changed since `before`, attribute by attribute. */
export function forEachNewInstance(
  before: Entity | undefined,
  after: Entity,
  f: (attr: string, inst: Attribute) => void,
): void {
  for (const attr of Object.keys(after.attrs)) {
    const instances = instancesOf(after.attrs, attr);
    if (instances === undefined) continue;
    const prev = instancesOf(before?.attrs, attr);
    for (const inst of instances) {
      if (prev !== undefined && unchanged(prev, inst)) continue;
      f(attr, inst);
    }
  }
}

/** The instance with the same datasetId in `prev` has the same modifiedAt, observedAt and value. */
export function unchanged(prev: Attribute[], inst: Attribute): boolean {
  for (const old of prev) {
    if (old.datasetId !== inst.datasetId) continue;
    return (
      old.modifiedAt === inst.modifiedAt &&
      old.observedAt === inst.observedAt &&
      sameJson(old.value, inst.value)
    );
  }
  return false;
}

/** Same types in the same order (a history whose types did not change keeps its type rows). */
export function sameTypes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}
