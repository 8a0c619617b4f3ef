/**
 * The IoT Agent JSON southbound HTTP binding: `POST /iot/json?k=<apikey>&i=<deviceId>[&t=<ISO time>]`
 * with the measures as a JSON object (or an array of them), answered 200 once they are stored — as
 * the IoT Agent answers, so that a fleet's firmware needs no change.
 *
 * Refusals (each counted as a device refusal of transport `iota-json`):
 * - no `k` or `i`: 400 (the IoT Agent's MANDATORY_PARAMS_NOT_FOUND);
 * - an unknown apikey: 401 — it is the credential, and saying "not found" to a guesser says nothing
 *   more useful; failures spend the caller's address budget (apikeys are chosen by operators and may
 *   be guessable), past which the address gets 429 without a check;
 * - a known apikey and a device not provisioned under it: 404, as the IoT Agent answers an unknown
 *   device (no autoprovisioning: whoever knows an apikey must not create devices with it);
 * - a body over the payload limit: 413; a body that cannot be framed: 400. A payload that is not JSON
 *   reaches the pipeline, whose codec refuses it (400) and records it as the device's last error.
 * Not served: `GET /iot/json?…&getCmd=1` (polling devices fetching commands; commands reach IoT Agent
 * devices over MQTT).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NgsiError, badRequest, notFound } from '../../core/errors.js';
import type { StoreIotaAuthority } from '../../devices/dialects/iota-authority.js';
import { iotaMeasures } from '../../devices/dialects/iota-measures.js';
import type { DeviceIngress } from '../../devices/transports/contract.js';
import { AuthFailureThrottle } from '../../devices/transports/device-auth.js';
import { BODY_PAYLOADS, bodyOf, byteLength, keepRawBodies, submitAndAnswer } from './iota-device-body.js';

export const IOTA_TRANSPORT = 'iota-json';

export function iotaMeasureRoutes(
  app: FastifyInstance,
  ingress: DeviceIngress,
  authority: Pick<StoreIotaAuthority, 'resolve'>,
): void {
  const refuse = (reason: 'credential' | 'oversized' | 'malformed', detail: string) =>
    ingress.refuse(IOTA_TRANSPORT, reason, detail);
  const throttle = new AuthFailureThrottle();
  void app.register(async (scope) => {
    keepRawBodies(scope);
    scope.post(
      '/iot/json',
      { bodyLimit: ingress.maxPayloadBytes * BODY_PAYLOADS, schema: { hide: true } },
      async (request, reply) => {
        const receivedAt = new Date().toISOString();
        const { k, i, t } = queryOf(request);
        if (k === undefined || i === undefined) {
          refuse('malformed', 'no k or i parameter');
          throw badRequest('the k (apikey) and i (device id) query parameters are required');
        }
        const wait = throttle.retryAfter(request.ip);
        if (wait > 0) {
          reply.header('Retry-After', String(wait));
          throw new NgsiError('TooManyRequests', `too many failed attempts; retry in ${wait} s`);
        }
        const who = await authority.resolve(k, i);
        if (!who.ok) {
          throttle.failed(request.ip);
          refuse('credential', who.reason === 'apikey' ? 'unknown apikey' : `unknown device ${i}`);
          if (who.reason === 'apikey') throw new NgsiError('Unauthorized', 'unknown apikey');
          throw notFound(`no device ${i} in the service group of this apikey`);
        }
        const body = bodyOf(request.body);
        if (byteLength(body) > ingress.maxPayloadBytes) {
          refuse('oversized', `${byteLength(body)} bytes`);
          throw new NgsiError('PayloadTooLarge', `measures are limited to ${ingress.maxPayloadBytes} bytes`);
        }
        let payloads: Array<string | Uint8Array> = [body];
        if (typeof body === 'string') {
          const framed = iotaMeasures(body, t);
          if (!framed.ok) {
            refuse('malformed', framed.detail);
            throw badRequest(framed.detail);
          }
          payloads = framed.payloads;
        }
        return submitAndAnswer(
          ingress,
          reply,
          payloads.map((payload) => ({ tenant: who.tenant, deviceId: who.deviceId, payload, receivedAt })),
        );
      },
    );
  });
}

/** The k, i and t parameters (the first of each when repeated; other parameters are ignored). */
function queryOf(request: FastifyRequest): { k?: string; i?: string; t?: string } {
  const q = (request.query ?? {}) as Record<string, unknown>;
  const one = (v: unknown): string | undefined => {
    const first: unknown = Array.isArray(v) ? v[0] : v;
    return typeof first === 'string' && first !== '' ? first : undefined;
  };
  const k = one(q.k);
  const i = one(q.i);
  const t = one(q.t);
  return {
    ...(k !== undefined ? { k } : {}),
    ...(i !== undefined ? { i } : {}),
    ...(t !== undefined ? { t } : {}),
  };
}
