/**
 * The broker's ContextLoader: fetches remote @context documents over HTTP(S) with undici, bounded in
 * time and size, and keeps them in a bounded cache with a time-to-live so that a popular context (a
 * Smart Data Models context linked by every device) is fetched once, not per request.
 *
 * Every connection goes through the SSRF guard (a URL that resolves to a loopback, link-local or
 * private address is refused unless the operator allowed it), and redirects are followed here, hop by
 * hop, so that each hop's address is checked again; the number of hops is bounded.
 */
import { request, type Dispatcher } from 'undici';
import { NgsiError, isNgsiError } from '../../core/errors.js';
import type { ContextLoader } from '../../core/jsonld/context-resolver.js';
import { LruCache } from '../../core/jsonld/lru-cache.js';
import { AddressGuard, AddressRefusedError } from '../net/address-guard.js';
import { guardedAgent } from '../net/guarded-agent.js';

/** Settings of a RemoteContextLoader; every field has a default. */
export interface RemoteContextLoaderOptions {
  /** Longest wait for a whole document, headers and body, in ms (default 5,000). */
  readonly timeoutMs?: number;
  /** Largest document accepted, in bytes (default 1 MiB). */
  readonly maxBytes?: number;
  /** Documents kept in the cache (default 256). */
  readonly cacheSize?: number;
  /** How long a fetched document is reused, in ms (default 1 hour). */
  readonly cacheTtlMs?: number;
  /**
   * Consulted before the network: the document for `url` if the broker holds it (contexts stored
   * under /jsonldContexts), else undefined. Its answers are not cached here: the store is the truth.
   */
  readonly lookup?: (url: string) => Promise<unknown>;
  /** The SSRF guard every connection goes through (default: one that allows no private address). */
  readonly guard?: AddressGuard;
  /** Redirects followed before giving up (default 5). */
  readonly maxRedirects?: number;
  /** Clock for the cache TTL, in ms (tests); defaults to Date.now. */
  readonly now?: () => number;
}

interface CachedDocument {
  readonly document: unknown;
  readonly expiresAt: number;
}

// JSON media types are what JSON-LD asks for. text/plain and application/octet-stream are let through
// (still parsed as JSON) because common hosts serve .jsonld files that way: raw.githubusercontent.com
// sends text/plain, and web servers without a .jsonld MIME mapping send application/octet-stream.
const JSON_TYPES = new Set(['application/ld+json', 'application/json']);
const TOLERATED_TYPES = new Set(['text/plain', 'application/octet-stream', '']);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Loads remote @context documents (http and https only), with timeout, size limit and a TTL cache. */
export class RemoteContextLoader implements ContextLoader {
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly ttlMs: number;
  private readonly cache: LruCache<string, CachedDocument>;
  private readonly inflight = new Map<string, Promise<unknown>>();
  private readonly lookup: ((url: string) => Promise<unknown>) | undefined;
  private readonly agent: Dispatcher;
  private readonly maxRedirects: number;
  private readonly now: () => number;

  constructor(options: RemoteContextLoaderOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.maxBytes = options.maxBytes ?? 1_048_576;
    this.ttlMs = options.cacheTtlMs ?? 3_600_000;
    this.cache = new LruCache(options.cacheSize ?? 256);
    this.lookup = options.lookup;
    this.agent = guardedAgent(options.guard ?? new AddressGuard(), { connectTimeoutMs: this.timeoutMs });
    this.maxRedirects = options.maxRedirects ?? 5;
    this.now = options.now ?? Date.now;
  }

  /**
   * The parsed document at `url`. Rejects with NgsiError BadRequestData for a URL that is not http(s),
   * LdContextNotAvailable (503, or 504 on timeout) when it cannot be fetched or is not JSON.
   */
  async load(url: string): Promise<unknown> {
    const protocol = URL.canParse(url) ? new URL(url).protocol : '';
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw new NgsiError(
        'BadRequestData',
        `Invalid @context URL ${url}: only http and https URLs can be loaded`,
      );
    }
    if (this.lookup !== undefined) {
      const stored = await this.lookup(url);
      if (stored !== undefined) return stored;
    }
    const cached = this.cache.get(url);
    if (cached !== undefined) {
      if (cached.expiresAt > this.now()) return cached.document;
      this.cache.delete(url);
    }
    const pending = this.inflight.get(url);
    if (pending !== undefined) return pending;
    const promise = this.fetchDocument(url).finally(() => this.inflight.delete(url));
    this.inflight.set(url, promise);
    return promise;
  }

  private async fetchDocument(url: string): Promise<unknown> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    let text: string | undefined;
    for (let hop = 0, current = url; text === undefined; hop++) {
      let response: Dispatcher.ResponseData;
      try {
        response = await request(current, {
          method: 'GET',
          headers: { accept: 'application/ld+json, application/json;q=0.9, */*;q=0.1' },
          dispatcher: this.agent,
          signal,
        });
      } catch (error) {
        throw this.failure(url, error, signal);
      }
      try {
        if (REDIRECTS.has(response.statusCode)) {
          current = this.redirect(url, current, response, hop);
          await response.body.dump();
        } else text = await this.readBody(url, response);
      } catch (error) {
        // A body never read (bad status or type, declared too large) still holds the connection: drop it.
        // Failing to drop it changes nothing for the caller, who needs the original error, not this one.
        // (Destroying an unread body emits an abort error that nobody needs to hear.)
        if (!response.body.destroyed) response.body.on('error', () => undefined).destroy();
        throw this.failure(url, error, signal);
      }
    }
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw unavailable(url, 'the document is not valid JSON', error);
    }
    this.cache.set(url, { document, expiresAt: this.now() + this.ttlMs });
    return document;
  }

  /** Where a redirect leads: an http(s) URL within the hop limit, checked again when connected to. */
  private redirect(url: string, current: string, response: Dispatcher.ResponseData, hop: number): string {
    const location = response.headers.location;
    const target = Array.isArray(location) ? location[0] : location;
    if (target === undefined || !URL.canParse(target, current))
      throw unavailable(url, `the server answered HTTP ${response.statusCode} without a usable Location`);
    if (hop >= this.maxRedirects) throw unavailable(url, `more than ${this.maxRedirects} redirects`);
    const next = new URL(target, current);
    if (next.protocol !== 'http:' && next.protocol !== 'https:')
      throw unavailable(url, `redirected to ${next.protocol} URL, only http and https are followed`);
    return next.href;
  }

  private async readBody(url: string, response: Dispatcher.ResponseData): Promise<string> {
    const status = response.statusCode;
    if (status < 200 || status > 299) throw unavailable(url, `the server answered HTTP ${status}`);
    const header = response.headers['content-type'];
    const type = ((Array.isArray(header) ? header[0] : header) ?? '').split(';')[0]!.trim().toLowerCase();
    if (!JSON_TYPES.has(type) && !TOLERATED_TYPES.has(type) && !type.endsWith('+json')) {
      throw unavailable(
        url,
        `the document has content type ${type}, not application/ld+json or application/json`,
      );
    }
    const declared = Number(response.headers['content-length'] ?? NaN);
    if (declared > this.maxBytes) throw this.tooLarge(url);
    // Count the bytes as they come: a missing or false Content-Length must not let a huge body in.
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      total += chunk.byteLength;
      if (total > this.maxBytes) throw this.tooLarge(url);
      chunks.push(chunk);
    }
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, total));
  }

  private tooLarge(url: string): NgsiError {
    return unavailable(url, `the document is larger than ${this.maxBytes} bytes`);
  }

  private failure(url: string, error: unknown, signal: AbortSignal): NgsiError {
    if (isNgsiError(error)) return error;
    const refusal = refusalOf(error);
    if (refusal !== undefined) {
      return new NgsiError('BadRequestData', `@context URL ${url} is not allowed: ${refusal.message}`, {
        cause: error,
      });
    }
    if (signal.aborted || (error instanceof Error && error.name === 'TimeoutError')) {
      return new NgsiError(
        'LdContextNotAvailable',
        `@context ${url} did not arrive within ${this.timeoutMs} ms`,
        {
          status: 504,
          cause: error,
        },
      );
    }
    return unavailable(url, reasonOf(error), error);
  }
}

function unavailable(url: string, reason: string, cause?: unknown): NgsiError {
  return new NgsiError('LdContextNotAvailable', `Could not load @context ${url}: ${reason}`, { cause });
}

/** The SSRF guard's refusal behind a failed request, if that is what it was. */
function refusalOf(error: unknown): AddressRefusedError | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof AddressRefusedError) return e;
  }
  return undefined;
}

/** The most telling message of a fetch failure: undici wraps the socket error (ECONNREFUSED…) as `cause`. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error)
    return `${error.message} (${'code' in cause ? String(cause.code) : cause.message})`;
  return error.message;
}
