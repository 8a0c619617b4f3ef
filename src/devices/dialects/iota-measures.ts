/**
 * The body of an IoT Agent JSON measure (`POST /iot/json?k=…&i=…[&t=…]`) as the payloads the ingest
 * pipeline decodes (pure). One JSON object is one message, passed on as the device sent it; an array
 * of objects (the IoT Agent's multi-measure) is one message per element, in order. The `t` parameter
 * is the measures' time: it is written into each message as `TimeInstant`, the measure the IoT
 * Agent's profiles read as device time.
 *
 * A body that is not JSON at all, or a JSON value that is not an object, is passed on untouched: the
 * pipeline's codec refuses it, counts it and records it as the device's last error, exactly as it
 * would for any other transport. Only what cannot be framed — an empty or oversized array, an
 * element that is not an object, a `t` that is no instant — is refused here.
 */
import { TIME_INSTANT } from './iota-profile.js';

/** Most measures in one multi-measure body. */
export const MAX_MEASURES = 100;

export type FramedMeasures = { ok: true; payloads: string[] } | { ok: false; detail: string };

// ISO 8601 with an explicit offset: without one, Date.parse reads the server's local time zone.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** Frame a measure body; `time` is the request's `t` parameter, if any. */
export function iotaMeasures(body: string, time?: string): FramedMeasures {
  if (time !== undefined && (!ISO_INSTANT.test(time) || Number.isNaN(Date.parse(time))))
    return {
      ok: false,
      detail: 't must be an ISO 8601 instant with an offset, such as 2026-12-03T08:00:00Z',
    };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: true, payloads: [body] };
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0) return { ok: false, detail: 'a multi-measure array must not be empty' };
    if (parsed.length > MAX_MEASURES)
      return { ok: false, detail: `at most ${MAX_MEASURES} measures in one multi-measure array` };
    if (!parsed.every(isObject))
      return { ok: false, detail: 'each element of a multi-measure array must be a JSON object' };
    return serialise(parsed.map((m) => withTime(m, time)));
  }
  if (!isObject(parsed) || time === undefined) return { ok: true, payloads: [body] };
  return serialise([withTime(parsed, time)]);
}

function withTime(measure: Record<string, unknown>, time: string | undefined): Record<string, unknown> {
  return time === undefined ? measure : { ...measure, [TIME_INSTANT]: time };
}

function serialise(measures: Record<string, unknown>[]): FramedMeasures {
  try {
    return { ok: true, payloads: measures.map((m) => JSON.stringify(m)) };
  } catch (e) {
    // Only nesting deep enough to exhaust the stack gets here; no sensor sends that.
    if (e instanceof RangeError) return { ok: false, detail: 'measures nested too deeply' };
    throw e;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
