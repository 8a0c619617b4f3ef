/**
 * Building parameterised statements for the temporal history: placeholders numbered as values are
 * added (so conditions can be composed in any order without counting `$n` by hand), and the
 * conversions between the broker's epoch milliseconds and `timestamptz`.
 */
import { badRequest } from '../../../core/errors.js';

/** The values of one statement; `add` returns the placeholder of a new value. */
export class Params {
  readonly values: unknown[] = [];

  /** `$n` (with `::cast` when given) for `value`. */
  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast === undefined ? `$${this.values.length}` : `$${this.values.length}::${cast}`;
  }

  /** A placeholder for an instant used as a bound (clamped: see `boundText`). */
  bound(ms: number): string {
    return this.add(boundText(ms), 'timestamptz');
  }
}

/** timestamptz holds years 4713 BC to 294276 AD; ISO 8601 without expansion, 0001 to 9999. */
export const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * The text PostgreSQL reads as the instant `ms` when it is stored. Instants outside the years
 * 0001–9999 cannot be written as plain ISO 8601: BadRequestData naming the member.
 */
export function instantText(what: string, ms: number): string {
  if (!Number.isFinite(ms) || ms < EARLIEST || ms > LATEST) {
    throw badRequest(`${what} must be an instant between the years 0001 and 9999`);
  }
  return new Date(ms).toISOString();
}

/**
 * The text of an instant used only to compare with stored ones: outside the storable years it is
 * ±infinity, which compares the same way with every stored instant (so a query asking about the
 * year 20000 gets its answer instead of an error).
 */
export function boundText(ms: number): string {
  if (ms < EARLIEST) return '-infinity';
  if (ms > LATEST) return 'infinity';
  return new Date(ms).toISOString();
}

/** SQL reading a timestamptz column as epoch milliseconds (exact: extract gives numeric). */
export const msOf = (column: string): string => `(extract(epoch FROM ${column}) * 1000)::float8`;
