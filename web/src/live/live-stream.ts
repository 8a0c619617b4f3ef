/**
 * The live feed: `GET /live?type=…` (Server-Sent Events) read with fetch() — EventSource cannot send
 * the Authorization, NGSILD-Tenant and Link headers — parsed by SseParser, and reopened with
 * exponential backoff and jitter when the connection drops. No polling anywhere.
 */
import type { ApiClient } from '../api/client.js';
import type { NgsiEntity } from '../lib/entity.js';
import { vocabulary } from '../lib/vocabulary.js';
import { backoffDelay } from '../lib/backoff.js';
import { SseParser } from '../lib/sse-parser.js';

export type LiveStatus = 'connecting' | 'live' | 'offline';

export interface LiveHandlers {
  entity(e: NgsiEntity): void;
  deleted(ref: { id: string; type: string }): void;
  status?(s: LiveStatus): void;
  /** A stream opened again after an interruption: what happened meanwhile was not sent, reload. */
  resync?(): void;
}

/** Follow `/live` for `types` until `stop()`. */
export class LiveStream {
  private abort: AbortController | undefined;
  private stopped = false;
  private attempt = 0;
  private timer: number | undefined;
  private opened = false;

  constructor(
    private readonly api: ApiClient,
    private readonly types: readonly string[],
    private readonly on: LiveHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) window.clearTimeout(this.timer);
    this.abort?.abort();
  }

  private async connect(): Promise<void> {
    this.on.status?.('connecting');
    this.abort = new AbortController();
    const parser = new SseParser();
    try {
      const types = this.types.flatMap((t) => vocabulary.fullAll(t));
      const qs = types.length > 0 ? `?type=${encodeURIComponent(types.join(','))}` : '';
      const res = await this.api.request(`/live${qs}`, {
        accept: 'text/event-stream',
        signal: this.abort.signal,
      });
      if (res.body === null) throw new Error('no body');
      this.on.status?.('live');
      this.attempt = 0;
      if (this.opened) this.on.resync?.();
      this.opened = true;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const ev of parser.push(value)) this.dispatch(ev.event, ev.data);
      }
    } catch (e) {
      if (this.stopped) return;
      // Dropped or refused: reconnect below. The error itself is not the operator's concern.
      void e;
    }
    if (this.stopped) return;
    this.on.status?.('offline');
    const delay = parser.retry ?? backoffDelay(this.attempt++);
    this.timer = window.setTimeout(() => void this.connect(), delay);
  }

  private dispatch(event: string, data: string): void {
    if (event === 'reconnect') {
      // The server ends this stream (its time is up, or we read too slowly): reopen and reload.
      this.attempt = 0;
      this.abort?.abort();
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(data);
    } catch {
      return; // A malformed event is skipped; the next one carries the whole state again.
    }
    if (body === null || typeof body !== 'object') return;
    const b = body as Record<string, unknown>;
    if (typeof b.id !== 'string') return;
    if (event === 'entity') this.on.entity(vocabulary.entity(b) as NgsiEntity);
    else if (event === 'deleted')
      this.on.deleted({
        id: b.id,
        type: vocabulary.short(String(Array.isArray(b.type) ? b.type[0] : (b.type ?? ''))),
      });
  }
}

/** One LiveStream shared by every screen: each screen subscribes to what it needs. */
export class LiveHub {
  private readonly listeners = new Set<LiveHandlers>();
  private stream: LiveStream | undefined;
  status: LiveStatus = 'offline';
  onStatus: ((s: LiveStatus) => void) | undefined;

  constructor(
    private readonly api: ApiClient,
    private readonly types: readonly string[],
  ) {}

  start(): void {
    this.stream = new LiveStream(this.api, this.types, {
      entity: (e) => this.listeners.forEach((l) => l.entity(e)),
      deleted: (r) => this.listeners.forEach((l) => l.deleted(r)),
      resync: () => this.listeners.forEach((l) => l.resync?.()),
      status: (s) => {
        this.status = s;
        this.onStatus?.(s);
      },
    });
    this.stream.start();
  }

  stop(): void {
    this.stream?.stop();
  }

  /** Listen until the returned function is called. */
  subscribe(h: LiveHandlers): () => void {
    this.listeners.add(h);
    return () => this.listeners.delete(h);
  }
}
