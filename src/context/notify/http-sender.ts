/**
 * Notifications over HTTP(S): POST the rendered notification to the endpoint through an undici Agent
 * whose connections pass the SSRF guard. A 2xx answer is a delivery (and 303 See Other, which says the
 * request was handled and points elsewhere for the result); 301/302/307/308 are followed by hand with
 * the same POST, at most `maxRedirects` times, each hop a new guarded connection; anything else is a
 * failure with a short reason. The whole delivery, redirects included, has one deadline.
 */
import { request, type Dispatcher } from 'undici';
import type { Endpoint } from '../../core/subscription/model.js';
import type { AddressGuard } from '../net/address-guard.js';
import { guardedAgent } from '../net/guarded-agent.js';
import type { RenderedNotification } from './contracts.js';
import { reasonOf, type SendOptions, type SendOutcome, type Sender } from './sender.js';

/** Settings of the HTTP sender. */
export interface HttpSenderOptions {
  /** The SSRF guard every connection passes. */
  readonly guard: AddressGuard;
  /** Redirects followed per delivery (default 3). */
  readonly maxRedirects?: number;
  /** Longest wait for a connection, in ms (default 10,000; the delivery's own timeout still applies). */
  readonly connectTimeoutMs?: number;
  /** User-Agent header (default `urbis-notifier`). */
  readonly userAgent?: string;
}

const FOLLOWED = new Set([301, 302, 307, 308]);

/** Sends notifications over HTTP(S). */
export class HttpSender implements Sender {
  private readonly agent: Dispatcher & { close(): Promise<void> };
  private readonly maxRedirects: number;
  private readonly userAgent: string;

  constructor(options: HttpSenderOptions) {
    this.agent = guardedAgent(options.guard, { connectTimeoutMs: options.connectTimeoutMs ?? 10_000 });
    this.maxRedirects = options.maxRedirects ?? 3;
    this.userAgent = options.userAgent ?? 'urbis-notifier';
  }

  async send(endpoint: Endpoint, n: RenderedNotification, options: SendOptions): Promise<SendOutcome> {
    if (options.signal.aborted) return { ok: false, error: 'notifier stopped' };
    // One controller per delivery, aborted by its deadline or by the notifier's stop (cheaper than
    // AbortSignal.timeout + AbortSignal.any, which show in the profile at thousands per second).
    const abort = new AbortController();
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      abort.abort();
    }, options.timeoutMs);
    const stop = () => abort.abort();
    options.signal.addEventListener('abort', stop);
    try {
      return await this.post(endpoint.uri, n, abort.signal);
    } catch (error) {
      if (late) return { ok: false, error: `no answer within ${options.timeoutMs} ms` };
      if (options.signal.aborted) return { ok: false, error: 'notifier stopped' };
      return { ok: false, error: reasonOf(error) };
    } finally {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', stop);
    }
  }

  /** POST, following redirects; throws on network failures. */
  private async post(uri: string, n: RenderedNotification, signal: AbortSignal): Promise<SendOutcome> {
    const headers = { 'user-agent': this.userAgent, ...lower(n.headers), 'content-type': n.contentType };
    let url = uri;
    for (let hop = 0; ; hop++) {
      const res = await request(url, {
        method: 'POST',
        headers,
        body: n.body,
        dispatcher: this.agent,
        signal,
      });
      const status = res.statusCode;
      const location = res.headers.location;
      // Read the answer to its end (bounded) so the connection goes back to the pool.
      await res.body.dump({ limit: 64 * 1024 });
      if ((status >= 200 && status < 300) || status === 303) return { ok: true };
      if (!FOLLOWED.has(status)) return { ok: false, error: `HTTP ${status}` };
      const target = Array.isArray(location) ? location[0] : location;
      if (target === undefined || !URL.canParse(target, url))
        return { ok: false, error: `HTTP ${status} without a usable Location` };
      if (hop >= this.maxRedirects) return { ok: false, error: `more than ${this.maxRedirects} redirects` };
      const next = new URL(target, url);
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        return { ok: false, error: `HTTP ${status} to a ${next.protocol} URL, not followed` };
      url = next.href;
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** Header names in lower case, so that the notification's own content-type cannot be doubled. */
function lower(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}
