/**
 * What the dispatcher needs from a transport: send one rendered notification to an endpoint and
 * say whether the receiver took it. Senders never throw for a failed delivery; they answer with a
 * short reason, which ends up in the subscription's `lastError` for operators.
 */
import type { Endpoint } from '../../core/subscription/model.js';
import type { RenderedNotification } from './contracts.js';

/** Per-send settings. */
export interface SendOptions {
  /** Longest wait for the whole delivery (connection, redirects, acknowledgement), in ms. */
  timeoutMs: number;
  /** Aborted when the notifier stops. */
  signal: AbortSignal;
}

/** Delivered, or not with a short reason. */
export type SendOutcome = { ok: true } | { ok: false; error: string };

/** A transport for notifications (HTTP, MQTT). */
export interface Sender {
  send(endpoint: Endpoint, notification: RenderedNotification, options: SendOptions): Promise<SendOutcome>;
  /** Release connections; in-flight sends may fail. */
  close(): Promise<void>;
}

/** Longest reason kept (it is stored on the subscription and shown to its owner). */
const MAX_REASON = 200;

/** A short, single-line reason for a failed delivery: the error's code and message (and its cause's). */
export function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return clip(String(error));
  const code = (error as NodeJS.ErrnoException).code;
  let text = error.message || error.name;
  const cause = error.cause;
  if (cause instanceof Error && cause.message && !text.includes(cause.message)) text += ` (${cause.message})`;
  if (typeof code === 'string' && !text.includes(code)) text = `${code}: ${text}`;
  return clip(text);
}

function clip(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX_REASON ? `${line.slice(0, MAX_REASON - 1)}…` : line;
}
