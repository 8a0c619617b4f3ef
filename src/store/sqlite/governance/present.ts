/**
 * Rows to records and back: an optional member that has no value — a NULL column, an undefined
 * member — is left out of the record, never set to null or undefined, so that a record read back
 * compares (toEqual), serialises and hashes like the one that was written.
 */

/** `record` with each of `optional`'s members that has a value (neither null nor undefined). */
export function withPresent<T extends object>(record: T, optional: { [K in keyof T]?: T[K] | null }): T {
  for (const [member, value] of Object.entries(optional)) {
    if (value !== null && value !== undefined) (record as Record<string, unknown>)[member] = value;
  }
  return record;
}
