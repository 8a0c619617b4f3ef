/**
 * The body of `POST /ingest/batch`: a JSON array of at most 1,000 items
 * `{payload: <JSON object> | <base64 string>, encoding?: 'base64', messageId?: string}` from one
 * device. Each item is read on its own, so one bad item is reported in its place while the others
 * are ingested; only a body that is not such an array at all is refused whole (400).
 */
import { badRequest } from '../../core/errors.js';

/** Most items in one batch (the pipeline's batch size: one batch, one commit). */
export const MAX_BATCH_ITEMS = 1000;
/** Longest message id (an idempotency key) accepted. */
export const MAX_MESSAGE_ID_LENGTH = 128;

export type BatchItem =
  | { ok: true; payload: string | Uint8Array; messageId?: string }
  | { ok: false; reason: 'malformed' | 'oversized'; detail: string };

const ITEM_MEMBERS = new Set(['payload', 'encoding', 'messageId']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MESSAGE_ID = /^[\x21-\x7e]+$/;

/** Read the batch; BadRequestData when the body is not an array of at most MAX_BATCH_ITEMS. */
export function parseIngestBatch(body: unknown, maxPayloadBytes: number): BatchItem[] {
  if (!Array.isArray(body))
    throw badRequest('the body must be a JSON array of {payload, encoding?, messageId?}');
  if (body.length === 0) throw badRequest('the batch is empty');
  if (body.length > MAX_BATCH_ITEMS) throw badRequest(`at most ${MAX_BATCH_ITEMS} items in one batch`);
  return body.map((item) => parseItem(item, maxPayloadBytes));
}

/** A message id or idempotency key as sent: 1–128 visible ASCII characters; undefined when it is not one. */
export function checkMessageId(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= MAX_MESSAGE_ID_LENGTH && MESSAGE_ID.test(value)
    ? value
    : undefined;
}

function parseItem(item: unknown, maxPayloadBytes: number): BatchItem {
  const malformed = (detail: string): BatchItem => ({ ok: false, reason: 'malformed', detail });
  if (item === null || typeof item !== 'object' || Array.isArray(item))
    return malformed('an item must be an object {payload, encoding?, messageId?}');
  const o = item as Record<string, unknown>;
  const unknown = Object.keys(o).find((k) => !ITEM_MEMBERS.has(k));
  if (unknown !== undefined) return malformed(`unknown member ${JSON.stringify(unknown.slice(0, 64))}`);
  let messageId: string | undefined;
  if (o.messageId !== undefined) {
    messageId = checkMessageId(o.messageId);
    if (messageId === undefined)
      return malformed(`messageId must be 1–${MAX_MESSAGE_ID_LENGTH} visible ASCII characters`);
  }
  let payload: string | Uint8Array;
  const p = o.payload;
  if (o.encoding !== undefined && o.encoding !== 'base64') return malformed('encoding must be "base64"');
  if (typeof p === 'string') {
    // A string is the base64 of the device's bytes (binary codecs); `encoding` may say so explicitly.
    if (p.length % 4 === 1 || !BASE64.test(p)) return malformed('a string payload must be base64');
    if (Math.floor((p.length * 3) / 4) > maxPayloadBytes + 2)
      return { ok: false, reason: 'oversized', detail: `payload over ${maxPayloadBytes} bytes` };
    payload = Buffer.from(p, 'base64');
  } else if (p !== null && typeof p === 'object' && !Array.isArray(p)) {
    if (o.encoding !== undefined) return malformed('encoding applies to a string payload only');
    payload = JSON.stringify(p);
  } else {
    return malformed('payload must be a JSON object or a base64 string');
  }
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > maxPayloadBytes)
    return { ok: false, reason: 'oversized', detail: `payload of ${size} bytes is over ${maxPayloadBytes}` };
  if (size === 0) return malformed('the payload is empty');
  return { ok: true, payload, ...(messageId !== undefined ? { messageId } : {}) };
}
