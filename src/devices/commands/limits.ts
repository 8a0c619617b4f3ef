/**
 * The bounds of a command: how long it may wait (TTL), how large its value may be, and how much of a
 * device's result is kept — a command API must not become a way to store megabytes per request.
 */
import { badRequest } from '../../core/errors.js';
import { parseDuration } from '../../core/temporal/duration.js';

/** TTL when a request names none: a setpoint or a plan older than this is stale. */
export const DEFAULT_TTL_MS = 10 * 60_000;
/** Longest TTL: a week (a device offline longer than that needs an operator, not a stale command). */
export const MAX_TTL_MS = 7 * 24 * 3_600_000;
/** Largest value, as JSON text. */
export const MAX_VALUE_BYTES = 16 * 1024;
/** Largest result kept whole, as JSON text; a larger one keeps a preview. */
export const MAX_RESULT_BYTES = 16 * 1024;
const PREVIEW_CHARS = 1024;

/** A request's `ttl` (ISO 8601 duration, e.g. PT10M) in milliseconds; BadRequestData when wrong. */
export function parseTtl(raw: unknown, defaultMs = DEFAULT_TTL_MS, maxMs = MAX_TTL_MS): number {
  if (raw === undefined) return defaultMs;
  if (typeof raw !== 'string') throw badRequest('ttl must be an ISO 8601 duration such as PT10M');
  const d = parseDuration(raw, 'ttl');
  if (d.months !== 0)
    throw badRequest('ttl must use weeks, days, hours, minutes or seconds, not months or years');
  if (d.ms > maxMs) throw badRequest(`ttl must be at most ${maxMs / 1000} s`);
  return d.ms;
}

/** The value's JSON size, or BadRequestData when it is not JSON or too large. */
export function checkValueSize(name: string, value: unknown, max = MAX_VALUE_BYTES): number {
  const text = JSON.stringify(value);
  if (text === undefined) throw badRequest(`${name}: a command needs a JSON value`);
  const bytes = Buffer.byteLength(text);
  if (bytes > max)
    throw badRequest(`${name}: the value is ${bytes} bytes of JSON, at most ${max} are accepted`);
  return bytes;
}

/** A device's result as kept: whole when small, else a marked preview of its JSON. */
export function boundResult(payload: unknown, max = MAX_RESULT_BYTES): unknown {
  if (payload === undefined) return undefined;
  const text = JSON.stringify(payload);
  if (text === undefined) return String(payload);
  const bytes = Buffer.byteLength(text);
  if (bytes <= max) return payload;
  return { truncated: true, bytes, preview: text.slice(0, PREVIEW_CHARS) };
}
