/**
 * Small validators for the lexical forms NGSI-LD payloads use: URIs, names and dateTimes.
 */
import { badRequest } from '../errors.js';
import { ENTITY_LIMITS } from './limits.js';

// An absolute URI: a scheme, a colon, then no whitespace nor characters RFC 3986 forbids.
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]+$/;
// Characters that NGSI-LD forbids in names (clause 4.6.2) because they break q and URLs.
const FORBIDDEN_NAME_CHARS = /[<>"'=;()\s]/;
// ISO 8601 / RFC 3339 date-time with an optional fraction and a zone (Z or ±hh:mm).
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/** True for an absolute URI (as entity ids, relationship objects and datasetIds must be). */
export function isUri(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 2048 && URI.test(value);
}

/** The entity id, or BadRequestData. */
export function requireUri(value: unknown, what: string): string {
  if (!isUri(value)) throw badRequest(`${what} must be an absolute URI, got ${describe(value)}`);
  return value;
}

/** True for a name usable as a type or attribute name. */
export function isValidName(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= ENTITY_LIMITS.maxNameLength &&
    !FORBIDDEN_NAME_CHARS.test(value)
  );
}

/** The name, or BadRequestData. */
export function requireName(value: unknown, what: string): string {
  if (!isValidName(value)) throw badRequest(`${what} is not a valid name: ${describe(value)}`);
  return value;
}

/** True for an RFC 3339 date-time that denotes a real instant. */
export function isDateTime(value: unknown): value is string {
  return typeof value === 'string' && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
}

/** The date-time, or BadRequestData. */
export function requireDateTime(value: unknown, what: string): string {
  if (!isDateTime(value)) throw badRequest(`${what} must be an ISO 8601 date-time, got ${describe(value)}`);
  return value;
}

/** True when a JSON value nests deeper than `limit` (scalars have depth 0). Recursion is bounded by `limit`. */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (limit <= 0) return true;
  if (Array.isArray(value)) {
    for (const v of value) if (jsonDepthExceeds(v, limit - 1)) return true;
    return false;
  }
  for (const k in value) if (jsonDepthExceeds((value as Record<string, unknown>)[k], limit - 1)) return true;
  return false;
}

/** A short, safe description of a value for error details. */
export function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
