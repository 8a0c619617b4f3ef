/**
 * What the dialects' measure routes share (`/iot/json`, `/api/v1/{token}/…`): they take the body
 * as the device sent it, whatever its content type — the payload handed to the ingest pipeline is the
 * raw text, so that a malformed one is refused by the codec, counted and recorded as the device's last
 * error like on any other transport — and they answer only after every message is committed.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { NgsiError } from '../../core/errors.js';
import { ingestAnswer } from '../../devices/dialects/ingest-answer.js';
import type { InboundMessage } from '../../devices/ingest/pipeline.js';
import type { DeviceIngress } from '../../devices/transports/contract.js';

/** How many payloads' worth a body may hold (a multi-entry body), before Fastify refuses it (413). */
export const BODY_PAYLOADS = 16;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Replace the instance's body parsers with one that keeps every body as bytes. */
export function keepRawBodies(instance: FastifyInstance): void {
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
}

/** The body as text, or its bytes when they are not UTF-8 (the codec will refuse them). */
export function bodyOf(body: unknown): string | Uint8Array {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (!(body instanceof Uint8Array)) return '';
  try {
    return utf8.decode(body);
  } catch {
    return body;
  }
}

/** Byte length of a payload. */
export function byteLength(payload: string | Uint8Array): number {
  return typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.byteLength;
}

/** Submit the messages and answer: 200 when all were stored, else the first refusal's status. */
export async function submitAndAnswer(
  ingress: DeviceIngress,
  reply: FastifyReply,
  messages: InboundMessage[],
): Promise<FastifyReply> {
  const outcomes = await Promise.all(messages.map((m) => ingress.submit(m)));
  const answer = ingestAnswer(outcomes);
  if (answer.ok) return reply.code(200).send();
  if (answer.status === 429) reply.header('Retry-After', '60');
  throw new NgsiError(kindOf(answer.status), answer.detail, { status: answer.status });
}

function kindOf(status: number): NgsiError['kind'] {
  switch (status) {
    case 400:
      return 'BadRequestData';
    case 403:
      return 'Forbidden';
    case 404:
      return 'ResourceNotFound';
    case 429:
      return 'TooManyRequests';
    case 503:
      return 'ServiceUnavailable';
    default:
      return 'InternalError';
  }
}
