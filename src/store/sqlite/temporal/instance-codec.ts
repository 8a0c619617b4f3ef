/**
 * How the SQLite store reads attribute instances of `temporal_instances` (migration 0003): the
 * columns in the order of the shared `InstanceFields`, so that a statement in raw mode hands each
 * row over as that array, and row ids as JavaScript numbers. The row form itself (value split by
 * JSON type, kind codes, extra JSON, instance ids) is shared with every store:
 * src/store/shared/temporal/instance-codec.ts.
 */
import { instanceDigits, type InstanceFields } from '../../shared/temporal/instance-codec.js';

/** The columns of an instance as read back, in the order of `InstanceRow` (alias i). */
export const INSTANCE_COLUMNS =
  'i.iid, i.kind, i.observed_at, i.created_at, i.modified_at, i.num, i.str, i.json, i.unit, i.extra';

/** A row as read back, as an array: the shared fields with an integer row id. */
export type InstanceRow = InstanceFields & { 0: number };

/** The row id of an instanceId, or undefined when it is not one of ours (or not a safe integer). */
export function parseInstanceId(id: string): number | undefined {
  const digits = instanceDigits(id);
  if (digits === undefined) return undefined;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : undefined;
}
