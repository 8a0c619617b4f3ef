/**
 * The ThingsBoard device HTTP API, so that ThingsBoard fleets post to Urbis unchanged:
 * `POST /api/v1/{token}/telemetry` (an object of values, `{ts, values}`, or an array of either: one
 * message per entry, at its own time) and `POST /api/v1/{token}/attributes` (client attributes, one
 * object), where the token is the device's Urbis token (`dev_…`), as ThingsBoard's access token is.
 * Every message goes through the device's profile like any other; answered 200 once stored.
 *
 * Refusals, counted as device refusals of transport `thingsboard`: an unknown, revoked or disabled
 * token 401 (as ThingsBoard answers); a message over the payload limit 413; a body that cannot be
 * framed 400. A payload that is not JSON reaches the pipeline, whose codec refuses it (400) and
 * records the device's last error. Not served: attribute reads, RPC and claiming over HTTP.
 */
import type { FastifyInstance } from 'fastify';
import { NgsiError, badRequest } from '../../core/errors.js';
import type { InboundMessage } from '../../devices/ingest/pipeline.js';
import type { DeviceIngress } from '../../devices/transports/contract.js';
import { normaliseTelemetry } from '../../devices/transports/mqtt/thingsboard.js';
import type { DeviceApiDeps } from './deps.js';
import { BODY_PAYLOADS, bodyOf, byteLength, keepRawBodies, submitAndAnswer } from './iota-device-body.js';

export const TB_TRANSPORT = 'thingsboard';

type Kind = 'telemetry' | 'attributes';

export function thingsboardRoutes(app: FastifyInstance, deps: DeviceApiDeps): void {
  const ingress = deps.devices.ingress;
  void app.register(async (scope) => {
    keepRawBodies(scope);
    for (const kind of ['telemetry', 'attributes'] as const)
      scope.post<{ Params: { token: string } }>(
        `/api/v1/:token/${kind}`,
        { bodyLimit: ingress.maxPayloadBytes * BODY_PAYLOADS, schema: { hide: true } },
        async (request, reply) => {
          const receivedAt = new Date().toISOString();
          const device = await ingress.authenticateToken(request.params.token);
          if (device === undefined) {
            ingress.refuse(TB_TRANSPORT, 'credential', 'unknown, revoked or disabled token');
            throw new NgsiError('Unauthorized', 'unknown access token');
          }
          const payloads = framed(ingress, kind, bodyOf(request.body), device.profile.deviceTime);
          const message = (payload: string | Uint8Array): InboundMessage => ({
            tenant: device.tenant,
            deviceId: device.device.id,
            payload,
            receivedAt,
          });
          return submitAndAnswer(ingress, reply, payloads.map(message));
        },
      );
  });
}

/**
 * The body's messages: its entries as JSON texts, or the body itself when it is not a JSON object or
 * array (the codec refuses and counts it). Throws the 400 / 413 answer, counted, for what cannot be framed.
 */
function framed(
  ingress: DeviceIngress,
  kind: Kind,
  body: string | Uint8Array,
  timeField: string | undefined,
): Array<string | Uint8Array> {
  const refuse = (reason: 'oversized' | 'malformed', detail: string): NgsiError => {
    ingress.refuse(TB_TRANSPORT, reason, detail);
    return reason === 'oversized'
      ? new NgsiError(
          'PayloadTooLarge',
          `${detail}; a message is limited to ${ingress.maxPayloadBytes} bytes`,
        )
      : badRequest(detail);
  };
  let parsed: unknown;
  try {
    parsed = typeof body === 'string' ? JSON.parse(body) : undefined;
  } catch {
    parsed = undefined;
  }
  const isArray = Array.isArray(parsed);
  if (!isArray && byteLength(body) > ingress.maxPayloadBytes)
    throw refuse('oversized', `${byteLength(body)} bytes`);
  if (parsed === null || typeof parsed !== 'object') return [body];
  if (kind === 'attributes') {
    if (isArray) throw refuse('malformed', 'attributes must be one JSON object, not an array');
    return [body];
  }
  const normalised = normaliseTelemetry(parsed, timeField ?? 'ts');
  if (!normalised.ok) throw refuse('malformed', normalised.detail);
  // A plain object of values goes on exactly as sent (the codec sees duplicate keys, for one).
  if (!isArray && normalised.entries[0] === parsed) return [body];
  return normalised.entries.map((entry, i) => {
    let text: string;
    try {
      text = JSON.stringify(entry);
    } catch (e) {
      if (e instanceof RangeError) throw refuse('malformed', `entry ${i} is nested too deeply`);
      throw e;
    }
    if (byteLength(text) > ingress.maxPayloadBytes)
      throw refuse('oversized', `entry ${i}: ${byteLength(text)} bytes`);
    return text;
  });
}
