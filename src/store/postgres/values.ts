/**
 * Checks and conversions shared by the PostgreSQL repositories: records without absent members,
 * ISO instants to the `timestamptz` the sweeps compare, page bounds, JSON text for `json` columns.
 * The messages match the SQLite adapter's, so both dialects answer a bad input the same way.
 */
import { NgsiError } from '../../core/errors.js';

/** `record` with each of `optional`'s members that has a value (neither null nor undefined). */
export function withPresent<T extends object>(record: T, optional: { [K in keyof T]?: T[K] | null }): T {
  for (const [member, value] of Object.entries(optional)) {
    if (value !== null && value !== undefined) (record as Record<string, unknown>)[member] = value;
  }
  return record;
}

/** timestamptz holds years 4713 BC to 294276 AD; PostgreSQL has no year 0, and ISO 8601 without expansion stops at 9999. */
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * An ISO instant as the canonical UTC string PostgreSQL parses into a `timestamptz` (the caller's
 * spelling may be any that Date.parse accepts), or BadRequestData naming the member.
 */
export function instant(name: string, iso: string): string {
  const ms = typeof iso === 'string' ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new NgsiError('BadRequestData', `${name} must be an ISO 8601 instant, not ${JSON.stringify(iso)}`);
  }
  if (ms < EARLIEST || ms > LATEST) {
    throw new NgsiError('BadRequestData', `${name} must be an instant between the years 0001 and 9999`);
  }
  return new Date(ms).toISOString();
}

/** A page bound or limit: a non-negative integer, or BadRequestData naming it. */
export function bound(name: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new NgsiError('BadRequestData', `${name} must be a non-negative integer, not ${String(n)}`);
  }
  return n;
}

/** JSON text of a value for a `json` column; undefined (and functions) are not JSON. */
export function json(name: string, v: unknown): string {
  const text = JSON.stringify(v);
  if (text === undefined) throw new NgsiError('BadRequestData', `${name} must be a JSON value`);
  return text;
}
