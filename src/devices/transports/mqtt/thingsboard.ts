/**
 * ThingsBoard device API payloads, normalised for the ingest pipeline (issue #5: fleets move over
 * without reflashing). Pure, and shared by every way a TB payload arrives (MQTT here, HTTP
 * `/api/v1/{token}/telemetry` elsewhere).
 *
 * TB telemetry is one of:
 * - a JSON object of values: `{"temperature": 21.5}` (time: when received);
 * - `{"ts": 1700000000000, "values": {…}}` (ts: device time in epoch milliseconds);
 * - an array of either.
 * Each entry becomes one message: its values, with `ts` under the profile's device-time field, so the
 * mapping takes it as the observation time. Attributes (`v1/devices/me/attributes`) are a plain object.
 *
 * A payload of another shape is handed to the pipeline as it came, so that its codec refuses it and
 * counts it (and sets the device's last error) exactly as it does for any malformed message.
 */

/** Most entries of one TB telemetry array (the pipeline takes at most 1,000 messages per batch). */
export const MAX_TB_ENTRIES = 1000;

export type TbTelemetry =
  { ok: true; entries: Array<Record<string, unknown>> } | { ok: false; detail: string };

/**
 * The entries of a parsed TB telemetry body, each a flat object of values, with `ts` (when the device
 * gave one) stored under `timeField`.
 */
export function normaliseTelemetry(body: unknown, timeField = 'ts'): TbTelemetry {
  const items = Array.isArray(body) ? body : [body];
  if (items.length === 0) return { ok: false, detail: 'an empty telemetry array' };
  if (items.length > MAX_TB_ENTRIES)
    return { ok: false, detail: `more than ${MAX_TB_ENTRIES} telemetry entries in one message` };
  const entries: Array<Record<string, unknown>> = [];
  for (const [i, item] of items.entries()) {
    const at = Array.isArray(body) ? `entry ${i}` : 'the telemetry';
    if (!isObject(item)) return { ok: false, detail: `${at} is not a JSON object` };
    if (!isTimed(item)) {
      entries.push(item);
      continue;
    }
    if (typeof item.ts !== 'number' || !Number.isFinite(item.ts) || item.ts < 0)
      return { ok: false, detail: `${at}: ts must be epoch milliseconds` };
    if (!isObject(item.values)) return { ok: false, detail: `${at}: values must be a JSON object` };
    // Own properties only, copied onto a null-prototype object: a value named __proto__ stays a value.
    const entry: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(item.values)) entry[k] = v;
    entry[timeField] = item.ts;
    entries.push(entry);
  }
  return { ok: true, entries };
}

/**
 * The pipeline payloads of a raw TB telemetry or attributes message: one JSON text per entry, or the
 * raw payload alone when it is not TB-shaped JSON (the codec then refuses and counts it).
 */
export function telemetryPayloads(
  payload: Uint8Array | string,
  timeField = 'ts',
): Array<Uint8Array | string> {
  let body: unknown;
  try {
    body = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
  } catch {
    return [payload];
  }
  const normalised = normaliseTelemetry(body, timeField);
  if (!normalised.ok) return [payload];
  return normalised.entries.map((e) => JSON.stringify(e));
}

/** A server-side RPC request as TB devices expect it on `v1/devices/me/rpc/request/{id}`. */
export function rpcRequest(method: string, params: unknown): string {
  return JSON.stringify({ method, params: params ?? null });
}

/**
 * A device's RPC response (any JSON, or text): TB has no status field, so a response is a success
 * unless it is an object with an `error` member, the convention TB's own device SDKs use.
 */
export function rpcResponse(payload: Uint8Array | string): { ok: boolean; payload: unknown } {
  const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the text itself is the result.
  }
  return { ok: !(isObject(body) && Object.hasOwn(body, 'error')), payload: body };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `{"ts": …, "values": …}` and nothing else: a TB timed entry (an object of values may hold a `ts`). */
function isTimed(o: Record<string, unknown>): o is { ts: unknown; values: unknown } {
  const keys = Object.keys(o);
  return keys.length === 2 && Object.hasOwn(o, 'ts') && Object.hasOwn(o, 'values');
}
