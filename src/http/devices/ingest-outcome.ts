/**
 * How an ingest outcome (src/devices/ingest) is answered over HTTP, shared by the native ingest
 * routes and the LoRaWAN integrations: 204 once committed; the device's faults are 4xx ProblemDetails
 * naming the reason (400 undecodable, 422 decodable but not mappable by its profile, 429 over its
 * rate with Retry-After); Urbis's own trouble is a 503 with Retry-After (overloaded, shutting down,
 * storage failed), so that a sender retries instead of dropping the reading.
 */
import type { FastifyReply } from 'fastify';
import { NgsiError } from '../../core/errors.js';
import type { QueuedOutcome } from '../../devices/ingest/ingest-queue.js';

/** Seconds a sender is asked to wait after a 503 from ingest. */
const BUSY_RETRY_SEC = 1;

/** The error to answer for a refused outcome (and its Retry-After header on the reply); undefined when ok. */
export function outcomeError(reply: FastifyReply, outcome: QueuedOutcome): NgsiError | undefined {
  if (outcome.ok) return undefined;
  const detail = `${outcome.reason}: ${outcome.detail}`;
  switch (outcome.reason) {
    case 'decode':
      return new NgsiError('BadRequestData', detail);
    case 'mapping':
      return new NgsiError('BadRequestData', detail, { status: 422 });
    case 'unknown-device':
      return new NgsiError('ResourceNotFound', detail);
    case 'disabled':
      return new NgsiError('Forbidden', detail);
    case 'rate-limited':
      reply.header('Retry-After', String(retryAfterOf(outcome.detail)));
      return new NgsiError('TooManyRequests', detail);
    case 'store':
    case 'unavailable':
    case 'overloaded':
    case 'closed':
      reply.header('Retry-After', String(BUSY_RETRY_SEC));
      return new NgsiError('ServiceUnavailable', detail);
    case 'internal':
      return new NgsiError('InternalError', 'internal error');
  }
}

/** The seconds the pipeline's rate-limit detail names ("… retry in 3 s"); 1 when it names none. */
export function retryAfterOf(detail: string): number {
  const match = /retry in (\d+) s/.exec(detail);
  return match === null ? 1 : Math.max(1, Number(match[1]));
}
