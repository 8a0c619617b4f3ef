/**
 * What Urbis does with a device's PUBLISH once it knows who sent it and what the topic means —
 * shared by the embedded broker and the external-broker consumer, so both ingest and report alike.
 * Telemetry goes to the pipeline (one message per TB entry), and the verdict says whether the
 * PUBLISH may be acknowledged: `ack` once everything is committed or was refused for good (a bad
 * payload: MQTT 3.1.1 has no negative PUBACK, and a redelivery would loop), `retry` when storage
 * could not take it now (overloaded, shutting down, internal) — then no PUBACK, so the client (or
 * broker) delivers it again later.
 */
import type { QueuedOutcome } from '../../ingest/ingest-queue.js';
import type { CommandFeedback, DeviceIngress } from '../contract.js';
import { commandResults, singleAttributePayload } from './iota.js';
import { rpcResponse, telemetryPayloads } from './thingsboard.js';
import type { PublishRoute } from './topics.js';

/** The transport name refusals are counted under (whatever the dialect: it is known only later). */
export const MQTT = 'mqtt';

export type Verdict = 'ack' | 'retry';

/** The device a PUBLISH is from, resolved by the caller (CONNECT credential, IoTA apikey, topic). */
export interface Sender {
  tenant: string;
  deviceId: string;
  /** The profile's device-time field, where TB entries put their `ts`. */
  timeField?: string;
}

type TelemetryRoute = Extract<PublishRoute, { kind: 'telemetry' }>;

/** The pipeline payloads of a telemetry PUBLISH in its dialect. */
export function telemetryMessages(
  route: TelemetryRoute,
  payload: Buffer,
  timeField?: string,
): Array<Uint8Array | string> {
  if (route.dialect === 'thingsboard') return telemetryPayloads(payload, timeField ?? 'ts');
  if (route.dialect === 'iota-json' && route.attr !== undefined)
    return [singleAttributePayload(route.attr, payload)];
  return [payload];
}

/**
 * Ingest a telemetry PUBLISH and resolve after the commit. `messageId` identifies the PUBLISH for
 * redelivery (see RedeliveryKeys); a TB array's entries get `#i` after it.
 */
export async function ingestTelemetry(
  ingress: DeviceIngress,
  sender: Sender,
  route: TelemetryRoute,
  payload: Buffer,
  messageId: string | undefined,
): Promise<Verdict> {
  const receivedAt = new Date().toISOString();
  const payloads = telemetryMessages(route, payload, sender.timeField);
  const outcomes: QueuedOutcome[] = await Promise.all(
    payloads.map((p, i) =>
      ingress.submit({
        tenant: sender.tenant,
        deviceId: sender.deviceId,
        payload: p,
        receivedAt,
        ...(messageId !== undefined
          ? { messageId: payloads.length === 1 ? messageId : `${messageId}#${i}` }
          : {}),
      }),
    ),
  );
  return outcomes.some(
    (o) =>
      !o.ok &&
      (o.reason === 'overloaded' ||
        o.reason === 'closed' ||
        o.reason === 'internal' ||
        o.reason === 'unavailable'),
  )
    ? 'retry'
    : 'ack';
}

/**
 * Report a command result to the command service. TB responses carry only a request id: `commandOf`
 * maps it back to the command id (undefined: no such request pending). A result that cannot be read
 * is counted as malformed and acknowledged (the device would only send it again).
 */
export async function reportResult(
  ingress: DeviceIngress,
  commands: CommandFeedback | undefined,
  sender: Sender,
  route: Extract<PublishRoute, { kind: 'command-result' }>,
  payload: Buffer,
  commandOf?: (requestId: number) => string | undefined,
): Promise<void> {
  const { tenant, deviceId } = sender;
  const malformed = (detail: string) => ingress.refuse(MQTT, 'malformed', `${tenant}/${deviceId}: ${detail}`);
  if (route.dialect === 'urbis') {
    const result = urbisResult(payload);
    if (result === undefined)
      return malformed('a command result must be {"id":"cmd_…","ok":true|false,"result":…}');
    await commands?.result(tenant, deviceId, { id: result.id }, { ok: result.ok, payload: result.result });
    return;
  }
  if (route.dialect === 'thingsboard') {
    const id = commandOf?.(route.requestId);
    if (id === undefined) return malformed(`no pending RPC request ${route.requestId}`);
    const response = rpcResponse(payload);
    await commands?.result(tenant, deviceId, { id }, response);
    return;
  }
  const results = commandResults(payload);
  if (results === undefined || results.length === 0)
    return malformed('a cmdexe message must be a JSON object {"<command>": result}');
  for (const r of results)
    await commands?.result(tenant, deviceId, { name: r.name }, { ok: true, payload: r.result });
}

/** A native result: `{"id":"cmd_…","ok":true,"result":…}` (`ok` defaults to true; `result` optional). */
export function urbisResult(
  payload: Buffer | string,
): { id: string; ok: boolean; result?: unknown } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { id, ok, result } = body as Record<string, unknown>;
  if (typeof id !== 'string' || id === '' || id.length > 128) return undefined;
  if (ok !== undefined && typeof ok !== 'boolean') return undefined;
  return { id, ok: ok ?? true, ...(result !== undefined ? { result } : {}) };
}
