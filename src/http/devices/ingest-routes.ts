/**
 * Native HTTP ingest (issue #5): a device posts its payload with its own credential
 * (`Authorization: Bearer dev_…` or `Basic tenant/user:password`).
 *
 * - `POST /ingest` — one message, the body exactly as the device produces it: JSON, or bytes
 *   (`application/octet-stream`) for binary codecs such as Cayenne LPP. The body is kept raw for the
 *   codec (a scoped parser), so what is decoded is what the device sent. `Idempotency-Key` is the
 *   message id: a retried POST is stored once.
 * - `POST /ingest/batch` — up to 1,000 messages of the device in one JSON array (see ingest-batch.ts):
 *   all submitted at once, so the ingest queue commits them together.
 *
 * 2xx only after the commit (the data is durable); the answers for refusals are in ingest-outcome.ts.
 */
import type { FastifyInstance } from 'fastify';
import { NgsiError, badRequest } from '../../core/errors.js';
import type { QueuedOutcome } from '../../devices/ingest/ingest-queue.js';
import { AuthFailureThrottle, PasswordCheckCache } from '../../devices/transports/device-auth.js';
import type { DeviceApiDeps } from './deps.js';
import { deviceAuthHook } from './device-auth-hook.js';
import { MAX_MESSAGE_ID_LENGTH, checkMessageId, parseIngestBatch } from './ingest-batch.js';
import { outcomeError } from './ingest-outcome.js';

const TRANSPORT = 'http';
/** Bodies kept raw for the codec. */
const RAW_TYPES = ['application/json', 'application/octet-stream', 'text/plain'];
/** Message ids of this transport are its own: an HTTP key never matches another transport's packet id. */
const ID_PREFIX = 'http:';

/** One outcome of a batch item, as answered. */
export type BatchItemOutcome = { ok: true } | { ok: false; reason: string; detail: string };

export function ingestRoutes(app: FastifyInstance, deps: DeviceApiDeps): void {
  // Basic credentials come with every request: their scrypt check is remembered briefly (see the cache).
  const ingress = new PasswordCheckCache().wrap(deps.devices.ingress);
  const auth = deviceAuthHook(ingress, TRANSPORT, new AuthFailureThrottle());
  const maxBytes = ingress.maxPayloadBytes;

  // One message, raw body: a scope of its own so that its parsers do not change the app's.
  void app.register(async (scope) => {
    scope.removeContentTypeParser(['application/json', 'text/plain']);
    scope.addContentTypeParser(RAW_TYPES, { parseAs: 'buffer', bodyLimit: maxBytes }, (_req, body, done) =>
      done(null, body),
    );
    scope.addHook('onRequest', auth.hook);
    // Fastify refuses a body over the parser's limit before the route runs; it is still a refusal to count.
    scope.addHook('onError', async (request, _reply, error) => {
      if ((error as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE')
        ingress.refuse(TRANSPORT, 'oversized', `${request.ip}: body over ${maxBytes} bytes`);
    });
    scope.post('/ingest', { schema: { hide: true } }, async (request, reply) => {
      const { tenant, device } = auth.deviceOf(request);
      const body = request.body;
      if (!(body instanceof Uint8Array) || body.byteLength === 0)
        throw badRequest('the body must be the device payload (JSON or application/octet-stream)');
      if (body.byteLength > maxBytes) {
        ingress.refuse(TRANSPORT, 'oversized', `${device.id}: ${body.byteLength} bytes`);
        throw new NgsiError('PayloadTooLarge', `payload over ${maxBytes} bytes`);
      }
      const key = request.headers['idempotency-key'];
      let messageId: string | undefined;
      if (key !== undefined) {
        messageId = checkMessageId(key);
        if (messageId === undefined)
          throw badRequest(`Idempotency-Key must be 1–${MAX_MESSAGE_ID_LENGTH} visible ASCII characters`);
      }
      const outcome = await ingress.submit({
        tenant,
        deviceId: device.id,
        payload: body,
        receivedAt: new Date().toISOString(),
        ...(messageId !== undefined ? { messageId: ID_PREFIX + messageId } : {}),
      });
      const error = outcomeError(reply, outcome);
      if (error !== undefined) throw error;
      return reply.code(204).send();
    });
  });

  // A batch: parsed by the app's JSON parser (depth-guarded), each item then read on its own.
  void app.register(async (scope) => {
    scope.addHook('onRequest', auth.hook);
    scope.post('/ingest/batch', { schema: { hide: true } }, async (request, reply) => {
      const { tenant, device } = auth.deviceOf(request);
      const items = parseIngestBatch(request.body, maxBytes);
      const receivedAt = new Date().toISOString();
      const pending: Array<Promise<QueuedOutcome> | BatchItemOutcome> = items.map((item) => {
        if (!item.ok) {
          ingress.refuse(TRANSPORT, item.reason, `${device.id}: ${item.detail}`);
          return item;
        }
        return ingress.submit({
          tenant,
          deviceId: device.id,
          payload: item.payload,
          receivedAt,
          ...(item.messageId !== undefined ? { messageId: ID_PREFIX + item.messageId } : {}),
        });
      });
      const outcomes = (await Promise.all(pending)).map(asItemOutcome);
      if (outcomes.every((o) => o.ok)) return reply.code(204).send();
      // Nothing taken because Urbis cannot take it now: the whole batch is worth retrying as it is.
      const busy = (o: BatchItemOutcome): boolean =>
        !o.ok && (o.reason === 'overloaded' || o.reason === 'closed' || o.reason === 'unavailable');
      if (outcomes.every(busy)) {
        reply.header('Retry-After', '1');
        throw new NgsiError('ServiceUnavailable', 'ingest is overloaded or shutting down; retry later');
      }
      return reply.code(200).send(outcomes);
    });
  });
}

function asItemOutcome(o: QueuedOutcome | BatchItemOutcome): BatchItemOutcome {
  return o.ok ? { ok: true } : { ok: false, reason: o.reason, detail: o.detail };
}
