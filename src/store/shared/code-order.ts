/**
 * Byte order of strings, as both stores sort keys (SQLite's BINARY collation, PostgreSQL's
 * `COLLATE "C"`): UTF-16 code-unit order, which agrees with them for every string that holds no
 * character outside the Basic Multilingual Plane. Not `localeCompare`: a listing must come out the
 * same whatever the machine's locale. Part of the store layer shared by every adapter (decision 0011).
 */

/** Compare two strings by code unit (for `Array.prototype.sort`). */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
