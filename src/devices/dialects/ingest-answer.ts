/**
 * The HTTP answer to a dialect's measure post from the ingest outcomes of its messages (pure): 200
 * when every message was stored, else the status of the first refusal — the device's fault (4xx) or
 * the platform's (5xx, retry later) — so a device that retries on 5xx retries only what may succeed.
 * Messages of a multi-message body that were stored stay stored (each is its own reading).
 */
import type { QueuedOutcome } from '../ingest/ingest-queue.js';

export type IngestAnswer = { ok: true } | { ok: false; status: number; detail: string };

const STATUS: Record<Exclude<QueuedOutcome, { ok: true }>['reason'], number> = {
  decode: 400,
  mapping: 400,
  'rate-limited': 429,
  disabled: 403,
  // The credential was valid a moment ago: the device was deleted meanwhile.
  'unknown-device': 404,
  store: 503,
  unavailable: 503,
  overloaded: 503,
  closed: 503,
  internal: 500,
};

/** The answer for a body's outcomes, in order. */
export function ingestAnswer(outcomes: readonly QueuedOutcome[]): IngestAnswer {
  for (const o of outcomes)
    if (!o.ok) return { ok: false, status: STATUS[o.reason], detail: `${o.reason}: ${o.detail}` };
  return { ok: true };
}
