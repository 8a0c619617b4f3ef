/**
 * What patching one instance of the history through the temporal API makes of it: the members the
 * patch names replace the stored ones, the others stay, and sub-attributes are merged by name. The same in every store (decision 0011); each writes the
 * result back in its own SQL.
 */
import type { Attribute } from '../../../core/model/entity.js';
import type { StoredInstance } from '../../../core/temporal/model.js';

/** The instance `old` with the members of `patch`. */
export function patchedInstance(old: StoredInstance, patch: Attribute): Attribute {
  const merged: Attribute = {
    type: patch.type ?? old.type,
    value: patch.value === undefined ? old.value : patch.value,
  };
  const objectType = patch.objectType ?? old.objectType;
  if (objectType !== undefined) merged.objectType = objectType;
  const observedAt = patch.observedAt ?? old.observedAt;
  if (observedAt !== undefined) merged.observedAt = observedAt;
  const unitCode = patch.unitCode ?? old.unitCode;
  if (unitCode !== undefined) merged.unitCode = unitCode;
  if (old.sub !== undefined || patch.sub !== undefined) merged.sub = { ...old.sub, ...patch.sub };
  return merged;
}
